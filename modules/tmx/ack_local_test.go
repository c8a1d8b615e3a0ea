package tmx_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// ackLocalRoutes sends a local INVITE on X-Send ("INVITE." turns tm's
// automatic ACK off, "INVITE" keeps it) and acknowledges one with
// t_uac_ack_local on X-Ack, logging the result.
const ackLocalRoutes = `request_route {
	$var(h) = "From: <sip:alice@kamgo.test>;tag=ft1\r\nTo: <sip:bob@kamgo.test>\r\nCall-ID: " + $hdr(X-Call) + "\r\nCSeq: 7 INVITE\r\nContact: <sip:alice@127.0.0.1>\r\n";
	if ($hdr(X-Send) != $null) {
		t_uac_send("$hdr(X-Send)", "sip:bob@127.0.0.1:UAS1", "", "", "$var(h)", "");
	} else if ($hdr(X-Ack) == "full") {
		t_uac_ack_local("$hdr(X-Call)", "7", "X-Ack: yes\r\nContent-Type: application/sdp\r\n", "v=0\r\n");
		xlog("L_INFO", "ack $hdr(X-Call) rc=$rc\n");
	} else {
		t_uac_ack_local("$hdr(X-Call)", "$hdr(X-CSeq)");
		xlog("L_INFO", "ack $hdr(X-Call) rc=$rc\n");
	}
	sl_send_reply("200", "OK");
	exit;
}
event_route[tm:local-ack-sent] {
	xlog("L_INFO", "local ack sent for $rs $ci\n");
}`

// TestUACAckLocal: a local INVITE sent with the automatic ACK off gets no
// ACK for its 2xx until t_uac_ack_local sends one, with the headers and
// body given (0 -> 1 in the script); the ACK goes again for a
// retransmitted 2xx, and a second t_uac_ack_local is refused (-1), as is
// one for an INVITE tm acknowledged itself, an INVITE with no 2xx yet and
// an unknown one. Each ACK sent runs event_route[tm:local-ack-sent] with
// the 2xx.
func TestUACAckLocal(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	k := startKamgo(t, ackLocalRoutes, uas)
	ask := func(n int, extra ...string) {
		t.Helper()
		phone.SendTo(k.SIPAddr(), phone.Request("MESSAGE", "sip:kamgo@127.0.0.1", fmt.Sprintf("m%d", n), fmt.Sprintf("ctl-%d", n), 1, extra...))
		phone.RecvStatus(200)
	}

	ask(1, "X-Send: INVITE.", "X-Call: al-1")
	inv := uas.RecvMethod("INVITE")
	ask(2, "X-Ack: short", "X-Call: al-1", "X-CSeq: 7")
	ok := siptest.Reply(inv, 200, "OK", "t1") // no Contact: the ACK goes to the Request-URI
	ok = strings.Replace(ok, "Content-Length: 0\r\n", "Contact: <sip:bob@127.0.0.1:"+fmt.Sprint(uas.Port())+">\r\nContent-Length: 0\r\n", 1)
	uas.SendTo(k.SIPAddr(), ok)
	uas.None()
	ask(3, "X-Ack: full", "X-Call: al-1")
	ack := uas.RecvMethod("ACK")
	if !strings.Contains(ack.Buf, "\r\nCSeq: 7 ACK\r\n") || !strings.Contains(ack.Buf, "\r\nX-Ack: yes\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n") {
		t.Errorf("ACK:\n%s", ack.Buf)
	}
	if siptest.TopBranch(ack) != siptest.TopBranch(inv) {
		t.Errorf("ACK branch %q, INVITE's %q", siptest.TopBranch(ack), siptest.TopBranch(inv))
	}
	uas.SendTo(k.SIPAddr(), ok)
	if again := uas.RecvMethod("ACK"); again.Buf != ack.Buf {
		t.Errorf("ACK for the retransmitted 2xx:\n%s\nfirst:\n%s", again.Buf, ack.Buf)
	}
	ask(4, "X-Ack: short", "X-Call: al-1", "X-CSeq: 7")

	ask(5, "X-Send: INVITE", "X-Call: al-2")
	inv2 := uas.RecvMethod("INVITE")
	uas.SendTo(k.SIPAddr(), strings.Replace(siptest.Reply(inv2, 200, "OK", "t2"), "Content-Length: 0\r\n", "Contact: <sip:bob@127.0.0.1:"+fmt.Sprint(uas.Port())+">\r\nContent-Length: 0\r\n", 1))
	uas.RecvMethod("ACK")
	ask(6, "X-Ack: short", "X-Call: al-2", "X-CSeq: 7")
	ask(7, "X-Ack: short", "X-Call: al-9", "X-CSeq: 7")

	k.WaitLog(t, `ack al-9 rc=`, 1)
	want := []string{"ack al-1 rc=-1", "local ack sent for 200 al-1", "ack al-1 rc=1", "local ack sent for 200 al-1",
		"ack al-1 rc=-1", "local ack sent for 200 al-2", "ack al-2 rc=-1", "ack al-9 rc=-1"}
	var got []string
	for _, l := range k.Lines() {
		for _, p := range []string{"ack al-", "local ack sent"} {
			if i := strings.Index(l, p); i >= 0 {
				got = append(got, l[i:])
			}
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("script log %q,\nwant %q", got, want)
	}
}
