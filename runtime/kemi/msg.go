package kemi

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// maxFlag is the highest message, branch and script flag bit (Kamailio's
// MAX_FLAG).
const maxFlag = 31

// sflagsKey holds an event's script flags. Kamailio clears them when a
// KEMI route starts, so they live as long as the event.
var sflagsKey = event.NewKey()

type kemiCall = func(module.Host, *event.Context, []value.Value) module.KEMIValue

// msgFuncs are the core's KSR functions over the event and its message.
func msgFuncs() []module.KEMIFunc {
	b := module.KEMIBool
	out := []module.KEMIFunc{
		{Name: "set_drop", Params: none, Ret: module.KEMINone,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				c.Dropped = true
				return module.KEMIVoid
			}},
		{Name: "setflag", Params: int1, Ret: b, Call: flagOp("setflag", msgFlags, opSet)},
		{Name: "resetflag", Params: int1, Ret: b, Call: flagOp("resetflag", msgFlags, opReset)},
		{Name: "isflagset", Params: int1, Ret: b, Call: flagOp("isflagset", msgFlags, opTest)},
		{Name: "setbflag", Params: int1, Ret: b, Call: flagOp("setbflag", branchFlags, opSet)},
		{Name: "resetbflag", Params: int1, Ret: b, Call: flagOp("resetbflag", branchFlags, opReset)},
		{Name: "isbflagset", Params: int1, Ret: b, Call: flagOp("isbflagset", branchFlags, opTest)},
		{Name: "setbiflag", Params: int2, Ret: b, Call: flagOp("setbiflag", branchFlags, opSet)},
		{Name: "resetbiflag", Params: int2, Ret: b, Call: flagOp("resetbiflag", branchFlags, opReset)},
		{Name: "isbiflagset", Params: int2, Ret: b, Call: flagOp("isbiflagset", branchFlags, opTest)},
		{Name: "setsflag", Params: int1, Ret: b, Call: flagOp("setsflag", scriptFlags, opSet)},
		{Name: "resetsflag", Params: int1, Ret: b, Call: flagOp("resetsflag", scriptFlags, opReset)},
		{Name: "issflagset", Params: int1, Ret: b, Call: flagOp("issflagset", scriptFlags, opTest)},
		{Name: "seturi", Params: str1, Ret: b, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			sipmsg.FromContext(c).SetRequestURI(a[0].S)
			return truth
		}},
		{Name: "setuser", Params: str1, Ret: b, Call: rewrite(sipmsg.PartUser)},
		{Name: "sethost", Params: str1, Ret: b, Call: rewrite(sipmsg.PartHost)},
		{Name: "setdsturi", Params: str1, Ret: b, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			sipmsg.FromContext(c).DstURI = a[0].S
			return truth
		}},
		{Name: "resetdsturi", Params: none, Ret: b, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			sipmsg.FromContext(c).DstURI = ""
			return truth
		}},
		{Name: "isdsturiset", Params: none, Ret: b, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			return boolRC(sipmsg.FromContext(c).DstURI != "")
		}},
		{Name: "is_method", Params: str1, Ret: b, Call: isMethod},
		{Name: "is_method_in", Params: str1, Ret: b, Call: isMethodIn},
	}
	for _, m := range []string{"INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "SUBSCRIBE", "PUBLISH",
		"NOTIFY", "REFER", "INFO", "UPDATE", "PRACK", "MESSAGE", "KDMQ", "GET", "POST", "PUT", "DELETE"} {
		m := m
		out = append(out, module.KEMIFunc{Name: "is_" + m, Params: none, Ret: b,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return boolRC(methodOf(sipmsg.FromContext(c)) == m)
			}})
	}
	for _, p := range []struct{ name, protos string }{
		{"is_UDP", "udp"}, {"is_TCP", "tcp"}, {"is_TLS", "tls"}, {"is_WS", "ws"},
		{"is_WSS", "wss"}, {"is_WSX", "ws wss"}, {"is_SCTP", "sctp"},
	} {
		protos := strings.Fields(p.protos)
		out = append(out, module.KEMIFunc{Name: p.name, Params: none, Ret: b,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				pr := sipmsg.FromContext(c).Proto
				for _, want := range protos {
					if pr == want {
						return truth
					}
				}
				return falsy
			}})
	}
	out = append(out,
		module.KEMIFunc{Name: "is_proto", Params: str1, Ret: b, Call: isProto},
		module.KEMIFunc{Name: "is_IPv4", Params: none, Ret: b, Call: rcvFamily(false)},
		module.KEMIFunc{Name: "is_IPv6", Params: none, Ret: b, Call: rcvFamily(true)},
		module.KEMIFunc{Name: "is_src_port", Params: int1, Ret: b, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return boolRC(int64(sipmsg.FromContext(c).Src.Port) == a[0].I)
		}},
		module.KEMIFunc{Name: "is_dst_port", Params: int1, Ret: b, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			rcv := sipmsg.FromContext(c).Rcv
			return boolRC(rcv != nil && int64(rcv.Port) == a[0].I)
		}},
		module.KEMIFunc{Name: "get_debug", Params: none, Ret: module.KEMIInt, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			if c.Log == nil {
				return falsy
			}
			return module.KEMIRC(int(c.Log.Threshold()))
		}},
		module.KEMIFunc{Name: "route", Params: str1, Ret: module.KEMIInt, Call: runRoute},
	)
	return out
}

