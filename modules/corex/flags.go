package corex

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

type flagOp uint8

const (
	opSet flagOp = iota
	opReset
	opTest
)

// The message's internal flags corex sets (Kamailio's msg_flags FL_*):
// those msg_iflag_* names, and those the via_* functions set.
const (
	flUseUACFrom uint32 = 1 << iota
	flUseUACTo
	flUACAuth
	flAddSrvID
	flAddXAVPViaParams
	flUseXAVPViaFields
	flAddXAVPViaReplyParams
)

// iflagNames are the names msg_iflag_* accept, in any case.
var iflagNames = map[string]uint32{"USE_UAC_FROM": flUseUACFrom, "USE_UAC_TO": flUseUACTo, "UAC_AUTH": flUACAuth}

// maxXFlag is the highest extended flag (Kamailio's KSR_MAX_XFLAG).
const maxXFlag = 63

// msgFlags are the flags corex keeps for an event's message.
type msgFlags struct {
	internal uint32
	vb       uint32 // via-body flags (msg_vbflag_*)
	x        uint64
}

var flagsKey = event.NewKey()

func flagsOf(c *event.Context) *msgFlags {
	f, ok := c.Get(flagsKey).(*msgFlags)
	if !ok {
		f = new(msgFlags)
		c.Set(flagsKey, f)
	}
	return f
}

// InternalFlag reports whether the internal flag name (USE_UAC_FROM,
// USE_UAC_TO, UAC_AUTH) was set on the event's message with
// msg_iflag_set: what a uac module reads.
func InternalFlag(c *event.Context, name string) bool {
	fv, ok := iflagNames[strings.ToUpper(name)]
	return ok && flagsOf(c).internal&fv != 0
}

// compileIFlag compiles msg_iflag_set, msg_iflag_reset and
// msg_iflag_is_set(name): 1, or -2 for a flag that is not set; an unknown
// name logs an error and returns -1.
func compileIFlag(op flagOp) func(module.Host, []*module.Arg) (module.Call, error) {
	fn := map[flagOp]string{opSet: "w_msg_iflag_set", opReset: "w_msg_iflag_reset", opTest: "w_msg_iflag_is_set"}[op]
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		name, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			n := name(c)
			fv, ok := iflagNames[strings.ToUpper(n)]
			if !ok {
				logf(c, klog.Err, "%s(): unsupported flag name [%s]", fn, n)
				return -1
			}
			f := flagsOf(c)
			switch op {
			case opSet:
				f.internal |= fv
			case opReset:
				f.internal &^= fv
			default:
				if f.internal&fv == 0 {
					return -2
				}
			}
			return 1
		}, nil
	}
}

// compileViaFlag compiles via_add_srvid, via_add_xavp_params and
// via_use_xavp_fields(flag): a non-zero flag sets the message flag, 0
// resets it. Returns 1.
func compileViaFlag(fv uint32) func(module.Host, []*module.Arg) (module.Call, error) {
	return compileFlagArg("", func(c *event.Context, n int64) int { return setViaFlag(c, fv, n) })
}

// compileFlagArg compiles a function of one integer argument (a number or
// a pseudo-variable) that run takes; a value that is not an integer logs
// "fn(): no flag value" ("no flag value" without fn) and returns -1.
func compileFlagArg(fn string, run func(c *event.Context, n int64) int) func(module.Host, []*module.Arg) (module.Call, error) {
	msg := "no flag value"
	if fn != "" {
		msg = fn + "(): " + msg
	}
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		flag, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			n, ok := flag(c)
			if !ok {
				logf(c, klog.Err, "%s", msg)
				return -1
			}
			return run(c, n)
		}, nil
	}
}

func setViaFlag(c *event.Context, fv uint32, n int64) int {
	f := flagsOf(c)
	if n != 0 {
		f.internal |= fv
	} else {
		f.internal &^= fv
	}
	return 1
}

// compileXFlag compiles setxflag, resetxflag and isxflagset(flag): the
// message's extended flags 0 to 63; another flag returns -1 silently.
func compileXFlag(op flagOp) func(module.Host, []*module.Arg) (module.Call, error) {
	fn := map[flagOp]string{opSet: "w_setxflag", opReset: "w_resetxflag", opTest: "w_isxflagset"}[op]
	return compileFlagArg(fn, func(c *event.Context, n int64) int { return xflag(c, op, n) })
}

func xflag(c *event.Context, op flagOp, n int64) int {
	return applyFlag(&flagsOf(c).x, op, n, maxXFlag)
}

// applyFlag sets, resets or tests bit n of *bits: 1, or -1 for a bit out
// of 0..highest or, for a test, one that is not set.
func applyFlag[T uint32 | uint64](bits *T, op flagOp, n, highest int64) int {
	if n < 0 || n > highest {
		return -1
	}
	mask := T(1) << n
	switch op {
	case opSet:
		*bits |= mask
	case opReset:
		*bits &^= mask
	default:
		if *bits&mask == 0 {
			return -1
		}
	}
	return 1
}
