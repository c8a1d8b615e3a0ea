package module

import (
	"sync"

	"github.com/kamgo/kamgo/lang/catalog"
)

// Impl returns what a module with these exports implements, in the shape
// the catalog join reads.
func Impl(name string, ex Exports) catalog.Impl {
	im := catalog.Impl{Module: name, Events: ex.Events}
	for _, f := range ex.Funcs {
		im.Funcs = append(im.Funcs, catalog.ImplFunc{Name: f.Name, Min: f.MinArgs, Max: f.MaxArgs, Ext: f.Ext, Routes: f.Routes})
	}
	for _, p := range ex.Params {
		var t catalog.ParamType
		if p.Type&ParamInt != 0 {
			t |= catalog.Int
		}
		if p.Type&ParamStr != 0 {
			t |= catalog.Str
		}
		im.Params = append(im.Params, catalog.ImplParam{Name: p.Name, Type: t, Ext: p.Ext})
	}
	for _, c := range ex.Classes {
		im.PVs = append(im.PVs, catalog.ImplPV{Name: c.Name, Writable: c.Writable, Names: c.Names, Ext: c.Ext})
	}
	for _, t := range ex.Trans {
		im.Trans = append(im.Trans, catalog.ImplTrans{Name: t.Name, Ops: t.Ops, Ext: t.Ext})
	}
	return im
}

var joined struct {
	sync.Mutex
	gen      int // registry generation it was built for
	cat      *catalog.Catalog
	problems []string
}

// Catalog returns Kamailio's facts joined with every registered module:
// the one answer to "what does module M export, in which release, and does
// kamgo run it" that check, run, `kamgo modules` and lint ask. It is
// rebuilt when the registry changed since the last call.
func Catalog() *catalog.Catalog {
	c, _ := join()
	return c
}

// CatalogProblems lists where a registered module's exports disagree with
// the catalog (a name it does not know without Ext, an argument count
// Kamailio does not export). It is empty for the modules kamgo ships: a
// test asserts it.
func CatalogProblems() []string {
	_, p := join()
	return p
}

func join() (*catalog.Catalog, []string) {
	regMu.RLock()
	gen := regGen
	regMu.RUnlock()
	joined.Lock()
	defer joined.Unlock()
	if joined.cat != nil && joined.gen == gen {
		return joined.cat, joined.problems
	}
	var impls []catalog.Impl
	for _, name := range Registered() {
		info, _ := Lookup(name)
		var ex Exports
		if e, ok := info.New().(Exporter); ok {
			ex = e.Exports()
		}
		impls = append(impls, Impl(name, ex))
	}
	joined.cat, joined.problems = catalog.Load().Join(impls)
	joined.gen = gen
	return joined.cat, joined.problems
}
