package tmx_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// scenario is a configuration and the SIP messages a test plays against
// it. The same scenarios run on kamgo (tmx_test.go) and, for the
// differential test, on Kamailio 5.6.3 (kamailio_test.go); play asserts
// what must happen, and what the peers received and the log lines are
// compared between the two.
type scenario struct {
	name   string
	routes string
	uas    int // how many servers downstream
	play   func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA)
}

// ruri is a Request-URI for server p.
func ruri(p *siptest.UA) string { return fmt.Sprintf("sip:bob@127.0.0.1:%d", p.Port()) }

// suspendRoutes is the seed's pattern: INVITEs are suspended; a MESSAGE
// (the later event) continues the last one in route[RESUME], which
// relays it, replies, or drops it as the INVITE's X-Action says.
const suspendRoutes = `
request_route {
	if (is_method("ACK")) {
		if (t_check_trans()) { xlog("L_INFO", "ack passed\n"); }
		exit;
	}
	if (is_method("CANCEL")) {
		xlog("L_INFO", "cancel of $T_inv($rm) $T_inv($hdr(X-Action)) cseq=$T_inv($cs)\n");
		if (t_check_trans()) { t_relay(); }
		exit;
	}
	if (is_method("INVITE")) {
		xlog("L_INFO", "invite idx=$T_branch_idx code=$T_reply_code\n");
		t_suspend();
		xlog("L_INFO", "t_suspend rc=$rc index=$T(id_index) code=$T_reply_code\n");
		$shv(idx) = $T(id_index);
		$shv(lbl) = $T(id_label);
		xlog("L_INFO", "suspended transaction stored\n");
		exit;
	}
	if (is_method("MESSAGE")) {
		if ($hdr(X-Wrong) == "yes") {
			$var(l) = $shv(lbl) + 1;
			t_continue("$shv(idx)", "$var(l)", "RESUME");
			xlog("L_INFO", "wrong label rc=$rc\n");
		} else {
			t_continue("$shv(idx)", "$shv(lbl)", "RESUME");
			xlog("L_INFO", "continue rc=$rc\n");
		}
		sl_send_reply("200", "resumed");
		exit;
	}
}
route[RESUME] {
	if (t_is_failure_route()) { $var(f) = "yes"; } else { $var(f) = "no"; }
	if (t_is_request_route()) { $var(r) = "yes"; } else { $var(r) = "no"; }
	xlog("L_INFO", "resumed $rm $hdr(X-Action) failure=$var(f) request=$var(r) idx=$T_branch_idx index=$T(id_index)\n");
	if ($hdr(X-Action) == "reply") {
		t_reply("404", "Not Here");
		exit;
	}
	if ($hdr(X-Action) == "drop") {
		t_drop();
		xlog("L_INFO", "not reached\n");
	}
	$ru = "sip:bob@127.0.0.1:UAS1";
	t_relay();
}
`

// resume sends the MESSAGE that continues the suspended INVITE and reads
// its reply.
func resume(t *testing.T, tg siptest.Target, phone *siptest.UA, callID string, extra ...string) {
	t.Helper()
	phone.SendTo(tg.SIPAddr(), phone.Request("MESSAGE", "sip:app@127.0.0.1", "m-"+callID, callID, 1, extra...))
	if r := phone.RecvStatus(200); siptest.Status(r) != "200 resumed" {
		t.Fatalf("MESSAGE answered %q", siptest.Status(r))
	}
}

