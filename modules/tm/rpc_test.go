package tm_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// rpcRoutes answers OPTIONS statelessly, holds INVITEs with X-Hold in a
// transaction answered 180 (for tm.reply and tm.reply_callid) and relays
// the other requests to UAS1.
const rpcRoutes = `request_route {
	if (method == "OPTIONS") {
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_present_hf("X-Hold")) {
		t_newtran();
		t_reply("180", "Held");
		exit;
	}
	t_relay_to_udp("127.0.0.1", "UAS1");
	exit;
}
`

// startRPC is start with tm, sl, pv and textops, returning the server
// whose registry the tests call.
func startRPC(t *testing.T, routes string, peers ...*siptest.UA) (*proxy, *server.Server) {
	t.Helper()
	p := startWith(t, []string{"tm", "sl", "pv", "textops"}, routes, peers...)
	return p, p.Srv
}

// rpcCall runs method with params (strings and ints) through the registry;
// the reply is its values, or the fault.
func rpcCall(t *testing.T, srv *server.Server, method string, params ...any) ([]*rpc.Value, *rpc.Fault) {
	t.Helper()
	var vals []*rpc.Value
	for _, p := range params {
		switch v := p.(type) {
		case string:
			vals = append(vals, rpc.NewStr(v))
		case int:
			vals = append(vals, rpc.NewInt(int64(v)))
		}
	}
	out, fault, ok := siptest.RPC(srv, method, vals...)
	if !ok {
		t.Fatalf("%s is not registered", method)
	}
	return out, fault
}

// rpcText is the reply as text, values separated by spaces, or "fault CODE
// TEXT".
func rpcText(t *testing.T, srv *server.Server, method string, params ...any) string {
	t.Helper()
	vals, f := rpcCall(t, srv, method, params...)
	if f != nil {
		return "fault " + f.Error()
	}
	var out []string
	for _, v := range vals {
		out = append(out, v.String())
	}
	return strings.Join(out, " ")
}

// until reads p's messages until one whose status (or method) is want.
func until(p *siptest.UA, want string) *sipmsg.Msg {
	return p.RecvMatch(want, func(m *sipmsg.Msg) bool { return siptest.Status(m) == want || m.Method == want })
}

// member is a structure's member as text.
func member(v *rpc.Value, name string) string {
	m, ok := v.Get(name)
	if !ok {
		return "<none>"
	}
	return m.String()
}

