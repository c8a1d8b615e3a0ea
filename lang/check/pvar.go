package check

import (
	"slices"
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
	if c.newerPV(p, cls) {
		return
	}
	if p.Name != nil && p.Name.Dyn == nil && p.Name.Text == "" {
		// Kamailio's pseudo-variable parser refuses "()" for every class:
		// in an expression while the config is read, in a format string
		// when the function's fixup parses it at start-up.
		c.errorf(CodePVName, p.Rng, "empty name in %s", p.Text).Detail =
			"Kamailio refuses empty parentheses after $" + p.Class + ": write the name between them"
		return
	}
	switch {
	case cls.Inner == catalog.InnerNone && p.Name != nil:
		c.errorf(CodePVName, p.Rng, "$%s takes no inner name", p.Class).Detail =
			"Kamailio refuses a name in parentheses after $" + p.Class + ": write $" + p.Class + " alone"
		return
	case cls.Inner == catalog.InnerNeeded && p.Name == nil:
		c.errorf(CodePVName, p.Rng, "$%s needs an inner name", p.Class).Detail =
			"Kamailio refuses $" + p.Class + " without a name in parentheses: write $" + p.Class + "(name)"
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
		if tc != nil && c.moduleLoaded(tc.Module) {
			if since, ok := newerRelease(tc.Ext); ok {
				d := c.errorf(CodeNewerPV, tr.Rng, "transformation class {%s} of module %s needs Kamailio %s or newer; the config is checked for Kamailio %s", tr.Class, tc.Module, since, c.cat.Release())
				d.Detail = "check for the release you run: kamgo check --kamailio " + since
				continue
			}
		}
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
		nums := transNumParams[strings.ToLower(tr.Class+"."+tr.Op)]
		for i, tp := range tr.Params {
			if tp.PV != nil {
				c.pvar(tp.PV)
				continue
			}
			if slices.Contains(nums, i) && !transNumber(tp.Text) {
				c.errorf(CodeUnknownTransOp, tr.Rng, "parameter %d of {%s.%s} must be a number or a pseudo-variable, not %q", i+1, tr.Class, tr.Op, tp.Text)
				break
			}
		}
	}
}

// newerPV reports a pseudo-variable class a later Kamailio release than
// the one checked for added (the catalog's additions), and whether it did.
// Where that release's Kamailio reads an unknown bare $name as an AVP (in
// an expression), the config still starts there, with another meaning: a
// warning. Elsewhere that Kamailio refuses the config.
func (c *checker) newerPV(p *ast.PVar, cls *catalog.PVClass) bool {
	since, ok := newerRelease(cls.Ext)
	if !ok {
		return false
	}
	bare := p.Name == nil && p.Index == nil && len(p.Trans) == 0 && !strings.HasPrefix(p.Text, "$(")
	if bare && !c.strictPV {
		d := c.warnf(CodeNewerPV, p.Rng, "$%s is an AVP in Kamailio %s: the class of module %s came in Kamailio %s, which kamgo runs", p.Class, c.cat.Release(), cls.Module, since)
		d.Detail = "check for the release you run: kamgo check --kamailio " + since + "; for the AVP write $avp(" + p.Class + ")"
		return true
	}
	d := c.errorf(CodeNewerPV, p.Rng, "pseudo-variable $%s of module %s needs Kamailio %s or newer; the config is checked for Kamailio %s", p.Class, cls.Module, since, c.cat.Release())
	d.Detail = "check for the release you run: kamgo check --kamailio " + since
	return true
}

// newerRelease returns the Kamailio release an Ext marks ("Kamailio 5.7"
// gives 5.7), false for no Ext or kamgo's own.
func newerRelease(ext string) (string, bool) {
	since, ok := strings.CutPrefix(ext, "Kamailio ")
	if !ok || !slices.Contains(catalog.Releases(), since) {
		return "", false
	}
	return since, true
}

// transParams lists the minimum parameter counts of transformations whose
// parser rejects missing parameters (pv_trans.c at 5.6.3).
var transParams = map[string]int{
	"s.substr": 2, "s.select": 2, "s.replace": 2, "s.strip": 1, "s.striptail": 1,
	"s.timeformat": 1, "param.value": 1, "param.valueat": 1, "param.name": 1,
	"param.in": 1, "uri.param": 1, "line.at": 1, "line.sw": 1,
	// pv_trans.c at the tags that added them (5.8.8, 6.1.4)
	"s.charat": 1, "s.byteat": 1, "s.selectsw": 1, "uri.rmparam": 1,
}

// transNumParams lists, for the transformations whose parser reads a
// number there, the positions (from 0) of those parameters (pv_trans.c at
// 5.6.3: the parameters read as numbers or pseudo-variables).
var transNumParams = map[string][]int{
	"s.substr": {0, 1}, "s.select": {0}, "s.strip": {0}, "s.striptail": {0},
	"s.prefixes": {0}, "s.prefixes.quoted": {0}, "s.corehash": {0},
	"s.fmtline": {0, 1}, "s.fmtlinet": {0, 1},
	"param.valueat": {0}, "param.name": {0}, "line.at": {0},
	"s.charat": {0}, "s.byteat": {0}, "s.selectsw": {0},
}

// transNumber reports whether a transformation parameter reads as a
// number: an optional sign, then digits (Kamailio skips blanks after the
// sign and stops at the first other character, which the caller's check
// for ',' or '}' then refuses).
func transNumber(s string) bool {
	s = strings.TrimLeft(s, " \t\n")
	if s == "" {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = strings.TrimLeft(s[1:], " \t\n")
	}
	s = strings.TrimRight(s, " \t\n")
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
