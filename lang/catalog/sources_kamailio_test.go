//go:build kamailio

package catalog

import (
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/catalog/internal/csrc"
	"github.com/kamgo/kamgo/lang/catalog/internal/elfmod"
	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// Run with: KAMAILIO_REPO=/path/to/kamailio.git go test -tags kamailio
// ./lang/catalog. Reading five releases' sources takes minutes (much longer
// under -race), so the test runs only when KAMAILIO_REPO names a Kamailio
// git repository with the release tags.

func mirror(t *testing.T) string {
	t.Helper()
	if os.Getenv("KAMAILIO_REPO") == "" {
		t.Skip("set KAMAILIO_REPO to a Kamailio git repository with the release tags to compare the data with the sources")
	}
	repo := csrc.DefaultRepo()
	if _, err := os.Stat(repo); err != nil {
		t.Skipf("no Kamailio git repository at %s (set KAMAILIO_REPO to one with the release tags): %v", repo, err)
	}
	return repo
}

// TestGeneratedFromSources reads every release from the sources again and
// compares it with the committed data, and checks the data files' facts
// that can be read from the same sources: core parameters, preprocessor
// directives, module event names.
func TestGeneratedFromSources(t *testing.T) {
	repo := mirror(t)
	pkgs := map[string]string{}
	for _, m := range debianListing(t) {
		pkgs[m.File] = m.Package
	}
	for _, rd := range releaseTable {
		t.Run(rd.name, func(t *testing.T) {
			tree, err := csrc.ReadTag(repo, rd.tag)
			if err != nil {
				t.Fatal(err)
			}
			mods, problems := csrc.ReadRelease(tree, &csrc.DebianBuild, pkgs)
			for _, p := range problems {
				t.Errorf("reader: %s", p)
			}
			if d := lineDiff(facts.Lines(packedModules(t, rd.name)), facts.Lines(mods)); d != "" {
				t.Errorf("releases_gen.go is stale for %s (go generate ./lang/catalog); - committed, + sources:\n%s", rd.tag, d)
			}
			if rd.name != DefaultRelease {
				if newest := newestTag(t, repo, rd.name); newest != rd.tag {
					t.Errorf("release %s is read at %s; the newest tag of the series is %s", rd.name, rd.tag, newest)
				}
			}
			c := load(t, rd.name)
			checkCore(t, c, tree)
			checkEvents(t, c, tree)
			checkInnerNames(t, c, mods)
		})
	}
}

// checkCore compares the core parameters and directives of core.txt with
// the release's grammar.
func checkCore(t *testing.T, c *Catalog, tree csrc.Tree) {
	var params []string
	for _, p := range tree.CoreParams() {
		switch p {
		case "loadpath", "mpath", "cfgengine": // statements, not parameters
		default:
			params = append(params, p)
		}
	}
	if d := lineDiff(c.CoreParams(), params); d != "" {
		t.Errorf("core.txt parameters of %s (- core.txt, + cfg.lex/cfg.y):\n%s", c.Tag(), d)
	}
	if got, want := c.Directives(), tree.Directives(); !reflect.DeepEqual(got, want) {
		t.Errorf("core.txt directives of %s: %v, cfg.lex: %v", c.Tag(), got, want)
	}
}

// checkEvents looks for every event name overrides.txt gives a module in
// the module's sources (a prefix in some string).
func checkEvents(t *testing.T, c *Catalog, tree csrc.Tree) {
	for _, m := range c.Modules() {
		if len(m.Events) == 0 {
			continue
		}
		strs := tree.Strings(m.File)
		for _, e := range m.Events {
			found := strs[e]
			if p, ok := strings.CutSuffix(e, "*"); ok {
				// The prefix may be written without its final ':'.
				p = strings.TrimSuffix(p, ":")
				for s := range strs {
					found = found || strings.HasPrefix(s, p)
				}
			}
			if !found {
				t.Errorf("%s: event %s of %s is no string of its sources", c.Tag(), e, m.Name)
			}
		}
	}
}

// checkInnerNames compares overrides.txt's named and unnamed facts with
// the name parsers of the release's pv_export_t tables: every module
// class has one of the two facts, and the right one.
func checkInnerNames(t *testing.T, c *Catalog, mods []facts.Module) {
	for _, fm := range mods {
		m := c.ModuleByFile(fm.File)
		if m == nil {
			m = c.Module(fm.Name)
		}
		if m == nil {
			continue
		}
		for _, p := range fm.PVs {
			want := InnerNone
			if p.Named {
				want = InnerNeeded
			}
			for _, cl := range m.PVs {
				if cl.Name == p.Name && cl.Inner != want {
					t.Errorf("%s: $%s of %s: overrides.txt says %v, the name parser says %v", c.Tag(), p.Name, m.Name, cl.Inner, want)
				}
			}
		}
	}
}

// newestTag returns the highest X.Y.Z tag of a release series.
func newestTag(t *testing.T, repo, series string) string {
	out, err := exec.Command("git", "-C", repo, "tag", "-l", series+".*").Output()
	if err != nil {
		t.Fatal(err)
	}
	best, bestN := "", -1
	for _, tag := range strings.Fields(string(out)) {
		n, err := strconv.Atoi(strings.TrimPrefix(tag, series+"."))
		if err == nil && n > bestN {
			best, bestN = tag, n
		}
	}
	return best
}

// TestBinariesMatchListing reads the installed Debian module binaries
// again and compares them with testdata/debian-5.6.3.txt.
func TestBinariesMatchListing(t *testing.T) {
	if _, err := os.Stat(elfmod.ModuleDir); err != nil {
		t.Fatalf("Kamailio's Debian modules are not installed: %v", err)
	}
	mods, skipped, err := elfmod.ReadDir(elfmod.ModuleDir, elfmod.DocDir, elfmod.DpkgDir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(skipped)
	if !reflect.DeepEqual(skipped, []string{"secsipid_proc.so"}) {
		t.Errorf("libraries without module_exports: %v", skipped)
	}
	if d := lineDiff(facts.Lines(debianListing(t)), facts.Lines(mods)); d != "" {
		t.Errorf("testdata/debian-5.6.3.txt is stale (go run ./gen/elf); - committed, + binaries:\n%s", d)
	}
}
