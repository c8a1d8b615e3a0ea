package interp

import (
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
	case "cfg_select", "cfg_reset":
		return cp.cfgCall(n), true
	case "error":
		if len(n.Args) != 2 {
			cp.unchecked(n.Rng, "error takes 2 arguments, got %d", len(n.Args))
			return nil, true
		}
		a, b := cp.constStr(n.Args[0]), cp.constStr(n.Args[1])
		return func(x *exec) int {
			coreLog(x.c, klog.Notice, "do_action(): error(\"%s\", \"%s\") not implemented yet", a, b)
			return 1
		}, true
	}
	return cp.sipCall(n)
}

// constStr returns the text of a string literal argument of log or error.
func (cp *compiler) constStr(e ast.Expr) string {
	s, ok := e.(*ast.StrLit)
	if !ok {
		cp.unchecked(e.Span(), "a string literal is required here")
		return ""
	}
	return s.Value
}

func (cp *compiler) logCall(n *ast.Call) action {
	lv := logDefaultLevel
	var text string
	switch len(n.Args) {
	case 1:
		text = cp.constStr(n.Args[0])
	case 2:
		l, ok := n.Args[0].(*ast.IntLit)
		if !ok || l.Value < 0 {
			cp.unchecked(n.Args[0].Span(), "bad log argument: the level must be a number")
			return nil
		}
		lv = klog.Level(l.Value)
		text = cp.constStr(n.Args[1])
	default:
		cp.unchecked(n.Rng, "log takes 1 or 2 arguments, got %d", len(n.Args))
		return nil
	}
	return func(x *exec) int {
		if x.c.Log != nil {
			x.c.ScriptLog(lv, text)
		}
		return 1
	}
}

// flagArg resolves a flag written as a number or a declared name (bare
// or quoted).
func (cp *compiler) flagArg(e ast.Expr) (uint, bool) {
	var bit int
	switch a := e.(type) {
	case *ast.IntLit:
		if a.Value < 0 || a.Value > maxFlag {
			cp.unchecked(a.Rng, "flag %d out of range (0..%d)", a.Value, maxFlag)
			return 0, false
		}
		bit = int(a.Value)
	case *ast.Ident, *ast.StrLit:
		name := flagName(a)
		b, ok := cp.prog.flags[name]
		if !ok {
			cp.unchecked(a.Span(), "flag %s is not declared", name)
			return 0, false
		}
		bit = b
	default:
		cp.unchecked(e.Span(), "a flag number or name is required")
		return 0, false
	}
	return uint(bit), true
}

func flagName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return e.(*ast.StrLit).Value
}

func (cp *compiler) flagCall(n *ast.Call) action {
	if len(n.Args) != 1 {
		cp.unchecked(n.Rng, "%s takes 1 argument, got %d", n.Name, len(n.Args))
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

// declareFlags gives each name of a flags line its bit: the one written,
// or the lowest one no name has taken.
func (cp *compiler) declareFlags(n *ast.Flags) {
	for _, f := range n.Flags {
		if _, dup := cp.prog.flags[f.Name]; dup {
			cp.unchecked(f.Rng, "flag %s declared twice", f.Name)
			continue
		}
		bit := f.Bit
		switch {
		case bit > maxFlag:
			cp.unchecked(f.Rng, "flag %s: bit %d is out of range (0..%d)", f.Name, bit, maxFlag)
			continue
		case bit < 0:
			for bit = 0; bit <= maxFlag && cp.flagBits&(1<<bit) != 0; bit++ {
			}
			if bit > maxFlag {
				cp.unchecked(f.Rng, "flag %s: no free flag bit (0..%d)", f.Name, maxFlag)
				continue
			}
		}
		cp.flagBits |= 1 << bit
		cp.prog.flags[f.Name] = bit
	}
}

// maxFlag is the highest message flag bit (Kamailio's MAX_FLAG).
const maxFlag = 31

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
