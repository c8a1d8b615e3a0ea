package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamc"
	"github.com/kamgo/kamgo/lang/diag"
)

// corpusDeviations are real configs where kamgo's first error differs from
// Kamailio's, with the reason.
var corpusDeviations = map[string]string{}

// corpusFile maps a corpus.tsv path to a file on this machine.
func corpusFile(path string) string {
	switch {
	case strings.HasPrefix(path, "debian:"):
		return strings.TrimPrefix(path, "debian:")
	case strings.HasPrefix(path, "corpus:"):
		return filepath.Join("..", "..", "..", "shared", "corpus", strings.TrimPrefix(path, "corpus:"))
	}
	return path
}

// TestCorpus checks every Debian-shipped config and every shared corpus
// config against Kamailio's recorded verdict (with module paths pointed at
// Debian's module directory, so that a verdict is about the config, not
// about where its modules live):
//   - kamgo reports no syntax or preprocessor error unless Kamailio
//     rejected the file for a syntax reason, and then at the same line;
//   - a config Kamailio accepts gives no error at all;
//   - a config Kamailio rejects gives an error whose subject covers
//     Kamailio's line.
func TestCorpus(t *testing.T) {
	rows, err := kamc.LoadExpect(filepath.Join("..", "..", "testdata", "kamailio-c", "corpus.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var failures []string
	counts := map[string]int{}
	for _, row := range rows {
		file, err := filepath.Abs(corpusFile(row.Path))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(file); err != nil {
			if strings.HasPrefix(row.Path, "debian:") && !requireDebianConfigs {
				counts["absent"]++
				continue
			}
			failures = append(failures, fmt.Sprintf("%s: %v", row.Path, err))
			continue
		}
		counts["files"]++
		wd, _ := os.Getwd()
		if err := os.Chdir(filepath.Dir(file)); err != nil {
			t.Fatal(err)
		}
		_, diags, _ := analyze(filepath.Base(file), nil)
		_ = os.Chdir(wd)
		var first *diag.Diagnostic
		syntaxErr := false
		for _, d := range diags {
			if d.Severity != diag.Error {
				continue
			}
			if first == nil {
				first = d
			}
			if strings.HasPrefix(d.Code, "KC0") {
				syntaxErr = true
			}
		}
		verdict, line := row.VerdictMpath, row.LineMpath
		if verdict == "" {
			verdict, line = row.Verdict, row.Line
		}
		if reason, ok := corpusDeviations[row.Path]; ok {
			counts["deviation"]++
			t.Logf("%s: deviation: %s", row.Path, reason)
			continue
		}
		kamSyntax := row.Reason == "syntax" || strings.Contains(row.Message, "included file")
		switch {
		case syntaxErr && !kamSyntax:
			failures = append(failures, fmt.Sprintf("%s: kamgo reports a syntax error Kamailio does not: %s", row.Path, first.Error()))
		case verdict == "ok" && first != nil:
			failures = append(failures, fmt.Sprintf("%s: Kamailio accepts it, kamgo reports %s", row.Path, first.Error()))
		case verdict == "reject" && first == nil:
			failures = append(failures, fmt.Sprintf("%s: Kamailio rejects it at line %d (%s), kamgo reports no error", row.Path, line, row.Message))
		case verdict == "reject" && line > 0 && (line < first.Subject.Start.Line || line > max(first.Subject.End.Line, first.Subject.Start.Line)):
			failures = append(failures, fmt.Sprintf("%s: Kamailio's first error is at line %d (%s), kamgo's at %s", row.Path, line, row.Message, first.Error()))
		default:
			counts["agree"]++
			counts[verdict]++
		}
	}
	t.Logf("corpus: %d files (%d absent), %d agree (%d ok, %d rejected at the same line), %d deviations",
		counts["files"], counts["absent"], counts["agree"], counts["ok"], counts["reject"], counts["deviation"])
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
}
