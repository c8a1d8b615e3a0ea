package catalog

import (
	"strings"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
	"github.com/kamgo/kamgo/lang/routetype"
)

// module returns module i as the release defines it, decoding it the
// first time.
func (r *release) module(i int) *Module {
	r.modOnce[i].Do(func() { r.mods[i], r.modProblems[i] = r.build(i) })
	return r.mods[i]
}

// build decodes module i and applies the data files' facts to it.
func (r *release) build(i int) (*Module, []string) {
	fm := r.packed.Module(i)
	m := &Module{Name: fm.Name, File: fm.File, Package: fm.Package, Deps: fm.Deps}
	m.Funcs = make([]*Func, 0, len(fm.Funcs))
	for _, f := range fm.Funcs {
		args := f.Args
		if args == facts.VarArgs {
			args = -1
		}
		// ANY_ROUTE sets all 32 bits; keep those of the route types.
		form := Form{Args: args, Routes: routetype.Mask(f.Routes) & routetype.Any}
		var fn *Func
		for _, e := range m.Funcs {
			if e.Name == f.Name {
				fn = e
			}
		}
		if fn == nil {
			fn = &Func{Name: f.Name, Module: m.Name}
			m.Funcs = append(m.Funcs, fn)
		}
		fn.Forms = append(fn.Forms, form)
	}
	for _, f := range m.Funcs {
		f.API = isAPI(f)
	}
	for _, p := range fm.Params {
		var t ParamType
		if p.Type&facts.Int != 0 {
			t |= Int
		}
		if p.Type&(facts.String|facts.Str) != 0 {
			t |= Str
		}
		repeat := p.Type&facts.UseFunc != 0
		if e := m.Param(p.Name); e != nil {
			e.Type |= t // exported once per value type
			e.Repeat = e.Repeat || repeat
			continue
		}
		m.Params = append(m.Params, &Param{Name: p.Name, Type: t, Repeat: repeat})
	}
	for _, p := range fm.PVs {
		m.PVs = append(m.PVs, &PVClass{Name: p.Name, Module: m.Name, Writable: p.Writable})
	}
	for _, t := range fm.Trans {
		m.Trans = append(m.Trans, &TransClass{Name: t, Module: m.Name})
	}
	var problems []string
	bad := func(f fact, msg string) { problems = append(problems, f.where()+": "+msg) }
	for _, f := range r.modFacts[i] {
		switch f.fields[0] {
		case "event":
			m.Events = append(m.Events, f.fields[1])
		case "dep":
			m.Deps = append(m.Deps[:len(m.Deps):len(m.Deps)], f.fields[1:]...)
		case "pvnames":
			pv := m.pvClass(f.fields[1])
			if pv == nil {
				bad(f, "module "+m.Name+" has no pv class "+f.fields[1])
				continue
			}
			pv.Names = append(pv.Names, f.fields[2:]...)
		case "named", "unnamed":
			inner := InnerNeeded
			if f.fields[0] == "unnamed" {
				inner = InnerNone
			}
			for _, name := range f.fields[1:] {
				if pv := m.pvClass(name); pv != nil {
					pv.Inner = inner
				} else {
					bad(f, "module "+m.Name+" has no pv class "+name)
				}
			}
		case "trans":
			tc := m.trans(f.fields[1])
			if tc == nil {
				bad(f, "module "+m.Name+" has no transformation class "+f.fields[1])
				continue
			}
			tc.Ops = append(tc.Ops, f.fields[2:]...)
		}
	}
	for _, f := range r.fixupFacts[i] {
		if msg := applyFixup(m, f.fields); msg != "" {
			bad(f, msg)
		}
	}
	return m, problems
}

// isAPI reports whether an export is for other modules rather than the
// script: no route type allows it (db_ctx, load_bm ...), or it is one of
// the bind_* functions modules look up to get another module's API, some
// of which are exported with ANY_ROUTE although calling one from a script
// makes no sense (bind_json, bind_htable ...).
func isAPI(f *Func) bool {
	if strings.HasPrefix(f.Name, "bind_") {
		return true
	}
	for _, fo := range f.Forms {
		if fo.Routes != 0 {
			return false
		}
	}
	return true
}
