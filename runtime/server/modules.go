package server

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// loaded is one loadmodule of the configuration: a kamgo module instance,
// or a module kamgo does not implement (inst nil).
type loaded struct {
	name    string
	inst    module.Module
	exports module.Exports
	facts   *catalog.Module // nil for a module the catalog does not know
	allowed bool            // named by --allow-missing
}

// resolution is what resolve learnt about the loaded modules.
type resolution struct {
	cat *catalog.Catalog
}

// resolve maps each loadmodule to a registered module and records, from
// the joined catalog, what kamgo does not run of each: those functions go
// to s.missing, and a module kamgo does not implement at all is an error
// naming where its functions are used, unless --allow-missing names it.
func (s *Server) resolve(cfg *ast.Config, sc *scanned, diags *diag.List) *resolution {
	reg := s.opts.Registry
	cat := s.opts.Catalog
	if cat == nil {
		cat = reg.Catalog()
	}
	r := &resolution{cat: cat}
	allow := map[string]bool{}
	for _, m := range s.opts.AllowMissing {
		allow[m] = true
	}
	var unimplemented []*ast.LoadModule
	for _, lm := range sc.loads {
		name := lm.Module()
		if _, dup := s.byName[name]; dup {
			continue
		}
		l := &loaded{name: name, facts: catalogModule(r.cat, name), allowed: allow[name]}
		if info, ok := reg.Lookup(name); ok {
			l.inst = info.New()
			if ex, ok := l.inst.(module.Exporter); ok {
				l.exports = ex.Exports()
			}
		} else if !l.allowed {
			unimplemented = append(unimplemented, lm)
		}
		s.byName[name] = l
		s.mods = append(s.mods, l)
	}
	for _, l := range s.mods {
		for i := range l.exports.Funcs {
			f := &l.exports.Funcs[i]
			if _, dup := s.funcs[f.Name]; !dup {
				s.funcs[f.Name] = f
			}
		}
	}
	for _, l := range s.mods {
		if l.facts == nil {
			continue
		}
		for _, f := range l.facts.Funcs {
			if _, impl := s.funcs[f.Name]; !impl && !f.API {
				if _, seen := s.missing[f.Name]; !seen {
					// A module kamgo lacks entirely is reported once, with
					// its uses, by KC2101 below: its calls need no error each.
					s.missing[f.Name] = interp.Missing{Module: l.name, Allowed: l.allowed || l.inst == nil}
				}
			}
		}
	}
	for _, lm := range unimplemented {
		name := lm.Module()
		d := diags.Errorf(CodeUnknownModule, lm.PathRange, "module %s is not implemented by kamgo", name)
		d.Detail = "kamgo implements: " + strings.Join(reg.Registered(), ", ") + "; --allow-missing " + name + " runs the config with its functions as no-ops"
		for _, u := range usesOf(cfg, name, s.missing, s.byName[name].facts) {
			d.Related = append(d.Related, diag.Related{Message: u.what, Range: u.at})
		}
	}
	return r
}

// catalogModule finds a module in the catalog by the name loadmodule uses.
func catalogModule(cat *catalog.Catalog, name string) *catalog.Module {
	if m := cat.ModuleByFile(name); m != nil {
		return m
	}
	return cat.Module(name)
}

// use is where a config uses a module kamgo does not implement.
type use struct {
	what string
	at   diag.Range
}

