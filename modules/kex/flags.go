package kex

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

type flagOp uint8

const (
	opSet flagOp = iota
	opReset
	opTest
)

// maxFlag is the highest script and branch flag (Kamailio's MAX_FLAG).
const maxFlag = 31

// apply runs op on the flag bit of *f: 1 after a set or reset, 1 or -1 for
// a test.
func (op flagOp) apply(f *uint32, flag int64) int {
	mask := uint32(1) << flag
	switch op {
	case opSet:
		*f |= mask
	case opReset:
		*f &^= mask
	default:
		if *f&mask == 0 {
			return -1
		}
	}
	return 1
}

// sflagsKey is the event slot of the script flags when the pv module (and
// with it $sf) is not loaded.
var sflagsKey = event.NewKey()

// compileSFlag compiles setsflag, resetsflag and issflagset(flag): flags 0
// to 31 of the script flags, which $sf shows; another flag fails without a
// log line, as in Kamailio.
func (m *Module) compileSFlag(op flagOp) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		flag, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		sf := m.scriptFlags(h)
		return func(c *event.Context) int {
			n, ok := flag(c)
			if !ok {
				logf(c, klog.Err, "w_%s(): no flag value", opName(op, "sflag"))
				return -1
			}
			if n < 0 || n > maxFlag {
				return -1
			}
			return op.applyRef(c, sf, n)
		}, nil
	}
}

// applyRef runs op on the script flags: $sf when pv is loaded, else the
// event's own slot.
func (op flagOp) applyRef(c *event.Context, sf *pv.Ref, flag int64) int {
	if sf == nil {
		p, ok := c.Get(sflagsKey).(*uint32)
		if !ok {
			p = new(uint32)
			c.Set(sflagsKey, p)
		}
		return op.apply(p, flag)
	}
	f := uint32(sf.Get(c).I)
	rc := op.apply(&f, flag)
	if op != opTest {
		_ = sf.Set(c, value.MakeInt(int64(f)))
	}
	return rc
}

// compileBFlag compiles setbflag, resetbflag and isbflagset(flag[,
// branch]): branch 0 (the default) is the Request-URI's, 1 and up the
// appended branches; a branch that does not exist fails.
func (m *Module) compileBFlag(op flagOp) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		flag, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		var idx module.IntFunc
		if len(args) == 2 {
			if idx, err = args[1].Int(h); err != nil {
				return nil, err
			}
		}
		name := opName(op, "bflag")
		return func(c *event.Context) int {
			n, ok := flag(c)
			if !ok {
				logf(c, klog.Err, "w_%s(): no flag value", name)
				return -1
			}
			if n < 0 || n > maxFlag {
				return -1
			}
			var b int64
			if idx != nil {
				if b, ok = idx(c); !ok {
					logf(c, klog.Err, "w_%s(): no idx value", name)
					return -1
				}
				if b < 0 {
					return -1
				}
			}
			f := branchFlags(sipmsg.FromContext(c), b)
			if f == nil {
				return -1
			}
			return op.apply(f, n)
		}, nil
	}
}

// branchFlags are the flags of branch b (0: the Request-URI), nil when
// the message has no such branch.
func branchFlags(m *sipmsg.Msg, b int64) *uint32 {
	if b == 0 {
		return &m.RuriFlags
	}
	if b > int64(len(m.Branches)) {
		return nil
	}
	return &m.Branches[b-1].Flags
}

// opName is the name of the function op runs on kind ("sflag", "bflag"):
// setsflag, resetbflag, isbflagset.
func opName(op flagOp, kind string) string {
	switch op {
	case opSet:
		return "set" + kind
	case opReset:
		return "reset" + kind
	}
	return "is" + kind + "set"
}
