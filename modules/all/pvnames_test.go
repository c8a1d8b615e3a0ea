package all_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/runtime/module"
)

// refusedPVNames are inner names a release's catalog lists for a class
// kamgo runs that kamgo's module refuses on purpose, keyed "module
// $class(name)", with the reason.
var refusedPVNames = map[string]string{}

// TestPVNamesCompile compiles, for every release kamgo knows, $class(name)
// for each inner name the catalog lists for a pseudo-variable class that
// kamgo runs: `kamgo modules` says such a class runs, so each of its
// names must be accepted (kamgo's runtime takes the names of every
// release; lang/check refuses those of a later release than the config's).
func TestPVNamesCompile(t *testing.T) {
	hosts := map[string]*pvtest.Host{}
	for _, name := range module.Registered() {
		info, _ := module.Lookup(name)
		h, err := pvtest.NewHost(info.New())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		hosts[name] = h
	}
	for _, r := range catalog.Releases() {
		cat, err := module.CatalogFor(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range module.Registered() {
			m := cat.Module(name)
			if m == nil {
				continue
			}
			for _, c := range m.PVs {
				if !c.Runs || c.Names == nil {
					continue
				}
				for _, n := range c.Names {
					ref := "$" + c.Name + "(" + n + ")"
					if _, ok := refusedPVNames[name+" "+ref]; ok {
						continue
					}
					if _, err := hosts[name].Ref(ref); err != nil {
						t.Errorf("Kamailio %s, module %s: %s: %v", r, name, ref, err)
					}
				}
			}
		}
	}
}

// TestRefusedPVNamesAreListed keeps refusedPVNames short: each entry must
// still be refused, and still be in the newest catalog.
func TestRefusedPVNamesAreListed(t *testing.T) {
	cat, err := module.CatalogFor(catalog.NewestRelease())
	if err != nil {
		t.Fatal(err)
	}
	for key := range refusedPVNames {
		mod, ref, _ := strings.Cut(key, " ")
		class, name, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(ref, "$"), ")"), "(")
		info, ok := module.Lookup(mod)
		if !ok || cat.Module(mod) == nil {
			t.Errorf("%s: no module %s", key, mod)
			continue
		}
		listed := false
		for _, c := range cat.Module(mod).PVs {
			listed = listed || c.Name == class && slices.Contains(c.Names, name)
		}
		if !listed {
			t.Errorf("%s: the Kamailio %s catalog no longer lists it", key, catalog.NewestRelease())
		}
		h, err := pvtest.NewHost(info.New())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Ref(ref); err == nil {
			t.Errorf("%s is accepted now: remove it from refusedPVNames", key)
		}
	}
}
