package check

import (
	"strconv"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/value"
)

// switchCases checks the case labels of a switch (and the expressions in
// them): constants, of one kind, without repeats, with at most one
// default, compiling when they are patterns.
func (c *checker) switchCases(n *ast.Switch) {
	seen := map[string]*ast.Case{}
	defaults := 0
	// Kamailio sorts labels in two kinds: strings and patterns, which
	// mix, and everything else, which it reads as integers.
	var intCase, strCase *ast.Case
	for _, cs := range n.Cases {
		if cs.Value == nil {
			continue
		}
		t := c.expr(cs.Value)
		if cs.Regex || t == tStr {
			if strCase == nil {
				strCase = cs
			}
		} else if intCase == nil {
			intCase = cs
		}
	}
	if intCase != nil && strCase != nil {
		later, other := strCase, intCase
		if strCase.Rng.Start.Before(intCase.Rng.Start) {
			later, other = intCase, strCase
		}
		d := c.errorf(CodeSwitch, later.Rng, "type mismatch in case: a switch cannot mix integer and string cases")
		d.Related = append(d.Related, diag.Related{Message: "other case", Range: other.Rng})
	}
	for _, cs := range n.Cases {
		if cs.Value == nil {
			defaults++
			continue
		}
		if !isConstCase(cs.Value) {
			c.errorf(CodeSwitch, cs.Value.Span(), "case needs a constant: a number or a string").Detail =
				"use if/else to compare with a variable"
			continue
		}
		v, ok := constValue(cs.Value)
		if !ok {
			// Kamailio evaluates the labels when it fixes the whole
			// switch up, at startup.
			d := c.errorf(CodeSwitch, n.Rng, "case label cannot be computed (a division or modulo by zero)")
			d.Related = append(d.Related, diag.Related{Message: "the case", Range: cs.Value.Span()})
			continue
		}
		key := "s:" + value.ToStr(v)
		if v.K == value.Int && !cs.Regex {
			key = "i:" + strconv.FormatInt(v.I, 10)
		}
		if cs.Regex {
			pat := value.ToStr(v)
			if _, err := ere.Compile(pat, false); err != nil {
				d := c.errorf(CodeRegex, n.Rng, "bad regular expression %q in case: %v", pat, err)
				d.Related = append(d.Related, diag.Related{Message: "the case", Range: cs.Value.Span()})
			}
		}
		if prev, ok := seen[key]; ok {
			// Kamailio finds this when the whole switch is reduced.
			d := c.errorf(CodeSwitch, n.Rng, "duplicate case in switch")
			d.Related = append(d.Related, diag.Related{Message: "repeated here", Range: cs.Rng}, diag.Related{Message: "first case here", Range: prev.Rng})
			continue
		}
		seen[key] = cs
	}
	if defaults > 1 {
		c.errorf(CodeSwitch, n.Rng, "switch has more than one default")
	}
	if defaults == 1 && len(n.Cases) == 1 {
		d := c.errorf(CodeSwitch, n.Rng, "a switch with only a default label is not accepted")
		d.Detail = "write the default body without the switch"
	}
}

// isConstCase reports whether a case value is a constant expression
// (Kamailio folds `case 1+1:` but refuses variables and calls; a selval
// label passes its parser and then fails to evaluate when it starts).
func isConstCase(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.IntLit, *ast.StrLit:
		return true
	case *ast.Unary:
		return isConstCase(e.X)
	case *ast.Binary:
		return isConstCase(e.X) && isConstCase(e.Y)
	case *ast.Paren:
		return isConstCase(e.X)
	}
	return false
}
