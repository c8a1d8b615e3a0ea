package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
)

// Impl is what kamgo implements of one module, as its registration
// declares it. Names without Ext must be facts of the catalog; names with
// Ext are a newer Kamailio release's ("Kamailio 5.7") or kamgo's own
// ("kamgo"): facts of the catalogs of that release and later ones, and
// additions that Join adds to older ones.
type Impl struct {
	Module string
	Funcs  []ImplFunc
	Params []ImplParam
	PVs    []ImplPV
	Trans  []ImplTrans
	Events []string
}

// ImplFunc is an implemented function: the argument counts Min..Max (Max
// -1: any), or those Arities lists when set. Routes is only read for an
// Ext function; the others take the catalog's.
type ImplFunc struct {
	Name     string
	Min, Max int
	Arities  []int
	Ext      string
	Routes   routetype.Mask
}

// ImplParam is an implemented module parameter.
type ImplParam struct {
	Name string
	Type ParamType
	Ext  string
}

// ImplPV is an implemented pseudo-variable class. Writable and Names are
// only read for an Ext class.
type ImplPV struct {
	Name     string
	Writable bool
	Names    []string
	Ext      string
}

// ImplTrans is an implemented transformation class.
type ImplTrans struct {
	Name string
	Ops  []string
	Ext  string
}

func (f ImplFunc) takes(n int) bool {
	if f.Arities != nil {
		return slices.Contains(f.Arities, n)
	}
	if n < 0 {
		return f.Max < 0
	}
	return n >= f.Min && (f.Max < 0 || n <= f.Max)
}

// counts lists the argument counts f takes, nil for any number.
func (f ImplFunc) counts() []int {
	if f.Arities != nil {
		return f.Arities
	}
	if f.Max < 0 {
		return nil
	}
	var out []int
	for n := f.Min; n <= f.Max; n++ {
		out = append(out, n)
	}
	return out
}

// Join returns a catalog in which what impls implement is marked Runs and
// their Ext additions are present. The receiver is not modified. An Ext
// naming a Kamailio release this catalog's release has reached ("Kamailio
// 5.7" in the 5.7 catalog and later ones) marks an ordinary fact of the
// catalog; other Ext facts are additions. The returned problems name every
// disagreement between an Impl and the facts: a name the catalog does not
// know that is not an addition, an addition the catalog already has, an
// argument count Kamailio does not export, a module the catalog does not
// know.
func (c *Catalog) Join(impls []Impl) (*Catalog, []string) {
	j := &Catalog{
		rel: c.rel, debian: c.debian,
		joined:   make(map[int]*Module, len(c.joined)+len(impls)),
		extFuncs: make(map[string][]*Func, len(c.extFuncs)),
		extPVs:   make(map[string][]*PVClass, len(c.extPVs)),
		extTrans: make(map[string]*TransClass, len(c.extTrans)),
		corePVs:  append([]*PVClass(nil), c.CorePVs()...),
	}
	for k, v := range c.joined {
		j.joined[k] = v
	}
	for k, v := range c.extFuncs {
		j.extFuncs[k] = v
	}
	for k, v := range c.extPVs {
		j.extPVs[k] = v
	}
	for k, v := range c.extTrans {
		j.extTrans[k] = v
	}
	var problems []string
	bad := func(mod, format string, args ...any) {
		problems = append(problems, mod+": "+fmt.Sprintf(format, args...))
	}
	for _, im := range impls {
		i, ok := c.moduleNum(im.Module)
		if !ok {
			bad(im.Module, "not a module of Kamailio %s", c.Tag())
			continue
		}
		m := j.module(i).clone()
		m.Runs = true
		j.dropExt(m.Name)
		j.joined[i] = m
		j.joinFuncs(m, im.Funcs, bad)
		j.joinParams(m, im.Params, bad)
		j.joinPVs(m, im.PVs, bad)
		j.joinTrans(m, im.Trans, bad)
		j.indexExt(m)
		for _, e := range im.Events {
			if owner, ok := j.EventOwner(e); !ok || owner != m.Name {
				bad(m.Name, "event_route[%s] is not an event of the module", e)
			}
		}
	}
	sort.Strings(problems)
	return j, problems
}

