package tm

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// tm's management commands (tm.*), with Kamailio 5.6.3's names, parameters,
// reply shapes and fault codes. tm.t_uac_wait is not offered: its reply
// comes after the call returns (Kamailio's delayed replies, which the RPC
// layer does not have).

// RPC implements rpc.Provider.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "tm.cancel", Doc: "Cancels the pending branches of an INVITE transaction: Call-ID, CSeq number.", Handler: m.rpcCancel},
		{Name: "tm.reply", Doc: "Answers a transaction: code, reason, index:label, to-tag, headers, body.", Handler: m.rpcReply},
		{Name: "tm.reply_callid", Doc: "Answers an INVITE transaction: code, reason, Call-ID, CSeq number, to-tag, headers, body.", Handler: m.rpcReplyCallID},
		{Name: "tm.stats", Doc: "Transaction counts: alive, waiting, created, replies and final replies by class.", Handler: m.rpcStats},
		{Name: "tm.hash_stats", Doc: "Hash table statistics (not kept, as in Kamailio builds without TM_HASH_STATS).", Handler: rpcHashStats},
		{Name: "tm.list", Doc: "The live transactions, one structure per hash bucket.", Handler: m.rpcList, Array: true},
		{Name: "tm.clean", Doc: "Removes the transactions that outlived their lifetime.", Handler: m.rpcClean},
		{Name: "tm.t_uac_start", Doc: "Sends a request as a local transaction: method, request URI, next hop, socket, headers [, body] (\".\" for none).", Handler: m.rpcTUACStart},
		{Name: "tm.t_uac_wait_block", Doc: "tm.t_uac_start, then waits for the final reply and answers its code and reason.", Handler: m.rpcTUACWaitBlock},
	}
}

// Kamailio's transaction flags (h_table.h), as tm.list shows them.
const (
	kIsInvite           = 1 << 0
	kIsLocal            = 1 << 1
	kCanceled           = 1 << 3
	k6xx                = 1 << 4
	kInAgony            = 1 << 5 // being deleted; never listed
	kAutoInv100         = 1 << 6
	kNoAutoAck          = 1 << 7
	kDisable6xx         = 1 << 8
	kDisableFailover    = 1 << 9
	kNoE2ECancelReason  = 1 << 10
	kAsyncContinue      = 1 << 12
	kDisableInternalRpl = 1 << 13
	kAsyncSuspended     = 1 << 15
)

// kamailioFlags maps x's state to Kamailio's flag bits. x.mu must be held.
func (x *txn) kamailioFlags() int64 {
	var f int64
	set := func(on bool, bit int64) {
		if on {
			f |= bit
		}
	}
	set(x.invite, kIsInvite)
	set(x.isUAC(), kIsLocal)
	set(x.flags&flagCanceled != 0, kCanceled)
	set(x.flags&flag6xx != 0, k6xx)
	set(x.flags&flagAutoInv100 != 0, kAutoInv100)
	set(x.flags&flagNoAutoAck != 0, kNoAutoAck)
	set(x.flags&flagDisable6xx != 0, kDisable6xx)
	set(x.flags&flagDisableFailover != 0, kDisableFailover)
	set(x.flags&flagNoE2ECancelReason != 0, kNoE2ECancelReason)
	set(x.continuing, kAsyncContinue)
	set(x.flags&flagDisableInternalReply != 0, kDisableInternalRpl)
	// Kamailio's T_ADMIN_REPLY (1<<14, the script called t_reply) is not
	// set: kamgo does not record who made a local reply.
	set(x.suspended, kAsyncSuspended)
	return f
}

// isUAC reports whether x is a request kamgo sent on its own (t_uac): it
// has no received request and no matching keys but its method.
func (x *txn) isUAC() bool { return x.local && x.keys.callID == "" }

