package tmx

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// vbflagFuncs are t_vbflag_set, t_vbflag_reset and t_vbflag_is_set
// (Kamailio 6.1): the via-body flags of the event's branch of the
// transaction, which tm writes in the Via of that branch's request
// (";kvf=<hex>").
func (m *Module) vbflagFuncs() []module.Func {
	f := func(name string, op func(c *event.Context, bidx int, flag uint) int) module.Func {
		return module.Func{Name: name, MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 6.1", Routes: routetype.Any,
			Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				n, err := args[0].Int(h)
				if err != nil {
					return nil, err
				}
				return func(c *event.Context) int {
					v, ok := n(c)
					if !ok {
						m.log.Logf(klog.Err, Name, "w_%s(): no flag value", name)
						return -1
					}
					return m.vbflag(c, v, op)
				}, nil
			}}
	}
	return []module.Func{
		f("t_vbflag_set", func(c *event.Context, bidx int, flag uint) int {
			m.tm.SetVBFlags(c, bidx, func(v uint32) uint32 { return v | 1<<flag })
			return 1
		}),
		f("t_vbflag_reset", func(c *event.Context, bidx int, flag uint) int {
			m.tm.SetVBFlags(c, bidx, func(v uint32) uint32 { return v &^ (1 << flag) })
			return 1
		}),
		f("t_vbflag_is_set", func(c *event.Context, bidx int, flag uint) int {
			v, _ := m.tm.VBFlags(c, bidx)
			// The flag's bit; Kamailio 6.1 tests the flag number
			// shifted by one instead (spec/deviations.md).
			return rc(v&(1<<flag) != 0)
		}),
	}
}

// vbflag runs op on the event's branch when there is one: -1 for a flag
// number out of 0..31, without a transaction, without a branch (routes
// other than request, branch, failure and reply routes), or for a branch
// that does not exist yet other than the first (in branch_route only the
// first branch qualifies, as in Kamailio).
func (m *Module) vbflag(c *event.Context, fval int64, op func(c *event.Context, bidx int, flag uint) int) int {
	if fval < 0 || fval > sipmsg.MaxVBFlag {
		return -1
	}
	v, ok := m.tm.Current(c)
	if !ok {
		return -1
	}
	bidx := vbBranch(c, v)
	if bidx < 0 || (bidx != 0 && bidx >= v.Outgoings) {
		return -1
	}
	return op(c, bidx, uint(fval))
}

// vbBranch is the branch the via-body flags functions act on (Kamailio's
// tmx_get_branch_idx): a reply's branch, the branch being made or failed,
// the first one in request_route, the picked one in failure_route; -1
// elsewhere.
func vbBranch(c *event.Context, v tm.View) int {
	if msg := sipmsg.FromContext(c); msg != nil && !msg.IsRequest() {
		return v.Branch
	}
	switch {
	case c.Route&(routetype.Branch|routetype.BranchFailure) != 0:
		return v.Branch
	case c.Route == routetype.Request:
		return 0
	case c.Route&routetype.Failure != 0:
		return v.Branch
	}
	return -1
}