// pvRoutes log tmx's pseudo-variables in every route a relayed INVITE
// goes through.
const pvRoutes = `
request_route {
	if (is_method("ACK")) { t_check_trans(); exit; }
	if (is_method("CANCEL")) {
		xlog("L_INFO", "cancel of $T_inv($rm) cseq=$T_inv($cs) this=$rm\n");
		if (t_check_trans()) { t_relay(); }
		exit;
	}
	t_on_reply("R");
	t_on_failure("F");
	t_on_branch("B");
	$bf = 8;
	if ($hdr(X-Fork) == "yes") {
		$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
		sbranch_append();
	}
	xlog("L_INFO", "request idx=$T_branch_idx code=$T_reply_code T=$T(id_index)\n");
	t_relay();
	xlog("L_INFO", "relayed code=$T_reply_code index=$T(id_index)\n");
	exit;
}
branch_route[B] {
	if (t_is_branch_route()) { $var(b) = "yes"; } else { $var(b) = "no"; }
	xlog("L_INFO", "branch idx=$T_branch_idx branch_route=$var(b) code=$T_reply_code ruid=[$T_branch(ruid)]\n");
}
onreply_route[R] {
	if (t_is_reply_route()) { $var(r) = "yes"; } else { $var(r) = "no"; }
	xlog("L_INFO", "reply $T_reply_code $T_reply_reason last=$T_reply_last idx=$T_branch_idx uri=$T_branch(uri) flags=$T_branch(flags) req=$T_req($rm) req_ru=$T_req($ru) req_action=$T_req($hdr(X-Action)) reply_route=$var(r) type=$T(reply_type)\n");
	if ($T_reply_code == 180 && $T_branch_idx == 0 && $T_req($hdr(X-Fork)) == "yes") {
		t_cancel_branches("others");
		xlog("L_INFO", "t_cancel_branches rc=$rc\n");
	}
}
failure_route[F] {
	if (t_is_failure_route()) { $var(f) = "yes"; } else { $var(f) = "no"; }
	xlog("L_INFO", "failure $T_reply_code $T_reply_reason type=$T(reply_type) rpl=$T_rpl($rs) $T_rpl($rr) idx=$T_branch_idx flags=$T_branch(flags) failure_route=$var(f) rm=$rm\n");
}
`

// byCallIDRoutes relay INVITEs and let a MESSAGE cancel or answer one by
// its Call-ID.
const byCallIDRoutes = `
request_route {
	if (is_method("ACK")) { t_check_trans(); exit; }
	if (is_method("MESSAGE")) {
		if ($hdr(X-Op) == "cancel") {
			t_cancel_callid("$hdr(X-Callid)", "1", "5", "200");
			xlog("L_INFO", "t_cancel_callid rc=$rc\n");
		} else if ($hdr(X-Op) == "reply") {
			t_reply_callid("$hdr(X-Callid)", "1", "480", "Gone Away");
			xlog("L_INFO", "t_reply_callid rc=$rc\n");
		} else {
			t_cancel_callid("no-such-call", "1", "0");
			xlog("L_INFO", "unknown call rc=$rc\n");
		}
		sl_send_reply("200", "done");
		exit;
	}
	t_on_failure("F");
	t_relay();
	exit;
}
failure_route[F] {
	if (isflagset(5)) { $var(f) = "set"; } else { $var(f) = "unset"; }
	xlog("L_INFO", "failure $T_reply_code flag5=$var(f)\n");
}
`

// precheckRoutes hold the first copy of an INVITE in request_route (a
// lock an OPTIONS took) until a retransmission has been checked.
const precheckRoutes = `
request_route {
	if (is_method("OPTIONS")) {
		lock("gate");
		sl_send_reply("200", "gate closed");
		exit;
	}
	if (is_method("ACK")) { t_check_trans(); exit; }
	if (t_precheck_trans()) {
		xlog("L_INFO", "retransmission of $ci being routed\n");
		unlock("gate");
		exit;
	}
	xlog("L_INFO", "routing $ci $rm rc=$rc\n");
	if ($hdr(X-Wait) == "yes") {
		lock("gate");
		unlock("gate");
	}
	t_newtran();
	t_reply("486", "Busy Here");
}
`