// rpcStats is tm.stats. Kamailio's build counts "created", "freed" and
// "delayed_free" too (TM_MORE_STATS); kamgo frees a transaction when it is
// deleted, never later.
func (m *Module) rpcStats(_ context.Context, c *rpc.Call) {
	st := &m.stats
	created, deleted := st.created.Load(), st.deleted.Load()
	s := m.Stats()
	u := func(n uint64) *rpc.Value { return rpc.NewInt(int64(int32(uint32(n)))) }
	c.AddStruct().
		Set("current", u(created-deleted)).
		Set("waiting", u(s.Waiting)).
		Set("total", u(created)).
		Set("total_local", u(st.local.Load())).
		Set("rpl_received", u(st.repliesReceived.Load())).
		Set("rpl_generated", u(st.generated.Load())).
		Set("rpl_sent", u(st.generated.Load()+st.relayedReplies.Load())).
		Set("6xx", u(s.Completed[6])).
		Set("5xx", u(s.Completed[5])).
		Set("4xx", u(s.Completed[4])).
		Set("3xx", u(s.Completed[3])).
		Set("2xx", u(s.Completed[2])).
		Set("created", u(created)).
		Set("freed", u(deleted)).
		Set("delayed_free", u(0))
}

// rpcHashStats is tm.hash_stats: Kamailio as Debian builds it keeps no
// per-bucket history (TM_HASH_STATS is off) and answers this fault.
func rpcHashStats(_ context.Context, c *rpc.Call) {
	c.Fault(rpc.CodeInternal, "hash table statistics are not kept (Kamailio keeps them only when built with TM_HASH_STATS)")
}

