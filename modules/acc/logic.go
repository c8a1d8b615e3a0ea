package acc

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// upstreamKey marks an event whose request detect_direction found going
// upstream (Kamailio's FL_REQ_UPSTREAM message flag).
var upstreamKey = event.NewKey()

func (m *Module) accOn(flags uint32) bool    { return flagSet(flags, m.cfg.logFlag) }
func (m *Module) mcOn(flags uint32) bool     { return flagSet(flags, m.cfg.logMissedFlag) }
func (m *Module) failedOn(flags uint32) bool { return flagSet(flags, m.cfg.failedTransactionFlag) }
func (m *Module) prepareOn(flags uint32) bool {
	return m.cfg.prepareAlways != 0 || flagSet(flags, m.cfg.prepareFlag)
}

// txnState is what acc keeps per transaction.
type txnState struct {
	upstream bool
}

// onRequest is tm's RequestIn callback (Kamailio's acc_onreq): a request
// with accounting on gets the transaction callbacks accounting needs.
func (m *Module) onRequest(e *tm.Event) {
	req, flags := e.Req, e.Ctx.Flags
	if isMethod(req, "CANCEL") && m.cfg.reportCancels == 0 {
		return
	}
	if !m.accOn(flags) && !m.mcOn(flags) && !m.prepareOn(flags) {
		return
	}
	if !m.preparse(e.Ctx, req) {
		return
	}
	types := tm.ResponseOut
	if m.cfg.reportAck != 0 && m.accOn(flags) {
		types |= tm.E2EAckIn
	}
	if isMethod(req, "INVITE") && (m.mcOn(flags) || m.prepareOn(flags)) {
		types |= tm.OnFailure
	}
	st := &txnState{}
	if m.direction != nil && m.direction(e.Ctx) {
		st.upstream = true
		e.Ctx.Set(upstreamKey, true)
	}
	e.Txn.Register(types, func(ev *tm.Event) { m.txnEvent(st, ev) })
}

// txnEvent dispatches the transaction callbacks (Kamailio's tmcb_func).
func (m *Module) txnEvent(st *txnState, e *tm.Event) {
	switch e.Type {
	case tm.ResponseOut:
		m.onReply(st, e)
	case tm.E2EAckIn:
		m.onAck(e)
	case tm.OnFailure:
		m.onMissed(st, e)
	}
}

// preparse checks that req has what every line needs; Kamailio's
// acc_preparse_req fails without a From header.
func (m *Module) preparse(c *event.Context, req *sipmsg.Msg) bool {
	if _, ok := req.Header("from"); !ok {
		m.logf(c, klog.Err, "acc_preparse_req(): failed to preparse request")
		return false
	}
	return true
}

// branchOf is the branch whose Request-URI a reply line reports: the
// relayed one, else for a negative reply the picked one.
func branchOf(e *tm.Event, code int) int {
	if br := e.Txn.RelayedBranch(); br >= 0 {
		return br
	}
	if code >= 300 {
		return e.Txn.PickedBranch()
	}
	return -1
}

// replyTo is the To header a reply line reports: the reply's, else the
// request's (a reply tm made).
func replyTo(e *tm.Event) string {
	if e.Reply != nil {
		if to, ok := e.Reply.Header("to"); ok {
			return to
		}
	}
	to, _ := e.Req.Header("to")
	return to
}

// procEnv is what Kamailio's acc keeps between lines in each process
// (acc_env): the last reason written and the last local to-tag taken for
// a missed call. kamgo keeps it per worker. A reply tm made takes the
// last reason when it gets none of its own, and a line whose To has no
// tag takes the last to-tag, as in Kamailio.
type procEnv struct {
	toTag, reason string
}

var envKey = event.NewKey()

// procEnvOf is the worker's procEnv; an event without a worker gets an
// empty one.
func procEnvOf(c *event.Context) *procEnv {
	if c == nil || c.Worker == nil {
		return &procEnv{}
	}
	if p, ok := c.Worker.Get(envKey).(*procEnv); ok {
		return p
	}
	p := &procEnv{}
	c.Worker.Set(envKey, p)
	return p
}

// codeStatus is the code and reason of a reply (Kamailio's
// env_set_code_status): for a reply tm made (rpl nil) the code and the
// last reason, or the code's standard reason when there is none; for a
// received one its status line, or with reason_from_hf its first Reason
// header.
func (m *Module) codeStatus(pe *procEnv, code int, rpl *sipmsg.Msg) (string, string) {
	if rpl == nil {
		if pe.reason == "" {
			pe.reason = sip.ReasonPhrase(code)
		}
		return strconv.Itoa(code), pe.reason
	}
	codeText := strconv.Itoa(rpl.Status)
	pe.reason = rpl.Reason
	if m.cfg.reasonFromHF != 0 {
		for _, h := range rpl.Headers {
			if strings.EqualFold(strings.TrimSpace(h.Name), "reason") {
				pe.reason = strings.TrimSpace(h.Value)
				break
			}
		}
	}
	return codeText, pe.reason
}

