package check

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// format checks the pseudo-variables of a format string argument.
func (c *checker) format(s *ast.StrLit) {
	if !strings.Contains(s.Value, "$") {
		return
	}
	f, diags := pvsyntax.ParseFormat(s.Value, s.Rng)
	for _, d := range diags {
		d.Code = CodeFormat
		if c.route != nil {
			d.Context = c.route.Title()
		}
		c.diags = append(c.diags, d)
	}
	for _, p := range f.Parts {
		if p.PV != nil {
			c.formatPV(p.PV)
		}
	}
}

// formatPV checks a pseudo-variable inside a format string, where (unlike
// in expressions) an unknown bare $name is an error, not an AVP.
func (c *checker) formatPV(p *ast.PVar) {
	if len(c.cat.PVClasses(p.Class)) == 0 {
		d := c.errorf(CodeUnknownPV, p.Rng, "unknown pseudo-variable class $%s in format string", p.Class)
		d.Detail = fmt.Sprintf("write $$ for a literal dollar sign, or check the name %q", p.Class)
		return
	}
	c.strictPV = true
	c.pvar(p)
	c.strictPV = false
}
