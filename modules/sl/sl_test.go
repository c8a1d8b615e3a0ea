package sl_test

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/corex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

const wait = siptest.Wait

// run loads routes (with the listen lines for a free port, UDP and TCP)
// as `kamgo run` does and serves SIP; it returns the SIP address and the
// log.
func run(t *testing.T, routes string) (string, *linelog.Log) {
	t.Helper()
	s := siptest.Start(t, "children=1\n"+siptest.ListenUDP+"listen=tcp:127.0.0.1:"+siptest.SIPPort+"\n"+
		"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nloadmodule \"corex.so\"\n"+
		// The host the forwards of the error tests go to does not
		// exist, whatever the machine's DNS says.
		"modparam(\"corex\", \"dns_cache\", \"type=A;name=no-such-host.invalid;flags=1;ttl=3600\")\n"+
		routes, siptest.Options{Name: "sl.cfg"})
	return s.Addr, s.Log
}

// phone is a UA that writes this package's requests.
type phone struct{ *siptest.UA }

func dial(t *testing.T, addr string) phone { return phone{siptest.Dial(t, "phone", addr)} }

func (p phone) request(method, callID string, extra ...string) string {
	h := []string{
		fmt.Sprintf("%s sip:svc@127.0.0.1 SIP/2.0", method),
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s", p.Port(), callID),
		fmt.Sprintf("From: <sip:a@127.0.0.1>;tag=%s-f", callID),
		"To: <sip:svc@127.0.0.1>",
		"Call-ID: " + callID,
		"CSeq: 1 " + method,
	}
	return siptest.Build(append(h, extra...), "")
}

var tagRE = regexp.MustCompile(`\r\nTo: <sip:svc@127\.0\.0\.1>;tag=([0-9a-f]{32}\.[0-9a-f]{8})\r\n`)

func waitLog(t *testing.T, ll *linelog.Log, re string) {
	t.Helper()
	if err := ll.Wait(regexp.MustCompile(re), 1, wait); err != nil {
		t.Fatalf("%v\n%s", err, ll.Text())
	}
}

// TestReply: a reply copies the request's Via, From, To (with sl's tag
// from 180 on), Call-ID and CSeq; $ltt(s) is that tag.
func TestReply(t *testing.T) {
	addr, ll := run(t, `request_route {
	xlog("L_INFO", "ltt=$ltt(s) x=$ltt(x) t=$ltt(t)\n");
	if ($rm == "OPTIONS") { sl_send_reply("200", "OK"); exit; }
	sl_send_reply("100", "Trying");
}`)
	p := dial(t, addr)
	got := p.Ask(p.request("OPTIONS", "o1"))
	want := fmt.Sprintf("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-o1\r\nFrom: <sip:a@127.0.0.1>;tag=o1-f\r\n"+
		"To: <sip:svc@127.0.0.1>;tag=TAG\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nServer: kamgo\r\nContent-Length: 0\r\n\r\n", p.Port())
	m := tagRE.FindStringSubmatch(got)
	if m == nil || strings.Replace(want, "TAG", m[1], 1) != got {
		t.Fatalf("reply %q", got)
	}
	waitLog(t, ll, `^INFO: <script>: ltt=`+regexp.QuoteMeta(m[1])+` x=`+regexp.QuoteMeta(m[1])+` t=<null>$`)
	if got := p.Ask(p.request("MESSAGE", "m1")); !strings.Contains(got, "\r\nTo: <sip:svc@127.0.0.1>\r\n") {
		t.Errorf("a 100 got a to-tag: %q", got)
	}
}

// TestACKFilter: the ACK of sl's reply stops before request_route and runs
// event_route[sl:filtered-ack]; another ACK goes through.
func TestACKFilter(t *testing.T) {
	addr, ll := run(t, `request_route {
	xlog("L_INFO", "route $rm $ci\n");
	if ($rm == "INVITE") { sl_send_reply("486", "Busy Here"); }
}
event_route[sl:filtered-ack] {
	xlog("L_INFO", "filtered $rm $ci\n");
}`)
	p := dial(t, addr)
	got := p.Ask(p.request("INVITE", "i1"))
	tag := tagRE.FindStringSubmatch(got)
	if tag == nil {
		t.Fatalf("reply %q", got)
	}
	ack := strings.Replace(strings.Replace(p.request("ACK", "i1"), "To: <sip:svc@127.0.0.1>", "To: <sip:svc@127.0.0.1>;tag="+tag[1], 1), "CSeq: 1 ACK", "CSeq: 1 ACK", 1)
	p.Send(ack)
	waitLog(t, ll, `^INFO: <script>: filtered ACK i1$`)
	p.Send(strings.Replace(ack, "tag="+tag[1], "tag=someone-else", 1))
	waitLog(t, ll, `^INFO: <script>: route ACK i1$`)
	if n := ll.Count(regexp.MustCompile(`route ACK`)); n != 1 {
		t.Errorf("%d ACKs reached request_route", n)
	}
}