// onMissed reports a missed call (Kamailio's on_missed) and turns the
// missed-call flag off, so that the call is reported once.
func (m *Module) onMissed(st *txnState, e *tm.Event) {
	code := e.Code
	if br := branchOf(e, code); br >= 0 {
		e.Req.NewURI = e.Txn.BranchURI(br)
	}
	pe := procEnvOf(e.Ctx)
	ev := env{to: replyTo(e), upstream: st.upstream}
	ev.code, ev.reason = m.codeStatus(pe, code, e.Reply)
	if e.Reply == nil || !hasHeader(e.Reply, "to") {
		pe.toTag = e.Txn.LocalToTag()
	}
	ev.toTag = pe.toTag
	if m.mcOn(e.Ctx.Flags) {
		m.write(e.Ctx, textMissed, e.Req, ev)
		e.Ctx.Flags &^= 1 << uint(m.cfg.logMissedFlag)
	}
}

// onReply reports a reply sent upstream (Kamailio's acc_onreply): a
// missed call first when it is one, then the transaction when the reply
// is one to account. A reply tm made has its code's standard reason.
func (m *Module) onReply(st *txnState, e *tm.Event) {
	code := e.Code
	pe := procEnvOf(e.Ctx)
	if e.Reply == nil && len(e.Buf) >= 20 && strings.HasPrefix(e.Buf, "SIP/2.0 ") {
		pe.reason = sip.ReasonPhrase(code)
	}
	if e.Txn.Invite() && code >= 300 && m.mcOn(e.Ctx.Flags) {
		m.onMissed(st, e)
	}
	if !m.shouldAccount(e.Ctx.Flags, e.Reply, code) {
		return
	}
	if br := branchOf(e, code); br >= 0 {
		e.Req.NewURI = e.Txn.BranchURI(br)
	}
	ev := env{to: replyTo(e), upstream: st.upstream, toTag: pe.toTag}
	ev.code, ev.reason = m.codeStatus(pe, code, e.Reply)
	if m.accOn(e.Ctx.Flags) {
		m.write(e.Ctx, textAnswered, e.Req, ev)
	}
}

// shouldAccount is Kamailio's should_acc_reply: a negative reply only with
// failed_transaction_flag and a code failed_filter does not name; other
// replies with accounting on, a provisional one only with early_media and
// a body.
func (m *Module) shouldAccount(flags uint32, rpl *sipmsg.Msg, code int) bool {
	if code >= 300 {
		if !m.failedOn(flags) {
			return false
		}
		for _, f := range m.filter {
			if f == code {
				return false
			}
		}
		return true
	}
	if !m.accOn(flags) {
		return false
	}
	if code < 200 && (m.cfg.earlyMedia == 0 || !hasBody(rpl)) {
		return false
	}
	return true
}

// hasBody reports whether a reply's Content-Length is above 0.
func hasBody(rpl *sipmsg.Msg) bool {
	if rpl == nil {
		return false
	}
	v, ok := rpl.Header("content-length")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return err == nil && n > 0
}

func hasHeader(msg *sipmsg.Msg, name string) bool {
	_, ok := msg.Header(name)
	return ok
}

// onAck reports the ACK of a 2xx relayed upstream (Kamailio's acc_onack),
// with the code the transaction sent.
func (m *Module) onAck(e *tm.Event) {
	ack := e.Req
	if !m.preparse(e.Ctx, ack) {
		return
	}
	to, _ := ack.Header("to")
	pe := procEnvOf(e.Ctx)
	pe.reason = sip.ReasonPhrase(e.Code)
	ev := env{to: to, toTag: pe.toTag, code: strconv.Itoa(e.Code), reason: pe.reason}
	if m.accOn(e.Txn.Flags()) {
		m.write(e.Ctx, textAcked, ack, ev)
	}
}

// write prints one accounting line for req (Kamailio's acc_log_request),
// its extras and legs read in c (whose message is req), at log_level.
func (m *Module) write(c *event.Context, text string, req *sipmsg.Msg, e env) {
	l := line{text: text, when: m.now(), core: coreOf(req, e)}
	for _, x := range m.logExtra {
		l.extraN = append(l.extraN, x.name)
	}
	l.extraV = values(c, m.logExtra)
	if len(m.legs) > 0 {
		for _, x := range m.legs {
			l.legN = append(l.legN, x.name)
		}
		for i := 0; ; i++ {
			vals := make([]string, len(m.legs))
			found := false
			for j, x := range m.legs {
				if v, ok := m.legValue(c, x, i); ok {
					vals[j], found = v, true
				}
			}
			if !found && i > 0 {
				break
			}
			l.legs = append(l.legs, vals)
		}
	}
	out := l.format(timeOpts{mode: m.cfg.timeMode, attr: m.cfg.timeAttr, exten: m.cfg.timeExten, format: m.cfg.timeFormat})
	for _, w := range l.warnings {
		m.logf(c, klog.Warn, "acc_log_request(): %s", w)
	}
	lg := m.log
	if c != nil && c.Log != nil {
		lg = c.Log
	}
	if lg != nil {
		lg.Log(klog.Level(m.cfg.logLevel), Name, "acc_log_request(): "+out)
	}
}

func isMethod(msg *sipmsg.Msg, method string) bool {
	if msg.IsRequest() {
		return strings.EqualFold(msg.Method, method)
	}
	return false
}

func (m *Module) logf(c *event.Context, lv klog.Level, format string, args ...any) {
	lg := m.log
	if c != nil && c.Log != nil {
		lg = c.Log
	}
	if lg != nil {
		lg.Logf(lv, Name, format, args...)
	}
}
