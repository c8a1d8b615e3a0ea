package interp

import (
	"strconv"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// logDefaultLevel is the level of log("text") without a level: Kamailio
// uses L_DBG+1, printed only with debug>=4.
const logDefaultLevel = klog.Dbg + 1

// coreCall compiles a core action; ok is false when n is not one.
func (cp *compiler) coreCall(n *ast.Call) (action, bool) {
	switch n.Name {
	case "log":
		return cp.logCall(n), true
	case "setflag", "resetflag", "isflagset":
		return cp.flagCall(n), true
	case "error":
		if len(n.Args) != 2 {
			cp.diags.Errorf(CodeArgCount, n.Rng, "error takes 2 arguments, got %d", len(n.Args))
			return nil, true
		}
		a, b := cp.constStr(n.Args[0]), cp.constStr(n.Args[1])
		return func(x *exec) int {
			coreLog(x.c, klog.Notice, "do_action(): error(\"%s\", \"%s\") not implemented yet", a, b)
			return 1
		}, true
	}
	return nil, false
}

func (cp *compiler) constStr(e ast.Expr) string {
	ce := cp.expr(e)
	if !ce.konst {
		cp.diags.Errorf(CodeUnsupported, e.Span(), "a constant is required here")
		return ""
	}
	return value.ToStr(ce.kv)
}

func (cp *compiler) logCall(n *ast.Call) action {
	lv := logDefaultLevel
	var text string
	switch len(n.Args) {
	case 1:
		text = cp.constStr(n.Args[0])
	case 2:
		ce := cp.expr(n.Args[0])
		if !ce.konst || ce.kv.K != value.Int {
			cp.diags.Errorf(CodeUnsupported, n.Args[0].Span(), "bad log argument: the level must be an integer")
		}
		lv = klog.Level(ce.kv.I)
		text = cp.constStr(n.Args[1])
	default:
		cp.diags.Errorf(CodeArgCount, n.Rng, "log takes 1 or 2 arguments, got %d", len(n.Args))
		return nil
	}
	return func(x *exec) int {
		if x.c.Log != nil {
			x.c.ScriptLog(lv, text)
		}
		return 1
	}
}

// flagArg resolves a flag written as a number or a declared name.
func (cp *compiler) flagArg(e ast.Expr) (uint, bool) {
	var bit int
	switch a := e.(type) {
	case *ast.IntLit:
		bit = int(a.Value)
	case *ast.Ident:
		b, ok := cp.prog.flags[a.Name]
		if !ok {
			cp.diags.Errorf(CodeBadFlag, a.Rng, "flag %s is not declared", a.Name)
			return 0, false
		}
		bit = b
	case *ast.StrLit:
		b, ok := cp.prog.flags[a.Value]
		if !ok {
			n, err := strconv.Atoi(a.Value)
			if err != nil {
				cp.diags.Errorf(CodeBadFlag, a.Rng, "flag %s is not declared", a.Value)
				return 0, false
			}
			b = n
		}
		bit = b
	default:
		cp.diags.Errorf(CodeBadFlag, e.Span(), "a flag number or name is required")
		return 0, false
	}
	if bit < 0 || bit > maxFlag {
		cp.diags.Errorf(CodeBadFlag, e.Span(), "flag %d out of range (0..%d)", bit, maxFlag)
		return 0, false
	}
	return uint(bit), true
}

func (cp *compiler) flagCall(n *ast.Call) action {
	if len(n.Args) != 1 {
		cp.diags.Errorf(CodeArgCount, n.Rng, "%s takes 1 argument, got %d", n.Name, len(n.Args))
		return nil
	}
	bit, ok := cp.flagArg(n.Args[0])
	if !ok {
		return nil
	}
	mask := uint32(1) << bit
	switch n.Name {
	case "setflag":
		return func(x *exec) int { x.c.Flags |= mask; return 1 }
	case "resetflag":
		return func(x *exec) int { x.c.Flags &^= mask; return 1 }
	}
	return func(x *exec) int {
		if x.c.Flags&mask != 0 {
			return 1
		}
		return -1
	}
}

// rcSpec reads the last return code.
type rcSpec struct{}

func (rcSpec) Get(c *event.Context) value.Value {
	if c == nil {
		return value.MakeInt(0)
	}
	return value.MakeInt(value.Wrap(c.RC))
}

type nullSpec struct{}

func (nullSpec) Get(*event.Context) value.Value { return value.NullValue }

// CoreClasses returns the pseudo-variable classes the core provides:
// $rc (also written $retcode and $?) and $null.
func CoreClasses() []*pv.Class {
	return []*pv.Class{
		{Name: "rc", Module: "core", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) { return rcSpec{}, nil }},
		{Name: "retcode", Module: "core", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) { return rcSpec{}, nil }},
		{Name: "?", Module: "core", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) { return rcSpec{}, nil }},
		{Name: "null", Module: "core", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) { return nullSpec{}, nil }},
	}
}

// AddCoreClasses adds the core classes to t, skipping names a module
// already registered.
func AddCoreClasses(t *pv.Table) {
	for _, c := range CoreClasses() {
		if _, ok := t.Class(c.Name); ok {
			continue
		}
		_ = t.AddClass(c)
	}
}
