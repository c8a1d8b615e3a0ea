package module

import (
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

// Catalog returns Kamailio's facts joined with every module of Default:
// the one answer to "what does module M export, in which release, and does
// kamgo run it" that check, run, `kamgo modules` and lint ask.
func Catalog() *catalog.Catalog { return Default.Catalog() }

// CatalogProblems returns Default.CatalogProblems().
func CatalogProblems() []string { return Default.CatalogProblems() }

// Catalog returns Kamailio's facts joined with the registry's modules. It
// is rebuilt when modules were registered since the last call.
func (r *Registry) Catalog() *catalog.Catalog {
	c, _ := r.join()
	return c
}

// CatalogProblems lists where a registered module's exports disagree with
// the catalog (a name it does not know without Ext, an argument count
// Kamailio does not export). It is empty for the modules kamgo ships: a
// test asserts it.
func (r *Registry) CatalogProblems() []string {
	_, p := r.join()
	return p
}

func (r *Registry) join() (*catalog.Catalog, []string) {
	r.mu.RLock()
	gen := r.gen
	r.mu.RUnlock()
	r.joinMu.Lock()
	defer r.joinMu.Unlock()
	if r.cat != nil && r.joinGen == gen {
		return r.cat, r.problems
	}
	var impls []catalog.Impl
	for _, name := range r.Registered() {
		info, _ := r.Lookup(name)
		var ex Exports
		if e, ok := info.New().(Exporter); ok {
			ex = e.Exports()
		}
		impls = append(impls, Impl(name, ex))
	}
	r.cat, r.problems = catalog.Load().Join(impls)
	r.joinGen = gen
	return r.cat, r.problems
}
