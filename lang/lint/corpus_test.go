package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
)

// corpusFiles returns the configs Debian ships and those of the shared
// corpus, as they are on this machine (read in place, never copied).
func corpusFiles(t *testing.T) []string {
	var files []string
	if _, err := os.Stat("/etc/kamailio/kamailio.cfg"); err == nil {
		files = append(files, "/etc/kamailio/kamailio.cfg")
	}
	for _, root := range []string{"/usr/share/doc/kamailio/examples", filepath.Join("..", "..", "..", "shared", "corpus")} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".cfg") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Skip("no Debian configs and no shared corpus on this machine")
	}
	sort.Strings(files)
	return files
}

// TestCorpus lints every real config with every rule on: no rule may
// report an error (findings are things Kamailio lets through, judged
// warnings at most), and nothing may panic. The findings per rule are
// logged; the review of each is in the issue notes.
func TestCorpus(t *testing.T) {
	conf := allRules(t)
	per := map[string]int{}
	for _, f := range corpusFiles(t) {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		wd, _ := os.Getwd()
		if err := os.Chdir(filepath.Dir(abs)); err != nil {
			t.Fatal(err)
		}
		res := File(filepath.Base(abs), Options{Config: conf})
		_ = os.Chdir(wd)
		for _, d := range res.Diags {
			if RuleOf(d) == nil {
				continue
			}
			per[d.Code]++
			if d.Severity == diag.Error {
				t.Errorf("%s: rule finding at severity error: %s", f, d.Error())
			}
		}
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Logf("%s: %d", id, per[id])
	}
}
