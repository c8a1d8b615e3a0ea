package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamc"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/module"
)

// corpusDeviations are real configs where kamgo's first error differs from
// Kamailio's, with the reason.
var corpusDeviations = map[string]string{
	"corpus:cgrates-tutorial/kamailio.cfg":                                       "listens on interface enp0s3, which this machine lacks: kamgo resolves listen names when it binds, not in check",
	"corpus:evapi-backpressure-repro/kamailio.cfg":                               "listens on EPHEMERAL_IP_ADDR, a host name to resolve: kamgo resolves listen names when it binds, not in check",
	"debian:/usr/share/doc/kamailio/examples/ims/pcscf/route/websocket.cfg":      "a route fragment included by the P-CSCF config: kamgo reports the undefined port name at its line, Kamailio at the closing parenthesis",
	"debian:/usr/share/doc/kamailio/examples/mixed/kamailio-minimal-anycast.cfg": "$sel(via.params[...]): a core select kamgo does not have; inside a format string it is reported as the format's load error (KC2204, saying it is not implemented) rather than as KC2213",
	"debian:/usr/share/doc/kamailio/examples/pkg/sipcapture.cfg":                 "$sel(contact.uri.host): a core select kamgo does not have; inside a format string it is reported as the format's load error (KC2204, saying it is not implemented) rather than as KC2213",
	"corpus:dsiprouter/kamailio.cfg":                                             "written for Kamailio 5.7+ (#!ifexp): under 5.6.3 both #!ifexp branches are read; kamgo stops at the template's empty substitution first",
}

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
//   - kamgo's first error is a syntax or preprocessor error only when
//     Kamailio rejected the file for a syntax reason, and at the same line;
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
		diags, _ := checkFile(filepath.Base(file), nil, module.Catalog())
		_ = os.Chdir(wd)
		// Kamailio stops at its first error, so only kamgo's first error
		// is compared: a syntax error there must be one Kamailio reports.
		var first *diag.Diagnostic
		for _, d := range diags {
			if d.Severity == diag.Error {
				first = d
				break
			}
		}
		syntaxErr := first != nil && strings.HasPrefix(first.Code, "KC0")
		verdict, line := row.VerdictMpath, row.LineMpath
		if verdict == "" {
			verdict, line = row.Verdict, row.Line
		}
		if reason, ok := corpusDeviations[row.Path]; ok {
			counts["deviation"]++
			t.Logf("%s: deviation: %s", row.Path, reason)
			continue
		}
		if mod := missingModule(row.MessageMpath); verdict == "reject" && mod != "" && catalog.Load().ModuleByFile(mod) != nil {
			// Even with module paths pointed at Debian's directory,
			// Kamailio stopped at a module file it could not load; kamgo
			// resolves modules by name, so the rest of the config has
			// nothing to be compared with.
			counts["module-path"]++
			if first != nil {
				t.Logf("%s: Kamailio stopped at module file %q; kamgo's first error: %s", row.Path, mod, first.Error())
			}
			continue
		}
		msg := row.MessageMpath
		if msg == "" {
			msg = row.Message
		}
		kamSyntax := strings.Contains(msg, "syntax error") || strings.Contains(msg, "included file") || strings.Contains(msg, "bad command")
		switch {
		case syntaxErr && !kamSyntax:
			failures = append(failures, fmt.Sprintf("%s: kamgo reports a syntax error Kamailio does not: %s", row.Path, first.Error()))
		case verdict == "ok" && first != nil:
			failures = append(failures, fmt.Sprintf("%s: Kamailio accepts it, kamgo reports %s", row.Path, first.Error()))
		case verdict == "reject" && first == nil:
			failures = append(failures, fmt.Sprintf("%s: Kamailio rejects it at line %d (%s), kamgo reports no error", row.Path, line, msg))
		case verdict == "reject" && line > 0 && (line < first.Subject.Start.Line || line > max(first.Subject.End.Line, first.Subject.Start.Line)):
			failures = append(failures, fmt.Sprintf("%s: Kamailio's first error is at line %d (%s), kamgo's at %s", row.Path, line, msg, first.Error()))
		default:
			counts["agree"]++
			counts[verdict]++
		}
	}
	t.Logf("corpus: %d files (%d absent), %d agree (%d ok, %d rejected at the same line), %d stopped at a module path, %d deviations",
		counts["files"], counts["absent"], counts["agree"], counts["ok"], counts["reject"], counts["module-path"], counts["deviation"])
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
}

var missingModuleRe = regexp.MustCompile(`could not (?:find|open) module <([^>]+)>`)

// missingModule returns the base name of the module file Kamailio could
// not load, from its error text.
func missingModule(detail string) string {
	m := missingModuleRe.FindStringSubmatch(detail)
	if m == nil {
		return ""
	}
	return strings.TrimSuffix(filepath.Base(m[1]), ".so")
}