// TestRPCReply: tm.list shows a held transaction; tm.reply and
// tm.reply_callid answer transactions with the to-tag, headers and body
// given; the faults are Kamailio's.
func TestRPCReply(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p, srv := startRPC(t, rpcRoutes, uas)
	ruri := "sip:bob@127.0.0.1"
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "h1", "call-h1", 7, "X-Hold: 1"))
	until(phone, "180 Held")

	vals, f := rpcCall(t, srv, "tm.list")
	if f != nil || len(vals) != 1 {
		t.Fatalf("tm.list: %v %v", vals, f)
	}
	tx := vals[0]
	var names []string
	for _, m := range tx.Members {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "cell tindex tlabel method from to callid cseq uas_request tflags outgoings ref_count lifetime" {
		t.Errorf("tm.list members: %s", got)
	}
	for name, want := range map[string]string{
		"method": "INVITE", "from": "From: <sip:alice@127.0.0.1>;tag=a-call-h1\r\n", "to": "To: <sip:bob@127.0.0.1>\r\n",
		"callid": "Call-ID: call-h1\r\n", "cseq": "CSeq: 7", "uas_request": "yes", "outgoings": "0",
	} {
		if got := member(tx, name); got != want {
			t.Errorf("tm.list %s = %q, want %q", name, got, want)
		}
	}
	if fl, _ := tx.Get("tflags"); fl.Int&1 == 0 {
		t.Errorf("tm.list tflags %d: not an INVITE", fl.Int)
	}
	ident := member(tx, "tindex") + ":" + member(tx, "tlabel")

	for _, tc := range []struct {
		params []any
		want   string
	}{
		{nil, "fault 400 expected a reply code"},
		{[]any{"486"}, "fault 400 expected a reply code"},
		{[]any{486}, "fault 400 expected a reason phrase"},
		{[]any{486, "Busy"}, "fault 400 expected the transaction as index:label"},
		{[]any{486, "Busy", ident}, "fault 400 expected a To tag"},
		{[]any{486, "Busy", "12", "t"}, "fault 400 the transaction is not written index:label"},
		{[]any{486, "Busy", "1:2", "t"}, "fault 481 no transaction with this index and label"},
	} {
		if got := rpcText(t, srv, "tm.reply", tc.params...); got != tc.want {
			t.Errorf("tm.reply %v: %s, want %s", tc.params, got, tc.want)
		}
	}
	if got := rpcText(t, srv, "tm.reply", 486, "Busy Now", ident, "tg1", "X-A: 1\r\nContent-Type: text/plain\r\n", "hello"); got != "" {
		t.Fatalf("tm.reply: %s", got)
	}
	r := until(phone, "486 Busy Now")
	if to, _ := r.Header("to"); !strings.HasSuffix(to, ";tag=tg1") {
		t.Errorf("To %q: the tag given is not there", to)
	}
	if x, _ := r.Header("x-a"); x != "1" || r.Body != "hello" {
		t.Errorf("reply headers or body:\n%s", r.Buf)
	}
	if got := rpcText(t, srv, "tm.reply", 500, "Again", ident, "tg1"); got != "fault 500 the reply could not be sent (a final one was sent already?)" {
		t.Errorf("second final reply: %s", got)
	}

	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "h2", "call-h2", 3, "X-Hold: 1"))
	until(phone, "180 Held")
	for _, tc := range []struct {
		params []any
		want   string
	}{
		{[]any{603, "Decline"}, "fault 400 expected a Call-ID"},
		{[]any{603, "Decline", "call-h2"}, "fault 400 expected a CSeq number"},
		{[]any{603, "Decline", "call-h2", "3"}, "fault 400 expected a To tag"},
		{[]any{603, "Decline", "call-h2", "4", "t", "", ""}, "fault 404 no INVITE transaction with this Call-ID and CSeq number"},
		{[]any{603, "Decline", "call-h2", "3", "tg2", "", ""}, ""},
	} {
		if got := rpcText(t, srv, "tm.reply_callid", tc.params...); got != tc.want {
			t.Errorf("tm.reply_callid %v: %s, want %s", tc.params, got, tc.want)
		}
	}
	r = until(phone, "603 Decline")
	if to, _ := r.Header("to"); !strings.HasSuffix(to, ";tag=tg2") {
		t.Errorf("To %q: the tag given is not there", to)
	}

	st, _ := rpcCall(t, srv, "tm.stats")
	want := "{current: 2, waiting: 2, total: 2, total_local: 0, rpl_received: 0, rpl_generated: 4, rpl_sent: 4, " +
		"6xx: 1, 5xx: 0, 4xx: 1, 3xx: 0, 2xx: 0, created: 2, freed: 0, delayed_free: 0}"
	if len(st) != 1 || st[0].String() != want {
		t.Errorf("tm.stats:\n got  %v\n want %s", st, want)
	}
	if got := rpcText(t, srv, "tm.hash_stats"); !strings.HasPrefix(got, "fault 500 hash table statistics are not kept") {
		t.Errorf("tm.hash_stats: %s", got)
	}
	if got := rpcText(t, srv, "tm.clean"); got != "" {
		t.Errorf("tm.clean: %s", got)
	}
}

