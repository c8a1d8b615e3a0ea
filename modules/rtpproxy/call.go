package rtpproxy

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// call is what identifies a call to the proxy: the Call-ID and the tags.
type call struct {
	callid, fromTag, toTag string
}

// callOf reads the Call-ID and tags of msg, logging as Kamailio's
// helpers do; ok is false when one that must be there is not.
func callOf(c *event.Context, msg *sipmsg.Msg, fn string) (call, bool) {
	var k call
	cid, ok := msg.Header("call-id")
	k.callid = strings.TrimSpace(cid)
	if !ok || k.callid == "" {
		logf(c, klog.Err, "%s(): can't get Call-Id field", fn)
		return k, false
	}
	to, ok := msg.Header("to")
	if !ok {
		logf(c, klog.Err, "get_to_tag(): To header field missing")
		logf(c, klog.Err, "%s(): can't get To tag", fn)
		return k, false
	}
	if na, err := sipmsg.ParseNameAddr(to); err == nil {
		k.toTag, _ = na.Param("tag")
	}
	from, _ := msg.Header("from")
	na, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		logf(c, klog.Err, "get_from_tag(): failed to parse From header")
		logf(c, klog.Err, "%s(): can't get From tag", fn)
		return k, false
	}
	k.fromTag, _ = na.Param("tag")
	if k.fromTag == "" {
		logf(c, klog.Err, "%s(): can't get From tag", fn)
		return k, false
	}
	return k, true
}

// viaBranch is the branch of the n-th via-parm (1 or 2).
func viaBranch(msg *sipmsg.Msg, n int) (string, bool) {
	vias := msg.Vias()
	if len(vias) < n {
		return "", false
	}
	b, ok := vias[n-1].Param("branch")
	return b, ok && b != ""
}

// viaOption reads the via flags of a function's flags: '1' the first
// Via's branch, '2' the second's, '3' the first for a request and the
// second for a reply.
func viaOption(ch byte, msg *sipmsg.Msg, via *int) {
	switch ch {
	case '1':
		*via = 1
	case '2':
		*via = 2
	case '3':
		if msg.IsRequest() {
			*via = 1
		} else {
			*via = 2
		}
	}
}

// selection is the set set_rtp_proxy_set chose for a message.
type selection struct {
	msg *sipmsg.Msg
	set *set
}

var selKey = event.NewKey()

// setFor is the set commands about msg go to: the one set_rtp_proxy_set
// chose for it, else the default set 0.
func (m *Module) setFor(c *event.Context, msg *sipmsg.Msg) *set {
	if s, ok := c.Get(selKey).(*selection); ok && s.msg == msg {
		return s.set
	}
	return m.setByID(0)
}

func (m *Module) choose(c *event.Context, msg *sipmsg.Msg, s *set) {
	c.Set(selKey, &selection{msg: msg, set: s})
}

// extraID is extra_id_pv evaluated on the message, "" when unset.
func (m *Module) extraIDOf(c *event.Context) (string, bool) {
	if m.extraID == nil {
		return "", false
	}
	return m.extraID.String(c), true
}

// setInst writes the chosen proxy's URL to rtp_inst_pvar.
func (m *Module) setInst(c *event.Context, n *node) {
	if m.instPV == nil {
		return
	}
	if err := m.instPV.Set(c, value.MakeStr(n.url)); err != nil {
		logf(c, klog.Err, "set_rtp_inst_pvar(): Failed to add RTPProxy URI to pvar")
	}
}

// command sends cmd to n, holding its lock.
func (m *Module) command(n *node, cmd string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return m.send(n, cmd)
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