type flagOpKind uint8

const (
	opSet flagOpKind = iota
	opReset
	opTest
)

// flagSet returns the flags a flag function works on, or nil when there
// are none (a branch that does not exist). branch is the second argument
// of the *biflag functions, 0 otherwise.
type flagSet func(c *event.Context, branch int64) *uint32

func msgFlags(c *event.Context, _ int64) *uint32 { return &c.Flags }

// branchFlags are the flags of the Request-URI's branch (0) or of an
// appended branch (1 and up).
func branchFlags(c *event.Context, branch int64) *uint32 {
	m := sipmsg.FromContext(c)
	if branch == 0 {
		return &m.RuriFlags
	}
	if branch < 0 || branch > int64(len(m.Branches)) {
		return nil
	}
	return &m.Branches[branch-1].Flags
}

func scriptFlags(c *event.Context, _ int64) *uint32 {
	f, ok := c.Get(sflagsKey).(*uint32)
	if !ok {
		f = new(uint32)
		c.Set(sflagsKey, f)
	}
	return f
}

func flagOp(name string, set flagSet, op flagOpKind) kemiCall {
	fn := "sr_kemi_core_" + name + "(): invalid flag parameter %d"
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		flag := a[0].I
		if flag < 0 || flag > maxFlag {
			logf(c, klog.Err, fn, flag)
			return falsy
		}
		var branch int64
		if len(a) > 1 {
			branch = a[1].I
		}
		f := set(c, branch)
		if f == nil {
			return falsy
		}
		mask := uint32(1) << flag
		switch op {
		case opSet:
			*f |= mask
		case opReset:
			*f &^= mask
		default:
			return boolRC(*f&mask != 0)
		}
		return truth
	}
}

var partName = map[sipmsg.URIPart]string{sipmsg.PartUser: "user", sipmsg.PartHost: "host"}

func rewrite(part sipmsg.URIPart) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		m := sipmsg.FromContext(c)
		u, err := sipmsg.RewriteURI(m.RequestURI(), part, a[0].S)
		if err != nil {
			logf(c, klog.Err, "sr_kemi_core_set%s(): do action failed", partName[part])
			return falsy
		}
		m.SetRequestURI(u)
		return truth
	}
}

// methodOf is the request's method, or a reply's CSeq method, upper case.
func methodOf(m *sipmsg.Msg) string {
	if m.IsRequest() {
		return strings.ToUpper(m.Method)
	}
	_, method, _ := m.CSeq()
	return strings.ToUpper(method)
}

func isMethod(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	if a[0].S == "" {
		logf(c, klog.Warn, "sr_kemi_core_is_method(): invalid parameters")
		return falsy
	}
	return boolRC(strings.EqualFold(methodOf(sipmsg.FromContext(c)), a[0].S))
}

// methodLetters are is_method_in's letters.
var methodLetters = map[byte]string{
	'I': "INVITE", 'A': "ACK", 'B': "BYE", 'C': "CANCEL", 'M': "MESSAGE", 'R': "REGISTER",
	'E': "PRACK", 'P': "PUBLISH", 'S': "SUBSCRIBE", 'N': "NOTIFY", 'O': "OPTIONS", 'F': "REFER",
	'G': "GET", 'U': "UPDATE", 'K': "KDMQ", 'D': "DELETE", 'T': "POST", 'V': "PUT",
}

func isMethodIn(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	if a[0].S == "" {
		logf(c, klog.Warn, "sr_kemi_core_is_method_in(): invalid parameters")
		return falsy
	}
	m := methodOf(sipmsg.FromContext(c))
	for i := 0; i < len(a[0].S); i++ {
		l := a[0].S[i]
		name, ok := methodLetters[l&^0x20]
		if !ok {
			logf(c, klog.Warn, "sr_kemi_core_is_method_in(): unsupported method flag: %c", l)
			continue
		}
		if name == m {
			return truth
		}
	}
	return falsy
}

// protoLetters are is_proto's letters.
var protoLetters = map[byte]string{'E': "tls", 'S': "sctp", 'T': "tcp", 'U': "udp", 'V': "ws", 'W': "wss"}

func isProto(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	pr := sipmsg.FromContext(c).Proto
	for i := 0; i < len(a[0].S); i++ {
		if protoLetters[a[0].S[i]&^0x20] == pr {
			return truth
		}
	}
	return falsy
}

// rcvFamily tests the address family of the socket the message arrived
// on; a faked request arrived on none.
func rcvFamily(v6 bool) kemiCall {
	return func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
		rcv := sipmsg.FromContext(c).Rcv
		return boolRC(rcv != nil && sipmsg.IsIPv6(rcv.IP) == v6)
	}
}

// runRoute is KSR.route(name): the configuration's native route[name], as
// route(name) runs it; -1 when there is no such route, 0 when it ended
// the script.
func runRoute(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	if a[0].S == "" {
		return module.KEMIRC(-1)
	}
	rc, ok := h.Run(c, event.Route(a[0].S, c.Route))
	if !ok {
		return module.KEMIRC(-1)
	}
	return module.KEMIRC(rc)
}