// ordinary reports whether a fact with this Ext belongs to the catalog's
// release: no Ext, or a Kamailio release it has reached ("Kamailio 5.7").
func (c *Catalog) ordinary(ext string) bool {
	if ext == "" {
		return true
	}
	name, ok := strings.CutPrefix(ext, "Kamailio ")
	if !ok {
		return false
	}
	r, ok := releaseIndex(name)
	return ok && r <= c.rel.num
}

// dropExt forgets the additions indexed for a module about to be joined
// again.
func (c *Catalog) dropExt(mod string) {
	for k, fs := range c.extFuncs {
		var keep []*Func
		for _, f := range fs {
			if f.Module != mod {
				keep = append(keep, f)
			}
		}
		c.extFuncs[k] = keep
	}
	for k, ps := range c.extPVs {
		var keep []*PVClass
		for _, p := range ps {
			if p.Module != mod {
				keep = append(keep, p)
			}
		}
		c.extPVs[k] = keep
	}
	for k, t := range c.extTrans {
		if t.Module == mod {
			delete(c.extTrans, k)
		}
	}
}

// indexExt makes a joined module's additions found by name.
func (c *Catalog) indexExt(m *Module) {
	for _, f := range m.Funcs {
		if f.Ext != "" {
			c.extFuncs[f.Name] = append(c.extFuncs[f.Name], f)
		}
	}
	for _, p := range m.PVs {
		if p.Ext != "" {
			c.extPVs[p.Name] = append(c.extPVs[p.Name], p)
		}
	}
	for _, t := range m.Trans {
		if t.Ext != "" {
			c.extTrans[t.Name] = t
		}
	}
}

// clone copies a module deeply enough that Join may mark it.
func (m *Module) clone() *Module {
	n := *m
	n.Funcs = make([]*Func, len(m.Funcs))
	for i, f := range m.Funcs {
		g := *f
		g.Forms = append([]Form(nil), f.Forms...)
		n.Funcs[i] = &g
	}
	n.Params = make([]*Param, len(m.Params))
	for i, p := range m.Params {
		q := *p
		n.Params[i] = &q
	}
	n.PVs = make([]*PVClass, len(m.PVs))
	for i, p := range m.PVs {
		q := *p
		n.PVs[i] = &q
	}
	n.Trans = make([]*TransClass, len(m.Trans))
	for i, t := range m.Trans {
		u := *t
		n.Trans[i] = &u
	}
	return &n
}

// missing words the problem of an implemented fact the catalog lacks.
func (c *Catalog) missing(what, name, ext string) string {
	if ext == "" {
		return fmt.Sprintf("%s %s is not exported by Kamailio %s", what, name, c.Tag())
	}
	return fmt.Sprintf("%s %s is marked %q but Kamailio %s does not export it", what, name, ext, c.Tag())
}

// present words the problem of an addition the catalog already has.
func (c *Catalog) present(what, name, ext string) string {
	return fmt.Sprintf("%s %s is marked %q but Kamailio %s exports it", what, name, ext, c.Tag())
}

func (c *Catalog) joinFuncs(m *Module, fs []ImplFunc, bad func(string, string, ...any)) {
	for _, im := range fs {
		f := m.fn(im.Name)
		if f == nil {
			if c.ordinary(im.Ext) {
				bad(m.Name, "%s", c.missing("function", im.Name, im.Ext))
				continue
			}
			if im.Routes == 0 {
				bad(m.Name, "function %s (%s) declares no route types", im.Name, im.Ext)
			}
			f = &Func{Name: im.Name, Module: m.Name, Ext: im.Ext}
			counts := im.counts()
			if counts == nil {
				f.Forms = append(f.Forms, Form{Args: -1, Routes: im.Routes, Runs: true})
			}
			for _, n := range counts {
				f.Forms = append(f.Forms, Form{Args: n, Routes: im.Routes, Runs: true})
			}
			m.Funcs = append(m.Funcs, f)
			continue
		}
		if !c.ordinary(im.Ext) && f.Ext == "" {
			bad(m.Name, "%s", c.present("function", im.Name, im.Ext))
		}
		for i := range f.Forms {
			if im.takes(f.Forms[i].Args) {
				f.Forms[i].Runs = true
			}
		}
		for _, n := range im.counts() {
			if _, ok := f.Accepts(n); !ok && !c.laterForm(m.Name, im.Name, n) {
				bad(m.Name, "function %s takes %d arguments in kamgo but Kamailio exports no such form", im.Name, n)
			}
		}
	}
}

