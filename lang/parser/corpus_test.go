package parser

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
)

// corpusFiles lists the real configurations the parser must accept: the
// Debian package's and the shared corpus beside the repository.
func corpusFiles(t testing.TB) []string {
	var files []string
	add := func(pattern string) {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	add("/etc/kamailio/kamailio.cfg")
	walk := func(root string) {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".cfg") {
				files = append(files, path)
			}
			return nil
		})
	}
	walk("/usr/share/doc/kamailio/examples")
	walk(filepath.Join("..", "..", "..", "shared", "corpus"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Skip("no real configurations on this machine")
	}
	return files
}

// knownBad are corpus files with real syntax errors, by path suffix, with
// the reason. The exec_s5 verdicts were checked with kamailio -c (line 31,
// column 4: "bad command: missing ';'?"); the others fail in Kamailio too,
// on the same undefined names.
var knownBad = map[string]string{
	"exec/exec_s5.cfg":            "no ';' before else (old SER syntax)",
	"exec/exec_s5b.cfg":           "no ';' before else (old SER syntax)",
	"kamailio/exec_s5.cfg":        "no ';' before else (old SER syntax)",
	"dsiprouter/kamailio.cfg":     "a template: empty #!substdef gives force_send_socket(tls::5061)",
	"kazoo-default/default.cfg":   "defines live in include files missing from the corpus",
	"sip-proxy-split/modules.cfg": "a fragment: its defines are in the main file",
	"teams-dr/kamailio.cfg":       "EN_SIPDUMP is never defined",
	"ims/icscf/kamailio.cfg":      "defines live in icscf.cfg, not shipped",
	"ims/scscf/kamailio.cfg":      "defines live in scscf.cfg, not shipped",
}

func badReason(f string) string {
	for suffix, why := range knownBad {
		if strings.HasSuffix(f, "/"+suffix) {
			return why
		}
	}
	return ""
}

func isParserCode(c string) bool { return c >= "KC0500" && c <= "KC0999" }

// TestCorpus parses every real configuration: files not known to be wrong
// must give no parser error, and the known-bad ones must give one.
func TestCorpus(t *testing.T) {
	clean, total := 0, 0
	for _, f := range corpusFiles(t) {
		total++
		_, l, src := ParseFile(f, preproc.Options{})
		var errs diag.List
		for _, d := range l {
			if d.Severity == diag.Error && isParserCode(d.Code) {
				errs = append(errs, d)
			}
		}
		why := badReason(f)
		switch {
		case len(errs) == 0 && why == "":
			clean++
		case len(errs) == 0:
			t.Errorf("%s: no syntax error, but it is listed as bad (%s)", f, why)
		case why == "":
			var b strings.Builder
			diag.WriteText(&b, errs, src)
			t.Errorf("%s: %d syntax errors\n%s", f, len(errs), b.String())
		}
	}
	t.Logf("%d of %d files parse without syntax errors (%d known bad)", clean, total, len(knownBad))
}