// rpcList is tm.list: one structure per bucket that holds transactions,
// in bucket order, with the fields of each of its transactions (names
// repeat when a bucket holds several).
func (m *Module) rpcList(_ context.Context, c *rpc.Call) {
	byBucket := map[uint32][]*txn{}
	var idx []uint32
	for _, x := range m.table.list(0, true, nil) {
		if _, ok := byBucket[x.index]; !ok {
			idx = append(idx, x.index)
		}
		byBucket[x.index] = append(byBucket[x.index], x)
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	for _, i := range idx {
		st := c.AddStruct()
		xs := byBucket[i]
		sort.Slice(xs, func(a, b int) bool { return xs[a].label < xs[b].label })
		for _, x := range xs {
			x.mu.Lock()
			m.listTxn(st, x)
			x.mu.Unlock()
		}
	}
}

// listTxn adds x's fields to st. x.mu must be held.
func (m *Module) listTxn(st *rpc.Value, x *txn) {
	var method, from, to, callID, cseq string
	if req := x.request(); req != nil {
		method = req.Method
		from = headerLine(req, "from")
		to = headerLine(req, "to")
		callID = headerLine(req, "call-id")
		cseq = strings.TrimRight(cseqNumberText(req), "\r\n")
	}
	uas := "yes"
	if x.isUAC() {
		uas = "no"
	}
	// Kamailio's lifetime is the tick (in seconds since it started) at
	// which the transaction's life ends; kamgo gives Unix seconds.
	end := x.created.Add(x.maxLifetime).Unix()
	st.Set("cell", rpc.NewStr(fmt.Sprintf("%p", x))).
		Set("tindex", rpc.NewInt(int64(int32(x.index)))).
		Set("tlabel", rpc.NewInt(int64(int32(x.label)))).
		Set("method", rpc.NewStr(method)).
		Set("from", rpc.NewStr(from)).
		Set("to", rpc.NewStr(to)).
		Set("callid", rpc.NewStr(callID)).
		Set("cseq", rpc.NewStr(cseq)).
		Set("uas_request", rpc.NewStr(uas)).
		Set("tflags", rpc.NewInt(x.kamailioFlags())).
		Set("outgoings", rpc.NewInt(int64(len(x.branches)))).
		// kamgo counts no references; the table holds the one it shows.
		Set("ref_count", rpc.NewInt(1)).
		Set("lifetime", rpc.NewInt(int64(int32(end))))
}

// rpcClean is tm.clean (t_clean's work).
func (m *Module) rpcClean(ctx context.Context, _ *rpc.Call) {
	c, done := m.rpcEvent(ctx)
	defer done()
	m.wClean(c)
}

// workerWait bounds how long a command waits for a free worker.
const workerWait = 5 * time.Second

// rpcEvent is an event context for a command's work (routes may run:
// failure_route after a local 487, event_route[tm:local-request]), on a
// worker of the core's pool. A command can run on a worker itself (a
// script calling an RPC command through a transport module): when none
// comes free in workerWait, the work goes on without one, and the routes
// that need a worker do not run.
func (m *Module) rpcEvent(ctx context.Context) (*event.Context, func()) {
	c := &event.Context{}
	c.Reset()
	c.Log = m.log
	if m.host == nil {
		return c, func() {}
	}
	pool := m.host.Workers()
	wctx, cancel := context.WithTimeout(ctx, workerWait)
	defer cancel()
	w, err := pool.Acquire(wctx)
	if err != nil {
		m.log.Log(klog.Warn, Name, "rpc: no free worker, the command runs without one")
		return c, func() {}
	}
	c.Worker = w
	return c, func() { pool.Release(w) }
}

// rpcCancel is tm.cancel callid cseq: the INVITE transaction's pending
// branches are canceled as t_cancel_callid does; the reply is the number
// of branches canceled that still wait for their final reply, and a note
// saying so.
func (m *Module) rpcCancel(ctx context.Context, c *rpc.Call) {
	a := &args{c: c}
	callID, ok1 := a.str()
	cseq, ok2 := a.str()
	if !ok1 || !ok2 {
		c.Fault(rpc.CodeBadRequest, "expected a Call-ID and a CSeq number")
		return
	}
	x := m.anyInvite(nil, callID, cseq)
	if x == nil {
		c.Fault(rpc.CodeBadRequest, "no INVITE transaction with this Call-ID and CSeq number")
		return
	}
	ec, done := m.rpcEvent(ctx)
	defer done()
	x.mu.Lock()
	defer x.mu.Unlock()
	// Kamailio counts every branch it canceled but for a blind one (a
	// suspended request), which ends with a local 487: those with a
	// provisional reply got their CANCEL, the others get it with their
	// first provisional reply.
	remaining := 0
	var todo []*branch
	for _, b := range x.branches {
		if b.last < 200 && !b.cancel.pending && !b.cancel.sent {
			todo = append(todo, b)
		}
	}
	for _, b := range todo {
		if !b.isBlind() {
			remaining++
		}
		x.cancelScripted(ec, b, "")
	}
	c.Add(rpc.NewInt(int64(remaining)), rpc.NewStr("branches canceled, waiting for their final reply"))
}

// rpcReply is tm.reply code reason index:label totag headers body.
func (m *Module) rpcReply(ctx context.Context, c *rpc.Call) {
	a := &args{c: c}
	code, reason, ok := a.codeReason()
	if !ok {
		return
	}
	id, ok := a.str()
	if !ok {
		c.Fault(rpc.CodeBadRequest, "expected the transaction as index:label")
		return
	}
	tag, ok := a.str()
	if !ok {
		c.Fault(rpc.CodeBadRequest, "expected a To tag")
		return
	}
	// Kamailio reads headers and body without checking that they came:
	// missing, they are empty here.
	headers, _ := a.str()
	body, _ := a.str()
	idx, label, ok := parseIdent(id)
	if !ok {
		c.Fault(rpc.CodeBadRequest, "the transaction is not written index:label")
		return
	}
	x := m.table.byIdent(idx, label)
	if x == nil {
		c.Fault(481, "no transaction with this index and label")
		return
	}
	m.replyFromRPC(ctx, c, x, code, reason, tag, headers, body)
}

// rpcReplyCallID is tm.reply_callid code reason callid cseq totag
// headers body.
func (m *Module) rpcReplyCallID(ctx context.Context, c *rpc.Call) {
	a := &args{c: c}
	code, reason, ok := a.codeReason()
	if !ok {
		return
	}
	callID, ok := a.str()
	if !ok {
		c.Fault(rpc.CodeBadRequest, "expected a Call-ID")
		return
	}
	cseq, ok := a.str()
	if !ok {
		c.Fault(rpc.CodeBadRequest, "expected a CSeq number")
		return
	}
	tag, ok := a.str()
	if !ok {
		c.Fault(rpc.CodeBadRequest, "expected a To tag")
		return
	}
	headers, _ := a.str()
	body, _ := a.str()
	x := m.byCallID(callID, cseq)
	if x == nil {
		c.Fault(rpc.CodeNotFound, "no INVITE transaction with this Call-ID and CSeq number")
		return
	}
	m.replyFromRPC(ctx, c, x, code, reason, tag, headers, body)
}

// replyFromRPC sends a reply on x as Kamailio's t_reply_with_body does:
// the to-tag given (when the request has none), the headers and body
// given; a final reply sent already makes it fail.
func (m *Module) replyFromRPC(ctx context.Context, c *rpc.Call, x *txn, code int, reason, tag, headers, body string) {
	ec, done := m.rpcEvent(ctx)
	defer done()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.gone || x.reqMsg == nil || x.isUAC() || x.replyLocalTag(ec, code, reason, tag, headers, body) < 0 {
		c.Fault(rpc.CodeInternal, "the reply could not be sent (a final one was sent already?)")
	}
}

// replyLocalTag is replyLocal with the to-tag chosen by the caller.
// x.mu must be held.
func (x *txn) replyLocalTag(c *event.Context, code int, reason, tag, headers, body string) int {
	m := x.m
	req := x.request()
	if x.uas.status >= 200 {
		m.log.Logf(klog.Info, Name, "_reply_light(): can't generate %d reply when a final %d was sent out", code, x.uas.status)
		return -1
	}
	r := sip.Reply{Code: code, Reason: reason, Headers: req.ReplyHeaders + headers, Body: body}
	if x.tr != nil {
		r.Server = x.tr.Server()
	}
	if tag != "" && toTagOf(req) == "" {
		r.ToTag = tag
		x.uas.toTag = tag
	}
	buf := sip.BuildReply(req, r)
	x.uas.status, x.uas.buf, x.uas.local = code, buf, true
	x.relayedBranch = -2
	m.stats.replyCount(code)
	m.stats.generated.Add(1)
	if code >= 200 {
		x.cleanupUACs(c, code)
		x.startFinalReplRetr()
		x.putOnWait()
	}
	if x.uas.hopOK {
		if err := x.tr.Send(x.uas.hop, buf); err != nil {
			m.log.Logf(klog.Err, Name, "_reply_light(): failed to send the reply: %v", err)
		} else {
			x.localResponseSent(c, buf)
		}
	}
	return 1
}

// parseIdent reads "index:label" as sscanf("%u:%u") does.
func parseIdent(s string) (uint32, uint32, bool) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, false
	}
	i, err1 := strconv.ParseUint(leadingDigits(a), 10, 32)
	l, err2 := strconv.ParseUint(leadingDigits(b), 10, 32)
	return uint32(i), uint32(l), err1 == nil && err2 == nil
}

