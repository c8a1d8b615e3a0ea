package check

import (
	"github.com/kamgo/kamgo/lang/ast"
)

func (c *checker) assign(n *ast.Assign) {
	if n.LHS != nil {
		c.pvar(n.LHS)
		if len(n.LHS.Trans) > 0 {
			c.errorf(CodeReadOnlyPV, n.LHS.Rng, "cannot assign to %s: a pseudo-variable with transformations is read-only", n.LHS.Text)
		} else if cl := c.cat.PVClass(n.LHS.Class); cl != nil && !cl.Writable {
			c.errorf(CodeReadOnlyPV, n.LHS.Rng, "cannot assign to %s: $%s is read-only", n.LHS.Text, n.LHS.Class)
		}
	}
	if n.RHS != nil {
		c.expr(n.RHS)
	}
}