// usesOf returns the calls in cfg of functions that belong to module mod
// and the pseudo-variables of its classes, also inside string literals
// (format strings).
func usesOf(cfg *ast.Config, mod string, missing map[string]interp.Missing, facts *catalog.Module) []use {
	classes := map[string]bool{}
	if facts != nil {
		for _, p := range facts.PVs {
			classes[p.Name] = true
		}
	}
	var out []use
	pvar := func(p *ast.PVar) {
		if classes[p.Class] {
			out = append(out, use{"$" + p.Class + " used here", p.Rng})
		}
	}
	for _, it := range cfg.Items {
		ast.Inspect(it, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Call:
				if missing[n.Name].Module == mod {
					out = append(out, use{n.Name + "() used here", n.NameRange})
				}
			case *ast.PVar:
				pvar(n)
			case *ast.StrLit:
				if len(classes) > 0 && strings.Contains(n.Value, "$") {
					if f, _ := pvsyntax.ParseFormat(n.Value, n.Rng); f != nil {
						for _, p := range f.Parts {
							if p.PV != nil {
								pvar(p.PV)
							}
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// applyModParams hands each modparam to its module. The checker has
// matched every modparam against the catalog; what is left is a parameter
// kamgo does not run (ignored for an --allow-missing module) and the
// module's own refusal of a value.
func (s *Server) applyModParams(params []*ast.ModParam, r *resolution, diags *diag.List) {
	for _, mp := range params {
		for _, l := range s.paramTargets(mp) {
			var decl *module.Param
			for i := range l.exports.Params {
				if l.exports.Params[i].Name == mp.Param {
					decl = &l.exports.Params[i]
				}
			}
			if decl == nil || l.inst == nil {
				// A module kamgo lacks entirely is reported once, by KC2101.
				if !l.allowed && l.inst != nil {
					diags.Errorf(interp.CodeNotImplemented, mp.ParamRange, "parameter %s.%s is not implemented by kamgo", l.name, mp.Param)
				}
				continue
			}
			var v value.Value
			switch e := mp.Value.(type) {
			case *ast.IntLit:
				v = value.MakeInt(e.Value)
			case *ast.StrLit:
				v = value.MakeStr(e.Value)
			default:
				diags.Errorf(interp.CodeNotImplemented, mp.Rng, "a modparam value other than an integer or a string is not implemented by kamgo")
				continue
			}
			ps, ok := l.inst.(module.ParamSetter)
			if !ok {
				diags.Errorf(CodeParamRefused, mp.Rng, "module %s takes no parameters", l.name)
				continue
			}
			if err := ps.SetParam(mp.Param, v); err != nil {
				diags.Errorf(CodeParamRefused, mp.Rng, "%s: %v", l.name, err)
			}
		}
	}
}

// paramTargets returns the loaded modules a modparam's module name (a
// name, or a regular expression as Kamailio allows) applies to.
func (s *Server) paramTargets(mp *ast.ModParam) []*loaded {
	re, err := mp.ModulePattern()
	if re == nil || err != nil {
		if l := s.byName[mp.Module]; l != nil {
			return []*loaded{l}
		}
		return nil
	}
	var out []*loaded
	for _, l := range s.mods {
		if re.MatchString(l.name) {
			out = append(out, l)
		}
	}
	return out
}

// buildTable registers the pseudo-variable classes and transformations of
// the loaded modules and the core, and a stand-in for every class of a
// loaded module (or the core) that the catalog lists and kamgo does not
// implement: reading it is a load error, or <null> under --allow-missing.
func (s *Server) buildTable(r *resolution, diags *diag.List) {
	s.table = pv.NewTable()
	for _, l := range s.mods {
		for _, c := range l.exports.Classes {
			if err := s.table.AddClass(c); err != nil {
				diags.Errorf(CodePVTable, diag.Range{}, "%v", err)
			}
		}
		for _, t := range l.exports.Trans {
			if err := s.table.AddTrans(t); err != nil {
				diags.Errorf(CodePVTable, diag.Range{}, "%v", err)
			}
		}
	}
	interp.AddCoreClasses(s.table)
	warn := func(c *event.Context, msg string) {
		if c != nil && c.Log != nil {
			c.Log.Log(klog.Warn, "core", msg)
			return
		}
		s.log.Log(klog.Warn, "core", msg)
	}
	stand := func(name, mod string, allowed bool) {
		if _, ok := s.table.Class(name); !ok {
			_ = s.table.AddClass(pv.MissingClass(name, mod, allowed, warn))
		}
	}
	for _, l := range s.mods {
		if l.facts == nil {
			continue
		}
		for _, p := range l.facts.PVs {
			// A module kamgo lacks entirely is reported once, by KC2101.
			stand(p.Name, l.name, l.allowed || l.inst == nil)
		}
	}
	for _, p := range r.cat.CorePVs() {
		stand(p.Name, "core", false)
	}
}