func leadingDigits(s string) string {
	s = strings.TrimLeft(s, " \t")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return s[:n]
}

// args reads a call's parameters as Kamailio's rpc->scan does: a missing
// one or one of the wrong type is reported to the handler, which answers
// with its own fault.
type args struct {
	c *rpc.Call
	i int
}

func (a *args) str() (string, bool) {
	v := a.c.Param(a.i)
	switch {
	case v == nil:
		return "", false
	case v.Kind == rpc.Str:
		a.i++
		return v.Str, true
	case a.c.Convert && (v.Kind == rpc.Int || v.Kind == rpc.Double):
		a.i++
		return v.String(), true
	}
	return "", false
}

func (a *args) int() (int, bool) {
	v := a.c.Param(a.i)
	switch {
	case v == nil:
		return 0, false
	case v.Kind == rpc.Int:
		a.i++
		return int(v.Int), true
	case a.c.Convert && v.Kind == rpc.Double:
		a.i++
		return int(v.Double), true
	case a.c.Convert && v.Kind == rpc.Str:
		n, err := strconv.Atoi(strings.TrimSpace(v.Str))
		if err == nil {
			a.i++
		}
		return n, err == nil
	}
	return 0, false
}

// codeReason reads the reply code and reason both reply commands start
// with.
func (a *args) codeReason() (int, string, bool) {
	code, ok := a.int()
	if !ok {
		a.c.Fault(rpc.CodeBadRequest, "expected a reply code")
		return 0, "", false
	}
	reason, ok := a.str()
	if !ok {
		a.c.Fault(rpc.CodeBadRequest, "expected a reason phrase")
		return 0, "", false
	}
	return code, reason, true
}

