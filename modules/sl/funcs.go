package sl

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// replyMode says whether a reply function may reply through a
// transaction.
type replyMode int

const (
	slOnly replyMode = iota // sl_send_reply, sl_reply
	viaTM                   // send_reply, send_reply_mode
)

// send_reply_mode's flags, as its documentation gives them.
const (
	modeNoConnect = 1
	modeClose     = 2
)

// compileReply compiles sl_send_reply(code, reason), sl_reply,
// send_reply(code, reason) and send_reply_mode(code, reason, mode). The
// code is a number or a pseudo-variable holding one (default_code when it
// holds none); the reason is a format string.
func (m *Module) compileReply(mode replyMode) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		code, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		reason, err := args[1].Str(h)
		if err != nil {
			return nil, err
		}
		var flags module.IntFunc
		if len(args) == 3 {
			if flags, err = args[2].Int(h); err != nil {
				return nil, err
			}
		}
		return func(c *event.Context) int {
			n, ok := code(c)
			if !ok {
				module.NotInt(c)
				n = m.defaultCode
			}
			if mode == slOnly {
				return m.reply(c, sipmsg.FromContext(c), int(n), reason(c))
			}
			var f int64
			if flags != nil {
				if f, ok = flags(c); !ok {
					module.NotInt(c)
					f = 0
				}
			}
			return m.sendReply(c, int(n), reason(c), f)
		}, nil
	}
}

// sendReply is send_reply_mode: the connection flags of mode, then a
// reply through the transaction when the request has one, else a
// stateless one.
func (m *Module) sendReply(c *event.Context, code int, reason string, mode int64) int {
	msg := sipmsg.FromContext(c)
	switch {
	case mode&modeNoConnect != 0:
		msg.Send.Rpl |= sipmsg.NoConnect
	case mode&modeClose != 0:
		msg.Send.Rpl |= sipmsg.CloseAfter
	}
	if m.tm != nil {
		if rc, handled := m.tm.ReplyInTransaction(c, code, reason); handled {
			return rc
		}
	}
	if !msg.IsRequest() {
		return -1
	}
	return m.reply(c, msg, code, reason)
}

// reply sends a stateless reply to req, as Kamailio's sl_reply_helper:
// never to an ACK; a redirect carries the destination set as Contact; a
// To without a tag gets sl's to-tag from 180 on.
func (m *Module) reply(c *event.Context, req *sipmsg.Msg, code int, reason string) int {
	if !req.IsRequest() || strings.EqualFold(req.Method, "ACK") {
		m.stats.failures.Add(1)
		return -1
	}
	t := sip.From(c)
	if t == nil {
		m.log.Log(klog.Err, Name, "sl_reply_helper(): no SIP socket is open (the configuration has no listen=) - reply not sent")
		m.stats.failures.Add(1)
		return -1
	}
	headers := req.ReplyHeaders
	if code >= 300 && code < 400 {
		headers += m.contacts(req)
	}
	r := sip.Reply{Code: code, Reason: reason, Headers: headers, Server: t.Server()}
	if code >= 180 {
		if to, ok := req.Header("to"); ok {
			if na, err := sipmsg.ParseNameAddr(to); err == nil {
				if tag, _ := na.Param("tag"); tag == "" {
					r.ToTag = m.toTag(t.First(), req)
				}
			}
		}
	}
	buf := sip.BuildReply(req, r)
	m.filterUntil.Store(m.now().Add(ackWindow).UnixNano())
	err := t.SendReply(c, req, buf)
	m.localResponse(c, t, buf)
	if err != nil {
		m.stats.failures.Add(1)
		return -1
	}
	m.stats.count(code)
	if code >= 200 {
		sip.MarkFinalReply(c, req)
	}
	return 1
}

// localResponse runs event_route[sl:local-response] (or the KEMI
// function event_callback_lres_sent names) with the reply just sent as
// its message, when the configuration has one.
func (m *Module) localResponse(c *event.Context, t *sip.Transport, buf string) {
	if m.host == nil || (!m.host.Has(event.Event(EventLocalResponse)) &&
		(m.evLocalResp == "" || module.EngineOf(m.host) == nil)) {
		return
	}
	rpl, err := sipmsg.Parse(buf)
	if err != nil {
		return
	}
	ec := &event.Context{}
	ec.Reset()
	ec.Worker, ec.Log = c.Worker, c.Log
	sipmsg.Set(ec, rpl)
	sip.Attach(ec, t)
	module.RunEvent(m.host, ec, EventLocalResponse, m.evLocalResp)
}

