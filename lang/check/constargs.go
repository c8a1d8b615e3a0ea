package check

import (
	_ "embed" // constargs.txt
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
)

//go:embed constargs.txt
var constArgsText string

// constForm names one module function form: module, function, argument count.
type constForm struct {
	module, name string
	args         int
}

// constRange is the releases a constargs.txt line holds in, as
// major*100+minor; 0 leaves that end open.
type constRange struct{ since, until int }

var (
	constArgsOnce sync.Once
	constArgs     map[constForm]constRange
)

// loadConstArgs reads constargs.txt once, on the first module call checked.
func loadConstArgs() map[constForm]constRange {
	constArgsOnce.Do(func() {
		constArgs = map[constForm]constRange{}
		for _, line := range strings.Split(constArgsText, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || strings.HasPrefix(f[0], "#") {
				continue
			}
			var r constRange
			for len(f) > 2 && (f[0] == "since" || f[0] == "until") {
				if f[0] == "since" {
					r.since = releaseNum(f[1])
				} else {
					r.until = releaseNum(f[1])
				}
				f = f[2:]
			}
			if len(f) != 4 || f[0] != "const" {
				continue // the file's test reports malformed lines
			}
			n, err := strconv.Atoi(f[3])
			if err != nil {
				continue
			}
			constArgs[constForm{f[1], f[2], n}] = r
		}
	})
	return constArgs
}

// releaseNum turns "5.8" into 508; 0 when it is no release.
func releaseNum(s string) int {
	maj, min, ok := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if !ok || err1 != nil || err2 != nil {
		return 0
	}
	return a*100 + b
}

// needsConstArgs reports whether every argument of module function f
// called with nargs arguments must be constant in the catalog's release.
func (c *checker) needsConstArgs(f *catalog.Func, nargs int) bool {
	r, ok := loadConstArgs()[constForm{f.Module, f.Name, nargs}]
	if !ok {
		return false
	}
	rel := releaseNum(c.cat.Release())
	return (r.since == 0 || rel >= r.since) && (r.until == 0 || rel <= r.until)
}

// constArgs reports the first argument of a call that is not a constant
// expression when the function's form takes only constants: Kamailio
// refuses it while parsing.
func (c *checker) constArgs(f *catalog.Func, n *ast.Call) {
	if !c.needsConstArgs(f, len(n.Args)) {
		return
	}
	for i, a := range n.Args {
		if !isConstExpr(a) {
			d := c.errorf(CodeNotConstant, a.Span(), "argument %d of %s is not constant", i+1, f.Name)
			d.Detail = f.Name + " prepares this argument when the config is loaded: write a quoted string or a number"
			if ks := f.Kinds(len(n.Args)); i < len(ks) && ks[i].Kind == catalog.ArgFormat {
				d.Detail += "; pseudo-variables inside the quotes (\"" + exprHint(a) + "\") are expanded on each call"
			}
			return
		}
	}
}

// isConstExpr reports whether e is made of literals only, as Kamailio's
// rve_is_constant decides: a pseudo-variable, a select, a function call, a
// legacy test (method == "INVITE") or an assignment is not.
func isConstExpr(e ast.Expr) bool {
	switch n := e.(type) {
	case *ast.IntLit, *ast.StrLit:
		return true
	case *ast.Paren:
		return isConstExpr(n.X)
	case *ast.Unary:
		return isConstExpr(n.X)
	case *ast.Binary:
		if isLegacyOperand(n.X) || isLegacyOperand(n.Y) {
			return false
		}
		return isConstExpr(n.X) && isConstExpr(n.Y)
	case *ast.Selval:
		return isConstExpr(n.Cond) && isConstExpr(n.A) && isConstExpr(n.B)
	}
	return false
}

// isLegacyOperand is an operand that makes a comparison one of the core
// tests (method, uri, src_ip, myself ...), which is never constant.
func isLegacyOperand(e ast.Expr) bool {
	switch e.(type) {
	case *ast.Ident, *ast.AddrLit:
		return true
	}
	return false
}

// exprHint is the text of a simple argument for the hint: a
// pseudo-variable's source, else a placeholder.
func exprHint(e ast.Expr) string {
	if p, ok := e.(*ast.PVar); ok {
		return p.Text
	}
	return "..."
}
