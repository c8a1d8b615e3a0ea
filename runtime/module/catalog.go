package module

import (
	"github.com/kamgo/kamgo/lang/catalog"
)

// Impl returns what a module with these exports implements, in the shape
// the catalog join reads.
func Impl(name string, ex Exports) catalog.Impl {
	im := catalog.Impl{Module: name, Events: ex.Events,
		Funcs:  sized[catalog.ImplFunc](len(ex.Funcs)),
		Params: sized[catalog.ImplParam](len(ex.Params)),
		PVs:    sized[catalog.ImplPV](len(ex.Classes)),
		Trans:  sized[catalog.ImplTrans](len(ex.Trans)),
	}
	for _, f := range ex.Funcs {
		im.Funcs = append(im.Funcs, catalog.ImplFunc{Name: f.Name, Min: f.MinArgs, Max: f.MaxArgs, Arities: f.Arities, Ext: f.Ext, Routes: f.Routes})
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

// sized returns a slice with room for n elements, nil for none (as
// appending to nil leaves it): every process that checks a config joins
// every module, so the slices are allocated once at their size.
func sized[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, 0, n)
}

// Catalog returns Kamailio's facts joined with every module of Default:
// the one answer to "what does module M export, in which release, and does
// kamgo run it" that check, run, `kamgo modules` and lint ask. It is the
// reference the differential tests were recorded against: Kamailio 5.6.3
// as Debian 12 ships it (catalog.Load); CatalogFor joins another release.
func Catalog() *catalog.Catalog { return Default.Catalog() }

// CatalogFor returns Default.CatalogFor(release).
func CatalogFor(release string) (*catalog.Catalog, error) { return Default.CatalogFor(release) }

// CatalogProblems returns Default.CatalogProblems().
func CatalogProblems() []string { return Default.CatalogProblems() }

// Catalog returns Kamailio's facts (catalog.Load) joined with the
// registry's modules. It is rebuilt when modules were registered since the
// last call.
func (r *Registry) Catalog() *catalog.Catalog {
	c, _ := r.join()
	return c
}

// CatalogFor returns the facts of a Kamailio release (catalog.Releases
// names them; every module of the release, Debian's or not) joined with
// the registry's modules.
func (r *Registry) CatalogFor(release string) (*catalog.Catalog, error) {
	base, err := catalog.LoadRelease(release)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	gen := r.gen
	r.mu.RUnlock()
	r.joinMu.Lock()
	defer r.joinMu.Unlock()
	if j, ok := r.releases[release]; ok && j.gen == gen {
		return j.cat, nil
	}
	cat, _ := base.Join(r.impls())
	if r.releases == nil {
		r.releases = map[string]joinedRelease{}
	}
	r.releases[release] = joinedRelease{cat: cat, gen: gen}
	return cat, nil
}

// joinedRelease is a release's catalog joined for one registry generation.
type joinedRelease struct {
	cat *catalog.Catalog
	gen int
}

// impls returns what each registered module implements.
func (r *Registry) impls() []catalog.Impl {
	names := r.Registered()
	impls := make([]catalog.Impl, 0, len(names))
	for _, name := range names {
		info, _ := r.Lookup(name)
		var ex Exports
		if e, ok := info.New().(Exporter); ok {
			ex = e.Exports()
		}
		impls = append(impls, Impl(name, ex))
	}
	return impls
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
	r.cat, r.problems = catalog.Load().Join(r.impls())
	r.joinGen = gen
	return r.cat, r.problems
}
