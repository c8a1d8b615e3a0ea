package catalog

import (
	"fmt"
	"sort"

	"github.com/kamgo/kamgo/lang/routetype"
)

// Impl is what kamgo implements of one module, as its registration
// declares it. Names without Ext must be facts of the catalog; names with
// Ext are additions (a newer Kamailio's, or kamgo's own) that Join adds.
type Impl struct {
	Module string
	Funcs  []ImplFunc
	Params []ImplParam
	PVs    []ImplPV
	Trans  []ImplTrans
	Events []string
}

// ImplFunc is an implemented function: the argument counts Min..Max (Max
// -1: any). Routes is only read for an Ext function; the others take the
// catalog's.
type ImplFunc struct {
	Name     string
	Min, Max int
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
	if n < 0 {
		return f.Max < 0
	}
	return n >= f.Min && (f.Max < 0 || n <= f.Max)
}

// Join returns a catalog in which what impls implement is marked Runs and
// their Ext additions are present. The receiver is not modified. The
// returned problems name every disagreement between an Impl and the facts:
// a name the catalog does not know and that has no Ext, an argument count
// Kamailio does not export, a module the catalog does not know.
func (c *Catalog) Join(impls []Impl) (*Catalog, []string) {
	j := *c
	j.byName = make(map[string]*Module, len(c.byName))
	for k, v := range c.byName {
		j.byName[k] = v
	}
	j.funcs = make(map[string][]*Func, len(c.funcs))
	for k, v := range c.funcs {
		j.funcs[k] = v
	}
	j.pvs = make(map[string]*PVClass, len(c.pvs))
	for k, v := range c.pvs {
		j.pvs[k] = v
	}
	j.trans = make(map[string]*TransClass, len(c.trans))
	for k, v := range c.trans {
		j.trans[k] = v
	}
	j.mods = append([]*Module(nil), c.mods...)
	j.corePVs = append([]*PVClass(nil), c.corePVs...)
	var problems []string
	bad := func(mod, format string, args ...any) {
		problems = append(problems, mod+": "+fmt.Sprintf(format, args...))
	}
	for _, im := range impls {
		old := c.byName[im.Module]
		if old == nil {
			bad(im.Module, "not a module of the catalog")
			continue
		}
		m := old.clone()
		m.Runs = true
		for i, o := range j.mods {
			if o == old {
				j.mods[i] = m
			}
		}
		j.byName[m.Name] = m
		for _, f := range m.Funcs {
			j.replaceFunc(f)
		}
		for _, p := range m.PVs {
			if j.pvs[p.Name] != nil && j.pvs[p.Name].Module == m.Name {
				j.pvs[p.Name] = p
			}
		}
		for _, t := range m.Trans {
			j.trans[t.Name] = t
		}
		j.joinFuncs(m, im.Funcs, bad)
		j.joinParams(m, im.Params, bad)
		j.joinPVs(m, im.PVs, bad)
		j.joinTrans(m, im.Trans, bad)
		for _, e := range im.Events {
			if owner, ok := j.EventOwner(e); !ok || owner != m.Name {
				bad(m.Name, "event_route[%s] is not an event of the module", e)
			}
		}
	}
	sort.Strings(problems)
	return &j, problems
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

// replaceFunc points the function index at f instead of the original of
// the same module.
func (c *Catalog) replaceFunc(f *Func) {
	list := append([]*Func(nil), c.funcs[f.Name]...)
	for i, o := range list {
		if o.Module == f.Module {
			list[i] = f
		}
	}
	c.funcs[f.Name] = list
}

func (c *Catalog) joinFuncs(m *Module, fs []ImplFunc, bad func(string, string, ...any)) {
	for _, im := range fs {
		var f *Func
		for _, e := range m.Funcs {
			if e.Name == im.Name {
				f = e
			}
		}
		if f == nil {
			if im.Ext == "" {
				bad(m.Name, "function %s is not exported by Kamailio 5.6", im.Name)
				continue
			}
			if im.Routes == 0 {
				bad(m.Name, "function %s (%s) declares no route types", im.Name, im.Ext)
			}
			f = &Func{Name: im.Name, Module: m.Name, Ext: im.Ext}
			for n := im.Min; im.Max < 0 || n <= im.Max; n++ {
				if im.Max < 0 {
					f.Forms = append(f.Forms, Form{Args: -1, Routes: im.Routes, Runs: true})
					break
				}
				f.Forms = append(f.Forms, Form{Args: n, Routes: im.Routes, Runs: true})
			}
			m.Funcs = append(m.Funcs, f)
			c.funcs[f.Name] = append(append([]*Func(nil), c.funcs[f.Name]...), f)
			continue
		}
		for i := range f.Forms {
			if im.takes(f.Forms[i].Args) {
				f.Forms[i].Runs = true
			}
		}
		for n := im.Min; im.Max >= 0 && n <= im.Max; n++ {
			if _, ok := f.Accepts(n); !ok {
				bad(m.Name, "function %s takes %d arguments in kamgo but Kamailio exports no such form", im.Name, n)
			}
		}
	}
}

func (c *Catalog) joinParams(m *Module, ps []ImplParam, bad func(string, string, ...any)) {
	for _, im := range ps {
		p := m.Param(im.Name)
		if p == nil {
			if im.Ext == "" {
				bad(m.Name, "parameter %s is not exported by Kamailio 5.6", im.Name)
				continue
			}
			m.Params = append(m.Params, &Param{Name: im.Name, Type: im.Type, Runs: true, Ext: im.Ext})
			continue
		}
		if im.Ext != "" {
			bad(m.Name, "parameter %s is marked %q but Kamailio 5.6 exports it", im.Name, im.Ext)
		}
		if p.Type&im.Type != p.Type {
			bad(m.Name, "parameter %s takes %s in Kamailio but %s in kamgo", im.Name, p.Type, im.Type)
		}
		p.Runs = true
	}
}

func (c *Catalog) joinPVs(m *Module, ps []ImplPV, bad func(string, string, ...any)) {
	for _, im := range ps {
		var p *PVClass
		for _, e := range m.PVs {
			if e.Name == im.Name {
				p = e
			}
		}
		if p == nil {
			// Modules may implement classes Kamailio's core registers.
			for i, e := range c.corePVs {
				if e.Name == im.Name {
					q := *e
					q.Runs = true
					c.corePVs[i] = &q
					p = &q
				}
			}
			if p != nil {
				continue
			}
			if im.Ext == "" {
				bad(m.Name, "pseudo-variable $%s is not exported by Kamailio 5.6", im.Name)
				continue
			}
			p = &PVClass{Name: im.Name, Module: m.Name, Writable: im.Writable, Names: im.Names, Runs: true, Ext: im.Ext}
			m.PVs = append(m.PVs, p)
			if c.pvs[p.Name] == nil {
				c.pvs[p.Name] = p
			}
			continue
		}
		p.Runs = true
	}
}

func (c *Catalog) joinTrans(m *Module, ts []ImplTrans, bad func(string, string, ...any)) {
	for _, im := range ts {
		var t *TransClass
		for _, e := range m.Trans {
			if e.Name == im.Name {
				t = e
			}
		}
		if t == nil {
			if im.Ext == "" {
				bad(m.Name, "transformation class %s is not exported by Kamailio 5.6", im.Name)
				continue
			}
			t = &TransClass{Name: im.Name, Module: m.Name, Ops: im.Ops, Ext: im.Ext}
			m.Trans = append(m.Trans, t)
			c.trans[t.Name] = t
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