var _ rpc.Provider = (*Module)(nil)

// transport is the running SIP transport, nil while there is none (no
// socket open, or a host without one): local requests from an RPC call
// (tm.t_uac_start ...) and from other modules outside a SIP event
// (dialog's keep-alives, dlg.bridge_dlg) leave by it.
func (m *Module) transport() *sip.Transport { return sip.TransportOf(m.host) }

// How long tm.t_uac_wait_block waits for the final reply: Kamailio polls
// 800 times, every 100 ms.
const (
	uacWaitPolls = 800
	uacWaitEvery = 100 * time.Millisecond
)

// rpcTUACStart is tm.t_uac_start method ruri nexthop socket headers
// [body]: the request leaves as a local transaction; the reply is empty.
func (m *Module) rpcTUACStart(ctx context.Context, c *rpc.Call) { m.rpcTUAC(ctx, c, false) }

// rpcTUACWaitBlock is tm.t_uac_wait_block: tm.t_uac_start, then the
// final reply's code and reason ("no final reply came" after 80 seconds).
func (m *Module) rpcTUACWaitBlock(ctx context.Context, c *rpc.Call) { m.rpcTUAC(ctx, c, true) }

func (m *Module) rpcTUAC(ctx context.Context, c *rpc.Call, wait bool) {
	a := &args{c: c}
	var p [5]string
	for i := range p {
		s, ok := a.str()
		if !ok {
			c.Fault(rpc.CodeBadRequest, "expected method, request URI, next hop, socket and headers; got %d of them", i)
			return
		}
		p[i] = s
	}
	body, _ := a.str()
	r := uacRequest{method: p[0], ruri: p[1], nexthop: p[2], socket: p[3], headers: p[4], body: body}
	if r.method == "" {
		c.Fault(rpc.CodeBadRequest, "the method is empty")
		return
	}
	if _, err := sipmsg.ParseURI(r.ruri); err != nil {
		c.Fault(rpc.CodeBadRequest, "the request URI %q does not parse", r.ruri)
		return
	}
	if r.nexthop == "." {
		r.nexthop = ""
	} else if r.nexthop != "" {
		if _, err := sipmsg.ParseURI(r.nexthop); err != nil {
			c.Fault(rpc.CodeBadRequest, "the next hop %q does not parse", r.nexthop)
			return
		}
	}
	tr := m.transport()
	var sock *sipmsg.Socket
	if r.socket == "." {
		r.socket = ""
	} else if r.socket != "" {
		proto, host, port, err := sip.ParseAddr(r.socket)
		if err != nil || host == "" || strings.HasPrefix(host, "(") {
			c.Fault(rpc.CodeBadRequest, "the socket %q is not proto:host:port", r.socket)
			return
		}
		if tr != nil {
			sock = tr.Socket(proto, host, port)
		}
		if sock == nil {
			c.Fault(rpc.CodeBadRequest, "no listening socket is %q", r.socket)
			return
		}
	}
	hdrs, fault := checkUACHeaders(r)
	if fault != "" {
		c.Fault(rpc.CodeBadRequest, "%s", fault)
		return
	}
	var ok bool
	if hdrs.block, ok = substituteSendAddr(hdrs.block, sock, tr, r); !ok {
		c.Fault(rpc.CodeInternal, "no socket to put in place of !! in the headers")
		return
	}
	if hdrs.callID == "" {
		hdrs.callID = newCallID(tr)
	}
	if hdrs.fromTag == "" {
		hdrs.fromTag = fromTag(tr, hdrs.callID, r.ruri)
	}
	ec, done := m.rpcEvent(ctx)
	if tr != nil {
		sip.Attach(ec, tr)
	}
	rc := m.uac(ec, tr, r, hdrs, sock)
	done()
	if rc <= 0 {
		// Kamailio's code for the error; the text says it in kamgo's words.
		code, _ := sip.ErrorReply(rc, "RPC/UAC")
		c.Fault(code, "the request could not be sent (error %d)", rc)
		return
	}
	if !wait {
		return
	}
	x := m.localTxn(hdrs.callID, hdrs.cseq)
	code, reason, answered := 0, "", false
	for range uacWaitPolls {
		if x == nil {
			break
		}
		if code, reason, answered = x.finalReply(); answered {
			break
		}
		select {
		case <-ctx.Done():
			c.Fault(rpc.CodeInternal, "no final reply came")
			return
		case <-time.After(uacWaitEvery):
		}
	}
	if !answered {
		c.Fault(rpc.CodeInternal, "no final reply came")
		return
	}
	c.AddStruct().Set("code", rpc.NewInt(int64(code))).Set("text", rpc.NewStr(reason))
}

