package tm_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
)

// uacRoute answers every request from the phone with 200 after sending,
// with t_uac_send, the request $hdr(X-Send) names to the first server.
const uacRoute = `request_route {
	if ($hdr(X-Send) == "message") {
		t_uac_send("MESSAGE", "sip:bob@127.0.0.1:UAS1", "", "",
			"From: \"Alice\" <sip:alice@kamgo.test>;x=1\r\nTo: <sip:bob@kamgo.test>\r\nContent-Type: text/plain\r\nX-Via: !!\r\n", "hello");
	} else if ($hdr(X-Send) == "invite") {
		t_uac_send("INVITE", "sip:bob@127.0.0.1:UAS1", "", "",
			"From: <sip:alice@kamgo.test>;tag=ft1\r\nTo: <sip:bob@kamgo.test>\r\nCall-ID: uac-inv-1\r\nCSeq: 7 INVITE\r\nContact: <sip:alice@127.0.0.1>\r\n", "");
	} else if ($hdr(X-Send) == "noto") {
		if (!t_uac_send("MESSAGE", "sip:bob@127.0.0.1:UAS1", "", "", "From: <sip:a@b>\r\n", "")) {
			xlog("L_INFO", "uac failed\n");
		}
	} else if ($hdr(X-Send) == "nexthop") {
		t_uac_send("OPTIONS", "sip:bob@elsewhere.invalid", "sip:127.0.0.1:UAS1", ".",
			"From: <sip:a@kamgo.test>\r\nTo: <sip:bob@elsewhere.invalid>\r\nMax-Forwards: 5\r\n", "");
	}
	sl_send_reply("200", "OK");
	exit;
}`