// contacts is the Contact header of a redirect (sip.DestinationSet with
// rich_redirect), "" with a warning when there is nothing to list.
func (m *Module) contacts(req *sipmsg.Msg) string {
	h, ok := sip.DestinationSet(req, int(m.richRedirect))
	if !ok {
		m.log.Log(klog.Warn, Name, "print_dset(): no r-uri or branches")
	}
	return h
}

// compileReplyError compiles sl_reply_error() and send_reply_error()
// (Kamailio 5.8; without a transaction module the two are the same): a
// reply describing the error of the last send in the event.
func (m *Module) compileReplyError(module.Host, []*module.Arg) (module.Call, error) {
	return m.replyError, nil
}

// replyError is sl_reply_error.
func (m *Module) replyError(c *event.Context) int {
	code, phrase := sip.ErrorReply(sip.LastError(c), "SL")
	m.reply(c, sipmsg.FromContext(c), code, phrase)
	m.log.Logf(klog.Err, Name, "sl_reply_error(): stateless error reply used: %s", phrase)
	return 1
}

// compileForwardReply compiles sl_forward_reply([code[, reason]]): the
// received reply is forwarded now, with the code (of the same class) and
// the reason given.
func (m *Module) compileForwardReply(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		var code, reason string
		if len(strs) > 0 {
			code = strs[0](c)
		}
		if len(strs) > 1 {
			reason = strs[1](c)
		}
		return m.forwardReply(c, code, reason)
	}, nil
}

// forwardReply is sl_forward_reply: the reply of c forwarded now, with
// code and reason when they are not empty.
func (m *Module) forwardReply(c *event.Context, code, reason string) int {
	msg := sipmsg.FromContext(c)
	if msg.IsRequest() {
		m.log.Log(klog.Err, Name, "w_sl_forward_reply(): invalid SIP message type")
		return -1
	}
	edits, ok := m.statusEdits(msg, code, reason)
	if !ok {
		return -1
	}
	t := sip.From(c)
	if t == nil {
		m.log.Log(klog.Err, Name, "w_sl_forward_reply(): no SIP socket is open (the configuration has no listen=)")
		return -1
	}
	if err := t.ForwardReply(c, msg, edits...); err != nil {
		return -1
	}
	return 1
}

// statusEdits are the changes of a reply's status code and reason.
func (m *Module) statusEdits(msg *sipmsg.Msg, code, reason string) ([]sipmsg.Edit, bool) {
	sp := strings.IndexByte(msg.Buf, ' ')
	if sp < 0 || sp+4 > len(msg.Buf) {
		return nil, false
	}
	var edits []sipmsg.Edit
	if code != "" {
		old := msg.Buf[sp+1 : sp+4]
		switch {
		case len(code) != 3:
			m.log.Logf(klog.Err, Name, "w_sl_forward_reply(): invalid reply code value %s", code)
			return nil, false
		case code[0] != old[0]:
			m.log.Log(klog.Err, Name, "w_sl_forward_reply(): reply code class cannot be changed")
			return nil, false
		case code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9':
			m.log.Logf(klog.Err, Name, "w_sl_forward_reply(): invalid reply code value %s!", code)
			return nil, false
		}
		edits = append(edits, sipmsg.Edit{At: sp + 1, Len: 3, Text: code})
	}
	if reason != "" {
		at := sp + 5
		end := strings.Index(msg.Buf, "\r\n")
		if at <= end {
			edits = append(edits, sipmsg.Edit{At: at, Len: end - at, Text: reason})
		}
	}
	return edits, true
}

// SendReply answers the request of c statelessly, as sl_send_reply does,
// for modules that reply to requests themselves (sanity, siputils'
// options_reply). It returns sl_send_reply's code.
func (m *Module) SendReply(c *event.Context, code int, reason string) int {
	return m.reply(c, sipmsg.FromContext(c), code, reason)
}

// SendReplyTM answers the request of c as send_reply does: through its
// transaction when tm has one for it, else statelessly (siputils'
// options_reply).
func (m *Module) SendReplyTM(c *event.Context, code int, reason string) int {
	return m.sendReply(c, code, reason, 0)
}