// TestRPCCancel: tm.cancel sends a CANCEL on a branch that has a
// provisional reply; a branch without one gets its CANCEL with its first
// provisional reply. Both count as waiting for their final reply.
func TestRPCCancel(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p, srv := startRPC(t, rpcRoutes, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())

	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "c1", "call-c1", 1))
	inv := until(uas, "INVITE")
	if got := rpcText(t, srv, "tm.cancel", "call-c1", "1"); got != "1 branches canceled, waiting for their final reply" {
		t.Errorf("tm.cancel before a provisional reply: %s", got)
	}
	uas.None()
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "u1"))
	if c := until(uas, "CANCEL"); siptest.TopBranch(c) != siptest.TopBranch(inv) {
		t.Errorf("CANCEL branch %s, INVITE's %s", siptest.TopBranch(c), siptest.TopBranch(inv))
	}

	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "c2", "call-c2", 5))
	inv = until(uas, "INVITE")
	uas.SendTo(p.Addr, siptest.Reply(inv, 183, "Progress", "u2"))
	until(phone, "183 Progress")
	if got := rpcText(t, srv, "tm.cancel", "call-c2", "5"); got != "1 branches canceled, waiting for their final reply" {
		t.Errorf("tm.cancel after a provisional reply: %s", got)
	}
	until(uas, "CANCEL")

	// An INVITE tm sent itself is found by its Call-ID and CSeq too, as
	// Kamailio's t_lookup_callid finds every transaction.
	hdrs := "From: <sip:kamgo@127.0.0.1>;tag=f3\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: uac-c3\r\nCSeq: 9 INVITE\r\nContact: <sip:kamgo@127.0.0.1>\r\n"
	if got := rpcText(t, srv, "tm.t_uac_start", "INVITE", ruri, ".", ".", hdrs); got != "" {
		t.Fatalf("tm.t_uac_start: %s", got)
	}
	inv = until(uas, "INVITE")
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "u3"))
	uas.None()
	// tm.reply_callid does not answer a request kamgo did not receive
	// (Kamailio 5.6.3's RPC process crashes on it: spec/deviations.md);
	// the transaction goes on.
	if got := rpcText(t, srv, "tm.reply_callid", 486, "Busy", "uac-c3", "9", "tt", "", ""); got != "fault 404 no INVITE transaction with this Call-ID and CSeq number" {
		t.Errorf("tm.reply_callid on a local INVITE: %s", got)
	}
	if got := rpcText(t, srv, "tm.cancel", "uac-c3", "9"); got != "1 branches canceled, waiting for their final reply" {
		t.Errorf("tm.cancel of a local INVITE: %s", got)
	}
	if c := until(uas, "CANCEL"); siptest.TopBranch(c) != siptest.TopBranch(inv) {
		t.Errorf("local CANCEL branch %s, INVITE's %s", siptest.TopBranch(c), siptest.TopBranch(inv))
	}

	for _, tc := range []struct {
		params []any
		want   string
	}{
		{[]any{"call-c2"}, "fault 400 expected a Call-ID and a CSeq number"},
		{[]any{"call-c2", "6"}, "fault 400 no INVITE transaction with this Call-ID and CSeq number"},
		{[]any{"nosuch", "1"}, "fault 400 no INVITE transaction with this Call-ID and CSeq number"},
	} {
		if got := rpcText(t, srv, "tm.cancel", tc.params...); got != tc.want {
			t.Errorf("tm.cancel %v: %s, want %s", tc.params, got, tc.want)
		}
	}
}

