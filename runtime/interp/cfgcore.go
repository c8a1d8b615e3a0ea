package interp

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/klog"
)

// cfgCall compiles the core actions of the configuration framework:
// cfg_select("group", id) makes the rest of the event read the group's
// instance id (1; -1 and an error line when the instance does not exist),
// cfg_reset("group") makes it read the group's own values again (1). The
// group must be a string literal naming a declared group, checked at
// load time as Kamailio's fixup does.
func (cp *compiler) cfgCall(n *ast.Call) action {
	want := 1
	if n.Name == "cfg_select" {
		want = 2
	}
	if len(n.Args) != want {
		cp.unchecked(n.Rng, "%s takes %d arguments, got %d", n.Name, want, len(n.Args))
		return nil
	}
	lit, ok := n.Args[0].(*ast.StrLit)
	if !ok {
		cp.unchecked(n.Args[0].Span(), "bad arguments, string expected")
		return nil
	}
	cfg := cp.cfgStore()
	if cfg == nil {
		cp.notImplemented(n.Rng, "%s needs the configuration framework, which this host does not keep", n.Name)
		return nil
	}
	if by, ok := cfg.Unregistered(lit.Value); ok {
		cp.notImplemented(n.Args[0].Span(), "the configuration group %s (%s) is not registered by kamgo", lit.Value, by)
		return nil
	}
	g, found := cfg.Group(lit.Value)
	if !found {
		d := cp.diags.Errorf(CodeFixup, n.Args[0].Span(), "configuration group \"%s\" not found", lit.Value)
		if cp.route != nil {
			d.Context = cp.route.title
		}
		return nil
	}
	if n.Name == "cfg_reset" {
		return func(x *exec) int {
			cfg.View(x.c).Reset(g)
			return 1
		}
	}
	id := cp.expr(n.Args[1]).i
	return func(x *exec) int {
		v, ok := id(x.c)
		if !ok {
			return -1
		}
		if err := cfg.View(x.c).Select(g, uint32(v)); err != nil {
			coreLog(x.c, klog.Err, "cfg_select(): %v", err)
			return -1
		}
		return 1
	}
}
