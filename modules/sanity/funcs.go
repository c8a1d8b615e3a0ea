package sanity

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Results of the checks, as Kamailio's SANITY_CHECK_*.
const (
	passed        = 1
	failed        = 0
	notApplicable = -2
)

// state is what the checks leave on the event: whether the message must
// not be answered (Kamailio's FL_MSG_NOREPLY message flag, set when the
// failure is one a reply could not be built for), and, with noreply, the
// reply a failed check would have sent, for sanity_reply.
type state struct {
	msg     *sipmsg.Msg
	noReply bool
	code    int
	reason  string
}

// stateOf returns the state of c's message, new when the message changed.
func stateOf(c *event.Context, msg *sipmsg.Msg) *state {
	st, _ := c.Get(stateKey).(*state)
	if st == nil || st.msg != msg {
		st = &state{msg: msg}
		c.Set(stateKey, st)
	}
	return st
}

// compileCheck compiles sanity_check([checks[, uri_checks]]): each
// argument a number or a pseudo-variable holding one (Kamailio's
// fixup_igp), the parameters' values when left out.
func (m *Module) compileCheck(h module.Host, args []*module.Arg) (module.Call, error) {
	var flags [2]module.IntFunc
	for i, a := range args {
		f, err := a.Int(h)
		if err != nil {
			return nil, err
		}
		flags[i] = f
	}
	return func(c *event.Context) int {
		checks, uris := m.defaultChecks, m.uriChecks
		if flags[0] != nil {
			n, ok := flags[0](c)
			if !ok {
				logf(c, klog.Err, "w_sanity_check(): failed to get msg check flags parameter")
				return -1
			}
			checks = n
		}
		if flags[1] != nil {
			n, ok := flags[1](c)
			if !ok {
				logf(c, klog.Err, "w_sanity_check(): failed to get uri check flags parameter")
				return -1
			}
			uris = n
		}
		if checks < 1 || checks >= checksEnd {
			logf(c, klog.Err, "w_sanity_check(): input parameter (%d) outside of valid range <1-%d)", checks, checksEnd)
			return -1
		}
		if uris < 1 || uris >= urisEnd {
			logf(c, klog.Err, "w_sanity_check(): second input parameter (%d) outside of valid range <1-%d", uris, urisEnd)
			return -1
		}
		rc := m.Check(c, sipmsg.FromContext(c), int(checks), int(uris))
		if rc == failed && m.autodrop == 0 {
			return -1
		}
		return rc
	}, nil
}

// Check runs the checks of the masks on msg, in Kamailio's order, and
// returns 1 when all pass, 0 at the first that fails (after its reply).
func (m *Module) Check(c *event.Context, msg *sipmsg.Msg, checks, uris int) int {
	st := stateOf(c, msg)
	if m.noreply != 0 {
		st.code, st.reason = 0, ""
	}
	k := &checker{m: m, c: c, msg: msg, st: st}
	for _, ch := range []struct {
		bit int
		run func() int
	}{
		{CheckRURIVersion, k.ruriVersion},
		{CheckRURIScheme, k.ruriScheme},
		{CheckRequired, k.requiredHeaders},
		{CheckVia1, k.via1},
		{CheckViaVersion, func() int { return passed }},  // Kamailio does not check it
		{CheckViaProtocol, func() int { return passed }}, // nor this
		{CheckCSeqMethod, k.cseqMethod},
		{CheckCSeqValue, k.cseqValue},
		{CheckCL, k.contentLength},
		{CheckExpires, k.expires},
		{CheckProxyRequire, k.proxyRequire},
		{CheckParseURIs, func() int { return k.parseURIs(uris) }},
		{CheckDigest, k.digest},
		{CheckAuthorization, k.authorization},
		{CheckDupTags, k.dupTags},
	} {
		if checks&ch.bit != 0 {
			if rc := ch.run(); rc != passed {
				return rc
			}
		}
	}
	return passed
}

// compileReply compiles sanity_reply(): with noreply, the reply the last
// failed check kept (500 Server Sanity Failure when none did); 1.
func (m *Module) compileReply(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.Reply(c, sipmsg.FromContext(c)) }, nil
}

// Reply is sanity_reply: -1 only when a reply was due and sending it
// failed.
func (m *Module) Reply(c *event.Context, msg *sipmsg.Msg) int {
	if !msg.IsRequest() || isACK(msg) || m.noreply == 0 {
		return 1
	}
	st := stateOf(c, msg)
	if st.noReply {
		return 1
	}
	code, reason := st.code, st.reason
	if code == 0 || reason == "" {
		logf(c, klog.Info, "ki_sanity_reply(): no sanity reply info set - sending 500")
		code, reason = 500, "Server Sanity Failure"
	}
	if m.reply(c, code, reason) < 0 {
		return -1
	}
	return 1
}

func isACK(msg *sipmsg.Msg) bool { return strings.EqualFold(msg.Method, "ACK") }

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