// TestRedirect: a 3xx carries the new Request-URI as Contact.
func TestRedirect(t *testing.T) {
	addr, _ := run(t, `request_route {
	$ru = "sip:bob@elsewhere.example";
	sl_send_reply("302", "Moved Temporarily");
}`)
	p := dial(t, addr)
	if got := p.Ask(p.request("INVITE", "r1")); !strings.Contains(got, "\r\nContact: <sip:bob@elsewhere.example>\r\nServer: kamgo\r\n") {
		t.Errorf("reply %q", got)
	}
}

// TestReplyError: sl_reply_error answers with the error of the forward
// that failed ($du does not resolve: a forward() host written in the
// configuration would refuse it at startup).
func TestReplyError(t *testing.T) {
	addr, ll := run(t, `request_route {
	$du = "sip:no-such-host.invalid:5060";
	if (!forward()) {
		sl_reply_error();
	}
}`)
	p := dial(t, addr)
	if got := p.Ask(p.request("OPTIONS", "e1")); !strings.HasPrefix(got, "SIP/2.0 478 Unresolvable destination (478/SL)\r\n") {
		t.Errorf("reply %q", got)
	}
	waitLog(t, ll, `^ERROR: <sl>: sl_reply_error\(\): stateless error reply used: Unresolvable destination \(478/SL\)$`)
}

// TestReplyErrorPreviousAction: sl_reply_error reports the error the
// action right before it left (a forward() to a $du that does not
// resolve), as Kamailio's prev_ser_error: any action in
// between (a log line, an assignment, the `if` that holds it) leaves none,
// and the reply is the unspecified error's.
func TestReplyErrorPreviousAction(t *testing.T) {
	const unresolvable = "478 Unresolvable destination (478/SL)"
	const unspec = "500 I'm terribly sorry, server error occurred (1/SL)"
	for _, tc := range []struct{ name, route, want string }{
		{"right after", `forward(); sl_reply_error();`, unresolvable},
		{"in the if of the forward", `if (!forward()) { sl_reply_error(); }`, unresolvable},
		{"after xlog", `forward(); xlog("L_INFO", "failed\n"); sl_reply_error();`, unspec},
		{"after an assignment", `forward(); $var(x) = 1; sl_reply_error();`, unspec},
		{"in a later if", `forward(); if ($var(x) == 0) { sl_reply_error(); }`, unspec},
		{"nothing sent", `sl_reply_error();`, unspec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := run(t, "request_route {\n\t$du = \"sip:no-such-host.invalid:5060\";\n\t"+tc.route+"\n\texit;\n}")
			p := dial(t, addr)
			if got := p.Ask(p.request("OPTIONS", "pe1")); !strings.HasPrefix(got, "SIP/2.0 "+tc.want+"\r\n") {
				t.Errorf("reply %q, want %s", got, tc.want)
			}
		})
	}
}

// TestForwardReply: sl_forward_reply sends the reply on with a new code
// of the same class and a new reason; another class is refused.
func TestForwardReply(t *testing.T) {
	addr, ll := run(t, `request_route { drop; }
reply_route {
	if ($rs == "486") {
		if (!sl_forward_reply("500", "x")) { xlog("L_INFO", "refused\n"); }
		sl_forward_reply("480", "Gone $ci");
		drop;
	}
}`)
	p, uas := dial(t, addr), dial(t, addr)
	uas.Send(fmt.Sprintf("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKx.y.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-f1\r\n"+
		"From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: f1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n", addr, p.Port()))
	if got := p.RecvText(); !strings.HasPrefix(got, fmt.Sprintf("SIP/2.0 480 Gone f1\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-f1\r\n", p.Port())) {
		t.Errorf("forwarded %q", got)
	}
	waitLog(t, ll, `^ERROR: <sl>: w_sl_forward_reply\(\): reply code class cannot be changed$`)
	waitLog(t, ll, `^INFO: <script>: refused$`)
}

// TestReplyModeClose: send_reply_mode's 2 closes the TCP connection after
// the reply.
func TestReplyModeClose(t *testing.T) {
	addr, _ := run(t, `request_route { send_reply_mode("403", "Forbidden", "2"); }`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := strings.Replace(dial(t, addr).request("OPTIONS", "t1"), "SIP/2.0/UDP", "SIP/2.0/TCP", 1)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	got, err := io.ReadAll(c)
	if err != nil || !strings.HasPrefix(string(got), "SIP/2.0 403 Forbidden\r\n") {
		t.Errorf("reply %q %v", got, err)
	}
}

// TestReplyCodeNotInt: a code pseudo-variable that holds no integer logs
// the core's line and replies with default_code (500), as Kamailio 5.6.3
// does; the function succeeds.
func TestReplyCodeNotInt(t *testing.T) {
	addr, ll := run(t, `request_route {
	$var(x) = "abc";
	sl_send_reply("$var(x)", "X");
	xlog("L_INFO", "after rc=$rc\n");
}`)
	p := dial(t, addr)
	if got := p.Ask(p.request("OPTIONS", "n1")); !strings.HasPrefix(got, "SIP/2.0 500 X\r\n") {
		t.Fatalf("reply %q", got)
	}
	waitLog(t, ll, `^ERROR: <core>: get_int_fparam\(\): Could not convert PV to int$`)
	waitLog(t, ll, `^INFO: <script>: after rc=1$`)
}
