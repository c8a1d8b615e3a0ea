package corex

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// vbflagFuncs are msg_vbflag_set, msg_vbflag_reset, msg_vbflag_is_set
// (flag) and msg_vbflag_parse(any) (Kamailio 6.1): the message's via-body
// flags 0 to 31, which the Via kamgo adds when it forwards the message
// carries as ";kvf=<hex>" (ResolveVia), so that the next hop, or this
// server when the request comes back, reads them with msg_vbflag_parse.
func vbflagFuncs() []module.Func {
	f := func(name string, op flagOp) module.Func {
		return module.Func{Name: name, MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 6.1", Routes: routetype.Any,
			Compile: compileFlagArg("w_"+name, func(c *event.Context, n int64) int { return vbflag(c, op, n) })}
	}
	return []module.Func{
		f("msg_vbflag_set", opSet),
		f("msg_vbflag_reset", opReset),
		f("msg_vbflag_is_set", opTest),
		// Kamailio exports it with one argument, which it never reads.
		{Name: "msg_vbflag_parse", MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 6.1", Routes: routetype.Any, Compile: plain(vbflagParse)},
	}
}

// vbflag sets, resets or tests flag n: 1, or -1 for a flag out of 0..31
// or, for a test, one that is not set. The test reads the flag's own bit;
// Kamailio 6.1 tests the flag number shifted by one instead
// (spec/deviations.md).
func vbflag(c *event.Context, op flagOp, n int64) int {
	return applyFlag(&flagsOf(c).vb, op, n, sipmsg.MaxVBFlag)
}

// vbflagParse is msg_vbflag_parse(any): the message's via-body flags become
// the value of the first kvf parameter (any case) with a value in its
// top Via, read as hexadecimal (up to 8 digits are kept, the lowest).
// 1 when read; -1 without a Via, without such a parameter, or when the
// value is not hexadecimal (Kamailio then keeps the flags and returns 1:
// spec/deviations.md).
func vbflagParse(c *event.Context) int {
	m := sipmsg.FromContext(c)
	if m == nil {
		return -1
	}
	v, _, ok := m.TopVia()
	if !ok {
		return -1
	}
	for _, p := range strings.Split(v.Params, ";") {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), sipmsg.ViaBodyFlagsParam) {
			continue
		}
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		if strings.TrimLeft(val, "0123456789abcdefABCDEF") != "" {
			return -1
		}
		if len(val) > 8 {
			val = val[len(val)-8:]
		}
		n, _ := strconv.ParseUint(val, 16, 32)
		flagsOf(c).vb = uint32(n)
		return 1
	}
	return -1
}
