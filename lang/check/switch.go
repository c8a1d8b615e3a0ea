package check

import (
	"regexp"
	"strconv"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

func (c *checker) switchCases(n *ast.Switch) {
	seen := map[string]*ast.Case{}
	defaults := 0
	var intCase, strCase *ast.Case
	for _, cs := range n.Cases {
		switch cs.Value.(type) {
		case *ast.IntLit:
			if intCase == nil {
				intCase = cs
			}
		case *ast.StrLit:
			if strCase == nil {
				strCase = cs
			}
		}
	}
	if intCase != nil && strCase != nil {
		later := strCase
		if strCase.Rng.Start.Before(intCase.Rng.Start) {
			later = intCase
		}
		d := c.errorf(CodeSwitch, later.Rng, "type mismatch in case: a switch cannot mix integer and string cases")
		d.Related = append(d.Related, diag.Related{Message: "other case", Range: map[bool]diag.Range{true: intCase.Rng, false: strCase.Rng}[later == strCase]})
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
		key := ""
		switch v := cs.Value.(type) {
		case *ast.IntLit:
			key = "i:" + strconv.FormatInt(v.Value, 10)
		case *ast.StrLit:
			key = "s:" + v.Value
			if cs.Regex {
				if _, err := regexp.Compile("(?i)" + v.Value); err != nil {
					d := c.errorf(CodeRegex, n.Rng, "bad regular expression %q in case: %v", v.Value, err)
					d.Related = append(d.Related, diag.Related{Message: "the case", Range: v.Rng})
				}
			}
		}
		if key == "" {
			continue
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
// (Kamailio folds `case 1+1:` but refuses variables and calls).
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