var scenarios = []scenario{
	{name: "suspend-continue-relay", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i1", "call-1", 1, "X-Action: relay"))
			if r := phone.Recv(); r.Status != 100 {
				t.Fatalf("first reply %q", siptest.Status(r))
			}
			tg.WaitLog(t, "suspended transaction stored", 1)
			resume(t, tg, phone, "call-1m")
			inv := uas[0].Recv()
			if inv.Method != "INVITE" {
				t.Fatalf("relayed:\n%s", inv.Buf)
			}
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 180, "Ringing", "u1"))
			phone.RecvStatus(180)
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 200, "OK", "u1"))
			phone.RecvStatus(200)
		}},
	{name: "suspend-continue-reply", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			inv := phone.Request("INVITE", "sip:bob@127.0.0.1", "i2", "call-2", 1, "X-Action: reply")
			phone.SendTo(tg.SIPAddr(), inv)
			phone.RecvStatus(100)
			tg.WaitLog(t, "suspended transaction stored", 1)
			phone.SendTo(tg.SIPAddr(), phone.Request("MESSAGE", "sip:app@127.0.0.1", "m-call-2m", "call-2m", 1))
			r := phone.RecvStatus(404)
			phone.RecvStatus(200)
			to, _ := r.Header("to")
			phone.SendTo(tg.SIPAddr(), siptest.WithToTag(phone.Request("ACK", "sip:bob@127.0.0.1", "i2", "call-2", 1), tagOf(to)))
			uas[0].None()
			// A late CANCEL: the answered INVITE waits out wt_timer with
			// its request kept lean, and $T_inv reads it again.
			phone.SendTo(tg.SIPAddr(), phone.Request("CANCEL", "sip:bob@127.0.0.1", "i2", "call-2", 1))
			tg.WaitLog(t, "cancel of INVITE reply cseq=1", 1)
			phone.RecvStatus(200)
		}},
	{name: "suspend-timeout", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i3", "call-3", 1))
			phone.RecvStatus(100)
			tg.WaitLog(t, "suspended transaction stored", 1)
			tg.Advance(1000 * time.Millisecond)
			phone.RecvStatus(408)
			uas[0].None()
		}},
	{name: "suspend-wrong-label", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i4", "call-4", 1, "X-Action: relay"))
			phone.RecvStatus(100)
			tg.WaitLog(t, "suspended transaction stored", 1)
			resume(t, tg, phone, "call-4w", "X-Wrong: yes")
			uas[0].None()
			resume(t, tg, phone, "call-4m")
			if inv := uas[0].Recv(); inv.Method != "INVITE" {
				t.Fatalf("relayed:\n%s", inv.Buf)
			}
		}},
	{name: "suspend-cancel", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i5", "call-5", 1, "X-Action: relay"))
			phone.RecvStatus(100)
			tg.WaitLog(t, "suspended transaction stored", 1)
			phone.SendTo(tg.SIPAddr(), phone.Request("CANCEL", "sip:bob@127.0.0.1", "i5", "call-5", 1))
			phone.RecvStatus(487)
			phone.RecvStatus(200)
			tg.WaitLog(t, "cancel of", 1)
			resume(t, tg, phone, "call-5m")
			uas[0].None()
		}},
	{name: "suspend-drop", routes: suspendRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i6", "call-6", 1, "X-Action: drop"))
			phone.RecvStatus(100)
			tg.WaitLog(t, "suspended transaction stored", 1)
			resume(t, tg, phone, "call-6m")
			tg.Advance(2000 * time.Millisecond)
			phone.None()
			uas[0].None()
		}},
	{name: "pv-reply-failure", routes: pvRoutes, uas: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", ruri(uas[0]), "p1", "call-7", 1, "X-Action: show"))
			phone.RecvStatus(100)
			inv := uas[0].Recv()
			// The request's log line comes first on both servers.
			tg.WaitLog(t, "relayed code", 1)
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 180, "Ringing", "v1"))
			phone.RecvStatus(180)
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 486, "Busy Here Now", "v1"))
			uas[0].Recv() // ACK
			phone.RecvStatus(486)
			tg.WaitLog(t, "failure 486", 1)
		}},
	{name: "pv-timeout-cancel", routes: pvRoutes, uas: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", ruri(uas[0]), "p2", "call-8", 1))
			phone.RecvStatus(100)
			uas[0].Recv()
			tg.WaitLog(t, "relayed code", 1)
			phone.SendTo(tg.SIPAddr(), phone.Request("CANCEL", ruri(uas[0]), "p2", "call-8", 1))
			phone.RecvStatus(200)
			tg.WaitLog(t, "cancel of", 1)
			tg.Advance(1000 * time.Millisecond)
			phone.RecvStatus(487)
			tg.WaitLog(t, "failure 408", 1)
		}},
	{name: "cancel-branches-others", routes: pvRoutes, uas: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", ruri(uas[0]), "p3", "call-9", 1, "X-Fork: yes"))
			phone.RecvStatus(100)
			a, b := uas[0].Recv(), uas[1].Recv()
			tg.WaitLog(t, "relayed code", 1)
			uas[1].SendTo(tg.SIPAddr(), siptest.Reply(b, 180, "Ringing", "w2"))
			phone.RecvStatus(180)
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(a, 180, "Ringing", "w1"))
			phone.RecvStatus(180)
			c := uas[1].Recv()
			if c.Method != "CANCEL" {
				t.Fatalf("not canceled:\n%s", c.Buf)
			}
			uas[1].SendTo(tg.SIPAddr(), siptest.Reply(c, 200, "OK", "w2"))
			uas[1].SendTo(tg.SIPAddr(), siptest.Reply(b, 487, "Request Terminated", "w2"))
			uas[1].Recv() // ACK
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(a, 200, "OK", "w1"))
			phone.RecvStatus(200)
		}},
	{name: "cancel-callid", routes: byCallIDRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			inv := ring(tg, phone, uas[0], "c1", "call-10", "x1")
			phone.SendTo(tg.SIPAddr(), phone.Request("MESSAGE", "sip:app@127.0.0.1", "m10", "call-10m", 1, "X-Op: none"))
			phone.RecvStatus(200)
			phone.SendTo(tg.SIPAddr(), phone.Request("MESSAGE", "sip:app@127.0.0.1", "m11", "call-10n", 1, "X-Op: cancel", "X-Callid: call-10"))
			phone.RecvStatus(200)
			c := uas[0].Recv()
			if c.Method != "CANCEL" {
				t.Fatalf("not canceled:\n%s", c.Buf)
			}
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(c, 200, "OK", "x1"))
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 487, "Request Terminated", "x1"))
			uas[0].Recv() // ACK
			phone.RecvStatus(487)
			tg.WaitLog(t, "failure 487", 1)
		}},
	{name: "reply-callid", routes: byCallIDRoutes, uas: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			ring(tg, phone, uas[0], "c2", "call-11", "y1")
			phone.SendTo(tg.SIPAddr(), phone.Request("MESSAGE", "sip:app@127.0.0.1", "m12", "call-11m", 1, "X-Op: reply", "X-Callid: call-11"))
			phone.RecvStatus(480)
			phone.RecvStatus(200)
			if c := uas[0].Recv(); c.Method != "CANCEL" {
				t.Fatalf("not canceled:\n%s", c.Buf)
			}
		}},
	{name: "precheck-trans", routes: precheckRoutes,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, _ []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("OPTIONS", "sip:bob@127.0.0.1", "o1", "call-12o", 1))
			phone.RecvStatus(200)
			inv := phone.Request("INVITE", "sip:bob@127.0.0.1", "k1", "call-12", 1, "X-Wait: yes")
			phone.SendTo(tg.SIPAddr(), inv)
			tg.WaitLog(t, "routing call-12 ", 1)
			phone.SendTo(tg.SIPAddr(), inv)
			tg.WaitLog(t, "retransmission of call-12 being routed", 1)
			phone.RecvStatus(486)
			// A request of another call, while none is routed, is no copy.
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "k2", "call-13", 1))
			phone.RecvStatus(486)
		}},
}

// ring sends an INVITE from phone to uas through the server, which
// answers 100; uas answers 180 with toTag, which reaches phone. It
// returns the INVITE uas got.
func ring(tg siptest.Target, phone, uas *siptest.UA, branch, callID, toTag string) *sipmsg.Msg {
	phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", ruri(uas), branch, callID, 1))
	phone.RecvStatus(100)
	inv := uas.Recv()
	uas.SendTo(tg.SIPAddr(), siptest.Reply(inv, 180, "Ringing", toTag))
	phone.RecvStatus(180)
	return inv
}

// tagOf returns the tag of a To header value.
func tagOf(to string) string {
	for i := len(to) - 1; i >= 5; i-- {
		if to[i-5:i] == ";tag=" {
			return to[i:]
		}
	}
	return ""
}
