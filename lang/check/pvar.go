package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// pvar checks a pseudo-variable reference: class, owning module, fixed
// names, index and transformations.
func (c *checker) pvar(p *ast.PVar) {
	cls := c.pvClass(p)
	if cls == nil {
		return
	}
	if cls.Names != nil && p.Name != nil && p.Name.Dyn == nil && !cls.HasName(p.Name.Text) {
		d := c.errorf(CodePVName, p.Rng, "unknown name %q for $%s", p.Name.Text, p.Class)
		if s := diag.Suggest(p.Name.Text, cls.Names); s != "" {
			d.Detail = "did you mean $" + p.Class + "(" + s + ")?"
		} else {
			d.Detail = "valid names: " + strings.Join(cls.Names, ", ")
		}
	}
	if p.Name != nil && p.Name.Dyn != nil {
		for _, part := range p.Name.Dyn.Parts {
			if part.PV != nil {
				c.pvar(part.PV)
			}
		}
	}
	if p.Index != nil && p.Index.PV != nil {
		c.pvar(p.Index.PV)
	}
	for _, tr := range p.Trans {
		tc := c.cat.Trans(tr.Class)
		if tc == nil || !c.moduleLoaded(tc.Module) {
			var names []string
			for _, m := range c.cat.Modules() {
				for _, t := range m.Trans {
					names = append(names, t.Name)
				}
			}
			d := c.errorf(CodeUnknownTrans, tr.Rng, "unknown transformation class {%s.%s}", tr.Class, tr.Op)
			if tc != nil {
				d.Detail = "transformation class " + tr.Class + " comes from module " + tc.Module + ": missing loadmodule \"" + tc.Module + ".so\"?"
			} else if s := diag.Suggest(tr.Class, names); s != "" {
				d.Detail = "did you mean {" + s + "." + tr.Op + "}?"
			}
			continue
		}
		if !tc.HasOp(tr.Op) {
			d := c.errorf(CodeUnknownTransOp, tr.Rng, "unknown transformation {%s.%s}", tr.Class, tr.Op)
			if s := diag.Suggest(tr.Op, tc.Ops); s != "" {
				d.Detail = "did you mean {" + tr.Class + "." + s + "}?"
			}
			continue
		}
		if n, ok := transParams[tr.Class+"."+tr.Op]; ok && len(tr.Params) < n {
			c.errorf(CodeUnknownTransOp, tr.Rng, "{%s.%s} needs %d parameter(s)", tr.Class, tr.Op, n)
		}
		for _, tp := range tr.Params {
			if tp.PV != nil {
				c.pvar(tp.PV)
			}
		}
	}
}

// transParams lists the minimum parameter counts of transformations whose
// parser rejects missing parameters (pv_trans.c at 5.6.3).
var transParams = map[string]int{
	"s.substr": 2, "s.select": 2, "s.replace": 2, "s.strip": 1, "s.striptail": 1,
	"s.timeformat": 1, "param.value": 1, "param.valueat": 1, "param.name": 1,
	"param.in": 1, "uri.param": 1, "line.at": 1, "line.sw": 1,
}

// pvClass resolves a class, reporting unknown classes and classes whose
// module is not loaded. It returns nil when nothing more can be checked.
func (c *checker) pvClass(p *ast.PVar) *catalog.PVClass {
	if p.Class == pvsyntax.AttrClass {
		return nil // SER attributes are core AVP references
	}
	owners := c.cat.PVClasses(p.Class)
	if len(owners) == 0 {
		if p.Name == nil && p.Index == nil && len(p.Trans) == 0 && !strings.HasPrefix(p.Text, "$(") {
			// Kamailio reads an unknown bare $name as an AVP named name.
			return nil
		}
		var names []string
		for _, m := range c.cat.Modules() {
			for _, pv := range m.PVs {
				names = append(names, pv.Name)
			}
		}
		d := c.errorf(CodeUnknownPV, p.Rng, "unknown pseudo-variable class $%s", p.Class)
		if s := diag.Suggest(p.Class, names); s != "" {
			d.Detail = "did you mean $" + s + "?"
		}
		return nil
	}
	for _, o := range owners {
		if o.Module == "core" || c.moduleLoaded(o.Module) {
			return o
		}
	}
	c.errorf(CodePVNoModule, p.Rng, "$%s comes from module %s, which is not loaded", p.Class, owners[0].Module).Detail =
		"add loadmodule \"" + owners[0].Module + ".so\""
	return nil
}