// localTxn is the newest local transaction with callID and cseq, nil when
// there is none (an ACK has none).
func (m *Module) localTxn(callID string, cseq int) *txn {
	bucket := m.table.list(hashOf(callID, strconv.Itoa(cseq)), false, nil)
	for i := len(bucket) - 1; i >= 0; i-- {
		x := bucket[i]
		x.mu.Lock()
		ok := x.isUAC() && x.reqMsg != nil && headerValue(x.request(), "call-id") == callID
		x.mu.Unlock()
		if ok {
			return x
		}
	}
	return nil
}

// finalReply is the final reply of a local transaction's branch, with its
// reason: the reply's for a negative one; the standard phrase for one tm
// made (as Kamailio's error_text) and for a 2xx, which tm does not keep.
func (x *txn) finalReply() (code int, reason string, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.branches) == 0 {
		return 0, "", false
	}
	b := x.branches[0]
	if b.last < 200 {
		return 0, "", false
	}
	if b.reply != nil && !b.faked {
		return b.last, b.reply.Reason, true
	}
	return b.last, sip.ReasonPhrase(b.last), true
}

func headerValue(m *sipmsg.Msg, name string) string {
	v, _ := m.Header(name)
	return strings.TrimSpace(v)
}

// checkUACHeaders is uacCheckHeaders' check for an RPC call: the same
// rules, a fault text instead of log lines ("" when the headers are
// fine).
func checkUACHeaders(r uacRequest) (uacHeaders, string) {
	var u uacHeaders
	text := r.headers
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\r\n"
	}
	fake, err := sipmsg.Parse("UAC sip:uac SIP/2.0\r\n" + text + "\r\n")
	if err != nil {
		return u, "the headers do not parse"
	}
	has := func(name string) bool { _, ok := fake.Header(name); return ok }
	switch {
	case r.body != "" && !has("content-type"):
		return u, "a body needs a Content-Type header"
	case r.body != "" && has("content-length"):
		return u, "the headers may not have a Content-Length"
	case !has("to"):
		return u, "the headers have no To"
	case !has("from"):
		return u, "the headers have no From"
	}
	from, _ := fake.Header("from")
	to, _ := fake.Header("to")
	fna, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		return u, "the From header does not parse"
	}
	tna, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		return u, "the headers do not parse"
	}
	u.fromURI, u.toURI = fna.URI, tna.URI
	u.fromTag, _ = fna.Param("tag")
	u.toTag, _ = tna.Param("tag")
	u.cseq = defaultCSeq
	if num, method, ok := fake.CSeq(); ok {
		n := 0
		for i := 0; i < len(num); i++ {
			if num[i] < '0' || num[i] > '9' {
				return u, "the CSeq number has a non-digit"
			}
			n = n*10 + int(num[i]-'0')
		}
		if method != r.method {
			return u, "the CSeq method is not the request's"
		}
		u.cseq = n
	}
	u.callID, _ = fake.Header("call-id")
	var b strings.Builder
	for _, h := range fake.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "from", "to", "call-id", "cseq":
			continue
		}
		b.WriteString(fake.Buf[h.Start:h.End])
	}
	u.block = b.String()
	return u, ""
}