// TestRPCUAC: tm.t_uac_start sends a request as a local transaction, from
// the start as after SIP requests came; tm.t_uac_wait_block answers the final reply, the peer's or
// the timeout's; bad parameters get Kamailio's faults.
func TestRPCUAC(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p, srv := startRPC(t, rpcRoutes, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	hdrs := "From: <sip:kamgo@127.0.0.1>\r\nTo: <sip:bob@127.0.0.1>\r\n"

	// The transport is the server's from the start: no SIP request has
	// to come first.
	if got := rpcText(t, srv, "tm.t_uac_start", "OPTIONS", ruri, ".", ".", hdrs+"Call-ID: uac-0\r\n"); got != "" {
		t.Errorf("before any SIP request: %s", got)
	}
	first := until(uas, "OPTIONS")
	if id, _ := first.Header("call-id"); id != "uac-0" {
		t.Errorf("before any SIP request: Call-ID %q", id)
	}
	uas.SendTo(p.Addr, siptest.Reply(first, 200, "OK", "u0"))
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:svc@127.0.0.1", "o1", "opt-1", 1))
	until(phone, "200 OK")

	for _, tc := range []struct {
		params []any
		want   string
	}{
		{[]any{"MESSAGE", ruri}, "fault 400 expected method, request URI, next hop, socket and headers; got 2 of them"},
		{[]any{"MESSAGE", ruri, ".", 5, hdrs}, "fault 400 expected method, request URI, next hop, socket and headers; got 3 of them"},
		{[]any{"", ruri, ".", ".", hdrs}, "fault 400 the method is empty"},
		{[]any{"MESSAGE", "bob", ".", ".", hdrs}, "fault 400 the request URI \"bob\" does not parse"},
		{[]any{"MESSAGE", ruri, "nowhere", ".", hdrs}, "fault 400 the next hop \"nowhere\" does not parse"},
		{[]any{"MESSAGE", ruri, ".", "udp:127.0.0.2:5", hdrs}, "fault 400 no listening socket is \"udp:127.0.0.2:5\""},
		{[]any{"MESSAGE", ruri, ".", ".", "From: <sip:k@x>\r\n"}, "fault 400 the headers have no To"},
		{[]any{"MESSAGE", ruri, ".", ".", "To: <sip:k@x>\r\n"}, "fault 400 the headers have no From"},
		{[]any{"MESSAGE", ruri, ".", ".", hdrs, "hi"}, "fault 400 a body needs a Content-Type header"},
		{[]any{"MESSAGE", ruri, ".", ".", hdrs + "CSeq: 3 INFO\r\n"}, "fault 400 the CSeq method is not the request's"},
		{[]any{"MESSAGE", ruri, ".", ".", hdrs + "CSeq: x3 MESSAGE\r\n"}, "fault 400 the CSeq number has a non-digit"},
	} {
		if got := rpcText(t, srv, "tm.t_uac_start", tc.params...); got != tc.want {
			t.Errorf("tm.t_uac_start %q: %s, want %s", tc.params, got, tc.want)
		}
	}

	local := fmt.Sprintf("udp:127.0.0.1:%d", p.Port)
	if got := rpcText(t, srv, "tm.t_uac_start", "MESSAGE", ruri, ".", local, hdrs+"Content-Type: text/plain\r\nCall-ID: uac-1\r\n", "hi"); got != "" {
		t.Fatalf("tm.t_uac_start: %s", got)
	}
	msg := until(uas, "MESSAGE")
	if id, _ := msg.Header("call-id"); id != "uac-1" || msg.Body != "hi" || msg.RURI != ruri {
		t.Errorf("the request sent:\n%s", msg.Buf)
	}

	// tm.t_uac_wait_block returns with the final reply.
	block := func(headers string) chan string {
		done := make(chan string, 1)
		go func() {
			c := &rpc.Call{Method: "tm.t_uac_wait_block", Params: []*rpc.Value{rpc.NewStr("OPTIONS"), rpc.NewStr(ruri),
				rpc.NewStr("."), rpc.NewStr("."), rpc.NewStr(hdrs + headers)}}
			srv.RPC().Run(context.Background(), c)
			vals, f := c.Reply()
			if f != nil {
				done <- "fault " + f.Error()
				return
			}
			var out []string
			for _, v := range vals {
				out = append(out, v.String())
			}
			done <- strings.Join(out, " ")
		}()
		return done
	}
	for _, tc := range []struct {
		code   int
		reason string
		want   string
	}{
		{486, "Busy Here Now", "{code: 486, text: Busy Here Now}"},
		// A 2xx is not kept: its reason is the standard phrase.
		{200, "Fine", "{code: 200, text: OK}"},
	} {
		done := block("Call-ID: uac-" + strconv.Itoa(tc.code) + "\r\n")
		opt := until(uas, "OPTIONS")
		uas.SendTo(p.Addr, siptest.Reply(opt, tc.code, tc.reason, "u1"))
		if got := waitFor(t, done); got != tc.want {
			t.Errorf("tm.t_uac_wait_block answered %d: %s", tc.code, got)
		}
	}
	done := block("Call-ID: uac-3\r\n")
	until(uas, "OPTIONS")
	// past fr_timer (30 s), short of the end of the wait state that
	// follows (5 s more): the command finds the transaction
	p.Clock.Advance(31 * time.Second)
	if got := waitFor(t, done); got != "{code: 408, text: Request Timeout}" {
		t.Errorf("tm.t_uac_wait_block without an answer: %s", got)
	}
}

// waitFor is the value the channel gets, failing the test when it takes
// longer than a few polls.
func waitFor(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(siptest.Wait):
		t.Fatal("no reply")
		return ""
	}
}