// TestUACSendMessage: the request carries tm's Via, To and From as URIs in
// brackets (the From with a tag of Kamailio's shape), CSeq 10, a new
// Call-ID, Max-Forwards, Content-Length, the other headers given ("!!"
// replaced by the sending address) and the body; its 200 is absorbed and
// ends the retransmissions.
func TestUACSendMessage(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u1", "ucall-1", 1, "X-Send: message"))
	if r := phone.Recv(); r.Status != 200 {
		t.Fatalf("phone got %q", siptest.Status(r))
	}
	req := uas.Recv()
	lines := strings.Split(req.Buf, "\r\n")
	want := []string{
		fmt.Sprintf("MESSAGE sip:bob@127.0.0.1:%d SIP/2.0", uas.Port()),
		"", // Via
		"To: <sip:bob@kamgo.test>",
		"", // From
		"CSeq: 10 MESSAGE",
		"", // Call-ID
		"Max-Forwards: 70",
		"Content-Length: 5",
	}
	for i, w := range want {
		if w != "" && lines[i] != w {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
	if !tmBranch.MatchString(siptest.TopBranch(req)) {
		t.Errorf("Via %q", lines[1])
	}
	if !regexp.MustCompile(`^From: <sip:alice@kamgo\.test>;tag=[0-9a-f]{32}-[0-9a-f]{8}$`).MatchString(lines[3]) {
		t.Errorf("From %q", lines[3])
	}
	if !regexp.MustCompile(`^Call-ID: [0-9a-f]{16}-\d+@127\.0\.0\.1$`).MatchString(lines[5]) {
		t.Errorf("Call-ID %q", lines[5])
	}
	if !strings.Contains(req.Buf, "\r\nContent-Type: text/plain\r\nX-Via: "+p.Addr+"\r\n\r\nhello") {
		t.Errorf("headers and body:\n%s", req.Buf)
	}
	uas.SendTo(p.Addr, siptest.Reply(req, 200, "OK", "u-t1"))
	p.waitMetric("kamgo_tm_replies_received_total", 1)
	p.Clock.Advance(time.Second)
	uas.None()
	phone.None()
}

// TestUACRetransmitAndTimeout: an unanswered request is sent again at T1,
// 2T1 ... and given up after fr_timer without a word to anyone.
func TestUACRetransmitAndTimeout(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `modparam("tm", "fr_timer", 2000)
`+uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u2", "ucall-2", 1, "X-Send: message"))
	phone.Recv()
	first := uas.Recv()
	for _, d := range []time.Duration{500, 1000} {
		p.Clock.Advance(d * time.Millisecond)
		if r := uas.Recv(); r.Buf != first.Buf {
			t.Fatalf("retransmission differs:\n%s", r.Buf)
		}
	}
	p.Clock.Advance(500 * time.Millisecond)
	p.Clock.Advance(10 * time.Second)
	uas.None()
	phone.None()
}

// TestUACSendInviteNegative: the Call-ID, From tag and CSeq given are
// used; a 486 is acknowledged hop by hop with the INVITE's Via branch.
func TestUACSendInviteNegative(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u3", "ucall-3", 1, "X-Send: invite"))
	phone.Recv()
	inv := uas.Recv()
	if cid, _ := inv.Header("call-id"); cid != "uac-inv-1" {
		t.Errorf("Call-ID %q", cid)
	}
	if from, _ := inv.Header("from"); from != "<sip:alice@kamgo.test>;tag=ft1" {
		t.Errorf("From %q", from)
	}
	if cseq, _ := inv.Header("cseq"); cseq != "7 INVITE" {
		t.Errorf("CSeq %q", cseq)
	}
	uas.SendTo(p.Addr, siptest.Reply(inv, 486, "Busy Here", "b1"))
	ack := uas.Recv()
	if ack.Method != "ACK" || siptest.TopBranch(ack) != siptest.TopBranch(inv) {
		t.Fatalf("ACK:\n%s", ack.Buf)
	}
	phone.None()
}

// TestUACSendErrors: headers without To fail with Kamailio's log lines.
func TestUACSendErrors(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u4", "ucall-4", 1, "X-Send: noto"))
	phone.Recv()
	uas.None()
	for _, l := range []string{"t_uac_check_msg(): To missing", "t_uac_send(): checking values failed", "uac failed"} {
		if !strings.Contains(p.Log.Text(), l) {
			t.Errorf("log lacks %q:\n%s", l, p.Log.Text())
		}
	}
}

// TestUACNextHop: the request goes to the next hop, keeps the
// Max-Forwards given and gets no second one.
func TestUACNextHop(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u5", "ucall-5", 1, "X-Send: nexthop"))
	phone.Recv()
	req := uas.Recv()
	if req.RURI != "sip:bob@elsewhere.invalid" || strings.Count(req.Buf, "Max-Forwards:") != 1 {
		t.Fatalf("request:\n%s", req.Buf)
	}
	if mf, _ := req.Header("max-forwards"); mf != "5" {
		t.Errorf("Max-Forwards %q", mf)
	}
}

// TestUACLocalRequestRoute: event_route[tm:local-request] sees the
// request with $du set to the next hop, and its changes go out; a drop
// keeps the request in.
func TestUACLocalRequestRoute(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `event_route[tm:local-request] {
	xlog("L_INFO", "local $rm $ru $du\n");
	if ($rm == "OPTIONS") { drop; }
	append_hf("X-Local: yes\r\n");
}
`+uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u6", "ucall-6", 1, "X-Send: message"))
	phone.Recv()
	req := uas.Recv()
	if v, _ := req.Header("x-local"); v != "yes" {
		t.Errorf("X-Local %q:\n%s", v, req.Buf)
	}
	want := fmt.Sprintf("local MESSAGE sip:bob@127.0.0.1:%d sip:bob@127.0.0.1:%d", uas.Port(), uas.Port())
	if !strings.Contains(p.Log.Text(), want) {
		t.Errorf("log lacks %q:\n%s", want, p.Log.Text())
	}
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u7", "ucall-7", 1, "X-Send: nexthop"))
	phone.Recv()
	uas.None()
}

// TestUACInvite2xxACK: a 2xx to a local INVITE is acknowledged end to
// end: an ACK to the Contact, with a Via of its own branch.
func TestUACInvite2xxACK(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, uacRoute, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "u8", "ucall-8", 1, "X-Send: invite"))
	phone.Recv()
	inv := uas.Recv()
	ok := siptest.Reply(inv, 200, "OK", "b2")
	ok = strings.Replace(ok, "Content-Length: 0", fmt.Sprintf("Contact: <sip:bob@127.0.0.1:%d>\r\nContent-Length: 0", uas.Port()), 1)
	uas.SendTo(p.Addr, ok)
	ack := uas.Recv()
	if ack.Method != "ACK" || ack.RURI != fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port()) {
		t.Fatalf("ACK:\n%s", ack.Buf)
	}
	if cseq, _ := ack.Header("cseq"); cseq != "7 ACK" {
		t.Errorf("CSeq %q", cseq)
	}
	if to, _ := ack.Header("to"); !strings.Contains(to, "tag=b2") {
		t.Errorf("To %q", to)
	}
}