// laterForm reports whether a release after the catalog's exports module
// function name with n arguments: kamgo runs such a form (cfgutils' lock
// with two keys, from 6.0), and this release's check refuses it as an
// argument count the function does not take.
func (c *Catalog) laterForm(module, name string, n int) bool {
	for i := c.rel.num + 1; i < len(releaseTable); i++ {
		later, err := LoadRelease(releaseTable[i].name)
		if err != nil {
			continue
		}
		if m := later.Module(module); m != nil {
			if f := m.fn(name); f != nil {
				if _, ok := f.Accepts(n); ok {
					return true
				}
			}
		}
	}
	return false
}

func (c *Catalog) joinParams(m *Module, ps []ImplParam, bad func(string, string, ...any)) {
	for _, im := range ps {
		p := m.Param(im.Name)
		if p == nil {
			if c.ordinary(im.Ext) {
				bad(m.Name, "%s", c.missing("parameter", im.Name, im.Ext))
				continue
			}
			m.Params = append(m.Params, &Param{Name: im.Name, Type: im.Type, Runs: true, Ext: im.Ext})
			continue
		}
		if !c.ordinary(im.Ext) && p.Ext == "" {
			bad(m.Name, "%s", c.present("parameter", im.Name, im.Ext))
		}
		if p.Type&im.Type != p.Type {
			bad(m.Name, "parameter %s takes %s in Kamailio but %s in kamgo", im.Name, p.Type, im.Type)
		}
		p.Runs = true
	}
}

func (c *Catalog) joinPVs(m *Module, ps []ImplPV, bad func(string, string, ...any)) {
	for _, im := range ps {
		if p := m.pvClass(im.Name); p != nil {
			if !c.ordinary(im.Ext) && p.Ext == "" {
				bad(m.Name, "%s", c.present("pseudo-variable", "$"+im.Name, im.Ext))
			}
			p.Runs = true
			continue
		}
		// Modules may implement classes Kamailio's core registers.
		core := false
		for i, e := range c.corePVs {
			if e.Name == im.Name {
				q := *e
				q.Runs = true
				c.corePVs[i] = &q
				core = true
			}
		}
		if core {
			continue
		}
		if c.ordinary(im.Ext) {
			bad(m.Name, "%s", c.missing("pseudo-variable", "$"+im.Name, im.Ext))
			continue
		}
		m.PVs = append(m.PVs, &PVClass{Name: im.Name, Module: m.Name, Writable: im.Writable, Names: im.Names, Runs: true, Ext: im.Ext})
	}
}

func (c *Catalog) joinTrans(m *Module, ts []ImplTrans, bad func(string, string, ...any)) {
	for _, im := range ts {
		t := m.trans(im.Name)
		switch {
		case t == nil && c.ordinary(im.Ext):
			bad(m.Name, "%s", c.missing("transformation class", im.Name, im.Ext))
			continue
		case t == nil:
			t = &TransClass{Name: im.Name, Module: m.Name, Ops: im.Ops, Ext: im.Ext}
			m.Trans = append(m.Trans, t)
		case !c.ordinary(im.Ext) && t.Ext == "":
			bad(m.Name, "%s", c.present("transformation class", im.Name, im.Ext))
		}
		t.Runs = true
		if im.Ops == nil {
			continue
		}
		for _, op := range t.Ops {
			found := false
			for _, o := range im.Ops {
				found = found || o == op
			}
			if !found {
				bad(m.Name, "transformation {%s.%s} is not implemented", t.Name, op)
			}
		}
	}
}

// String writes the parameter type as Kamailio's documentation does.
func (t ParamType) String() string {
	switch t {
	case Int:
		return "int"
	case Str:
		return "str"
	case Int | Str:
		return "int|str"
	}
	return "none"
}
