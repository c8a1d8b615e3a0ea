package preproc

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
)

// repoRoot is the module root, found from the test's working directory.
func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// realConfigs lists the real configurations on this machine: the Debian
// default, the packaged examples and the shared corpus next to the repo.
func realConfigs(t testing.TB) []string {
	var files []string
	if _, err := os.Stat("/etc/kamailio/kamailio.cfg"); err == nil {
		files = append(files, "/etc/kamailio/kamailio.cfg")
	}
	walk := func(root string) {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".cfg") {
				files = append(files, p)
			}
			return nil
		})
	}
	walk("/usr/share/doc/kamailio/examples")
	walk(filepath.Join(repoRoot(t), "..", "shared", "corpus"))
	sort.Strings(files[min(1, len(files)):])
	return files
}

// knownBad are real configs with real errors (relative to the corpus or
// examples directory), each with the code expected.
var knownBad = map[string]string{
	"pkg/sip-router-oob.cfg":         "KC0120", // an #!ifdef never closed
	"docker-kamailio/kamailio.cfg":   "KC0120",
	"pkg/sip-router-basic.cfg":       "KC0126", // a stray #!endif
	"ims/icscf/kamailio.cfg":         "KC0160", // includes icscf.cfg, shipped as icscf.cfg.sample
	"ims/scscf/kamailio.cfg":         "KC0160",
	"kemi/kamailio-basic-kemi.cfg":   "KC0160", // includes a file under /usr/local
	"kazoo-default/default.cfg":      "KC0160", // the corpus has only the main file
	"private-public-gw/kamailio.cfg": "KC0160",
	"dsiprouter/kamailio.cfg":        "KC0126", // written for Kamailio 5.7+: 5.6.3 reads #!ifexp as a comment
}

func knownCode(path string) string {
	for k, v := range knownBad {
		if strings.HasSuffix(path, "/"+k) {
			return v
		}
	}
	return ""
}

func TestRealConfigs(t *testing.T) {
	files := realConfigs(t)
	if len(files) == 0 {
		t.Skip("no real configs on this machine")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		// Includes resolve relative to the working directory first; run
		// from the file's directory like `kamailio -f` users do, by
		// resolving relative names against it.
		dir := filepath.Dir(f)
		opts := Options{ReadFile: func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				if b, err := os.ReadFile(filepath.Join(dir, p)); err == nil {
					return b, nil
				}
			}
			return os.ReadFile(p)
		}}
		r := Process(f, src, opts)
		var errs diag.List
		for _, d := range r.Diags {
			if d.Severity == diag.Error {
				errs = append(errs, d)
			}
		}
		want := knownCode(f)
		switch {
		case want == "" && len(errs) > 0:
			var b strings.Builder
			diag.WriteText(&b, errs, r.Sources)
			t.Errorf("%s: unexpected errors:\n%s", f, b.String())
		case want != "" && (len(errs) == 0 || errs[0].Code != want):
			t.Errorf("%s: want error %s, got %v", f, want, errs)
		}
		if testing.Verbose() {
			for _, d := range r.Diags {
				t.Logf("%s", d.Error())
			}
		}
	}
	_ = runtime.GOOS
}
