package lint

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// unparen strips parentheses.
func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// comparisons are the operators that compare two values.
var comparisons = map[string]bool{
	"==": true, "!=": true, "eq": true, "ne": true, "ieq": true, "ine": true,
	"<": true, ">": true, "<=": true, ">=": true, "=~": true, "!~": true,
}

// relational are the ordering comparisons.
var relational = map[string]bool{"<": true, ">": true, "<=": true, ">=": true}

// constant is the value of a constant expression.
type constant struct {
	isStr bool
	s     string
	n     int64
}

// truth is how Kamailio reads a constant as a condition: a number is true
// when it is above zero (run_actions treats v>0 as true), a string when it
// is not empty... converted to an integer first (a string that is not a
// number reads as 0).
func (c constant) truth() bool {
	if !c.isStr {
		return c.n > 0
	}
	n, ok := atoi(c.s)
	return ok && n > 0
}

func atoi(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// constValue evaluates an expression made only of literals; ok is false
// when it depends on anything known only at run time.
func constValue(e ast.Expr) (constant, bool) {
	switch e := unparen(e).(type) {
	case *ast.IntLit:
		return constant{n: e.Value}, true
	case *ast.StrLit:
		return constant{isStr: true, s: e.Value}, true
	case *ast.Unary:
		x, ok := constValue(e.X)
		if !ok {
			return constant{}, false
		}
		switch e.Op {
		case "!":
			if x.truth() {
				return constant{n: 0}, true
			}
			return constant{n: 1}, true
		case "-":
			if x.isStr {
				return constant{}, false
			}
			return constant{n: -x.n}, true
		}
	case *ast.Binary:
		x, okx := constValue(e.X)
		y, oky := constValue(e.Y)
		if !okx || !oky || x.isStr || y.isStr {
			return constant{}, false
		}
		b := func(v bool) (constant, bool) {
			if v {
				return constant{n: 1}, true
			}
			return constant{n: 0}, true
		}
		switch e.Op {
		case "&&":
			return b(x.truth() && y.truth())
		case "||":
			return b(x.truth() || y.truth())
		case "==":
			return b(x.n == y.n)
		case "!=":
			return b(x.n != y.n)
		case "+":
			return constant{n: x.n + y.n}, true
		case "-":
			return constant{n: x.n - y.n}, true
		}
	}
	return constant{}, false
}

// pvOf returns the pseudo-variable an expression is, under parentheses.
func pvOf(e ast.Expr) *ast.PVar {
	p, _ := unparen(e).(*ast.PVar)
	return p
}

// pvKey names a pseudo-variable without its transformations, for telling
// whether two references are to the same variable: "var(x)", "rU".
func pvKey(p *ast.PVar) string {
	if p.Name == nil {
		return p.Class
	}
	return p.Class + "(" + p.Name.Text + ")"
}

// callName returns the function name an expression calls, under
// parentheses and negations, with the number of negations.
func callOf(e ast.Expr) (*ast.Call, int) {
	neg := 0
	for {
		switch x := e.(type) {
		case *ast.Paren:
			e = x.X
			continue
		case *ast.Unary:
			if x.Op == "!" {
				neg++
				e = x.X
				continue
			}
		case *ast.Call:
			return x, neg
		}
		return nil, neg
	}
}

// strArg returns argument i of a call when it is a string literal.
func strArg(c *ast.Call, i int) (*ast.StrLit, bool) {
	if i >= len(c.Args) {
		return nil, false
	}
	s, ok := c.Args[i].(*ast.StrLit)
	return s, ok
}

// exprKey writes an expression in one canonical form (parentheses and
// positions left out), for telling two conditions apart.
func exprKey(e ast.Expr) string {
	var b strings.Builder
	var walk func(ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case nil:
		case *ast.Paren:
			walk(e.X)
		case *ast.IntLit:
			b.WriteString(strconv.FormatInt(e.Value, 10))
		case *ast.StrLit:
			b.WriteString(strconv.Quote(e.Value))
		case *ast.PVar:
			b.WriteString(e.Text)
		case *ast.Ident:
			b.WriteString(e.Name)
		case *ast.AddrLit:
			b.WriteString(e.Text)
		case *ast.Select:
			b.WriteString(e.Text)
		case *ast.Unary:
			b.WriteString("(" + e.Op + " ")
			walk(e.X)
			b.WriteString(")")
		case *ast.Binary:
			b.WriteString("(")
			walk(e.X)
			b.WriteString(" " + e.Op + " ")
			walk(e.Y)
			b.WriteString(")")
		case *ast.Call:
			b.WriteString(e.Name + "(")
			for i, a := range e.Args {
				if i > 0 {
					b.WriteString(",")
				}
				walk(a)
			}
			b.WriteString(")")
		case *ast.RouteCall:
			b.WriteString("route(" + e.Name)
			walk(e.Dyn)
			b.WriteString(")")
		case *ast.Selval:
			b.WriteString("selval(")
			walk(e.Cond)
			b.WriteString(",")
			walk(e.A)
			b.WriteString(",")
			walk(e.B)
			b.WriteString(")")
		default:
			b.WriteString("?")
		}
	}
	walk(e)
	return b.String()
}

// formatPVs returns the pseudo-variables of a string read as a format
// string (with those nested in indexes and names).
func formatPVs(s *ast.StrLit) []*ast.PVar {
	if !strings.Contains(s.Value, "$") {
		return nil
	}
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil {
		return nil
	}
	var out []*ast.PVar
	for _, part := range f.Parts {
		if part.PV != nil {
			out = append(out, pvsIn(part.PV)...)
		}
	}
	return out
}

// argKinds returns what the catalog knows of a call's arguments, or nil.
func argKinds(p *Pass, c *ast.Call) []catalog.ArgKind {
	for _, f := range p.Catalog.Func(c.Name) {
		if k := f.Kinds(len(c.Args)); k != nil {
			return k
		}
	}
	return nil
}
