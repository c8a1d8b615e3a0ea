package tm_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// primeRoute answers the phone's request: tm learns its transport from
// it, as it does from the first SIP request a server gets.
const primeRoute = `request_route {
	sl_send_reply("200", "OK");
	exit;
}`

// primed starts a proxy and lets it see one request.
func primed(t *testing.T, peers ...*siptest.UA) (*proxy, *siptest.UA) {
	t.Helper()
	phone := siptest.NewUA(t, "phone")
	p := start(t, primeRoute, peers...)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:kamgo@127.0.0.1", "p1", "prime", 1))
	phone.RecvStatus(200)
	return p, phone
}

// headerLines are the lines of msg's header without its Via.
func headerLines(msg *sipmsg.Msg) []string {
	head, _, _ := strings.Cut(msg.Buf, "\r\n\r\n")
	var out []string
	for _, l := range strings.Split(head, "\r\n") {
		if !strings.HasPrefix(l, "Via: ") {
			out = append(out, l)
		}
	}
	return out
}

func TestSendWithin(t *testing.T) {
	tests := []struct {
		name   string
		routes func(uas *siptest.UA) []string
		want   func(uas *siptest.UA) []string
	}{
		{"loose route set", func(uas *siptest.UA) []string {
			return []string{fmt.Sprintf("<sip:127.0.0.1:%d;lr;x=1>", uas.Port()), "<sip:p2.invalid;lr>"}
		}, func(uas *siptest.UA) []string {
			return []string{
				"BYE sip:bob@192.0.2.9 SIP/2.0",
				"To: <sip:bob@kamgo.test>;tag=rt",
				"From: <sip:alice@kamgo.test>;tag=lt",
				"CSeq: 8 BYE",
				"Call-ID: cid-1",
				fmt.Sprintf("Route: <sip:127.0.0.1:%d;lr;x=1>, <sip:p2.invalid;lr>", uas.Port()),
				"Max-Forwards: 70",
				"Content-Length: 0",
				"User-Agent: kamgo",
				"X-Extra: 1",
			}
		}},
		{"strict router first", func(uas *siptest.UA) []string {
			return []string{fmt.Sprintf("<sip:127.0.0.1:%d>", uas.Port()), "<sip:p2.invalid;lr>"}
		}, func(uas *siptest.UA) []string {
			return []string{
				fmt.Sprintf("BYE sip:127.0.0.1:%d SIP/2.0", uas.Port()),
				"To: <sip:bob@kamgo.test>;tag=rt",
				"From: <sip:alice@kamgo.test>;tag=lt",
				"CSeq: 8 BYE",
				"Call-ID: cid-1",
				"Route: <sip:p2.invalid;lr>, <sip:bob@192.0.2.9>",
				"Max-Forwards: 70",
				"Content-Length: 0",
				"User-Agent: kamgo",
				"X-Extra: 1",
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uas := siptest.NewUA(t, "uas")
			p, _ := primed(t, uas)
			d := &tm.Dialog{CallID: "cid-1", LocalURI: "sip:alice@kamgo.test", LocalTag: "lt",
				RemoteURI: "sip:bob@kamgo.test", RemoteTag: "rt", CSeq: 7, Target: "sip:bob@192.0.2.9",
				RouteSet: tc.routes(uas)}
			r := &recorder{}
			if err := p.tm.SendWithin(nil, d, "BYE", "X-Extra: 1", "", tm.ResponseIn|tm.LocalCompleted, r.note); err != nil {
				t.Fatal(err)
			}
			if d.CSeq != 8 {
				t.Errorf("CSeq kept: %d", d.CSeq)
			}
			bye := uas.Recv()
			if got, want := headerLines(bye), tc.want(uas); !slices.Equal(got, want) {
				t.Errorf("BYE:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			uas.SendTo(p.Addr, siptest.Reply(bye, 200, "OK", ""))
			want := []string{"response-in BYE 200 0 received", "local-completed BYE 200 0 received"}
			if got := r.wait(t, len(want)); !slices.Equal(got, want) {
				t.Errorf("callbacks:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// TestSendWithinTimeout: an unanswered request completes with tm's 408,
// without a reply.
func TestSendWithinTimeout(t *testing.T) {
	uas := siptest.NewUA(t, "uas")
	p, _ := primed(t, uas)
	d := &tm.Dialog{CallID: "cid-2", LocalURI: "sip:a@kamgo.test", LocalTag: "lt", RemoteURI: "sip:b@kamgo.test",
		RemoteTag: "rt", CSeq: 1, Target: fmt.Sprintf("sip:b@127.0.0.1:%d", uas.Port())}
	r := &recorder{}
	if err := p.tm.SendWithin(nil, d, "OPTIONS", "", "", tm.LocalCompleted, r.note); err != nil {
		t.Fatal(err)
	}
	uas.Recv()
	p.Clock.Advance(40 * time.Second)
	want := []string{"local-completed OPTIONS 408 0 faked"}
	if got := r.wait(t, len(want)); !slices.Equal(got, want) {
		t.Errorf("callbacks: %v, want %v", got, want)
	}
}

// TestSendNewInvite: a new dialog's INVITE has a new Call-ID and From
// tag, CSeq 10, the URIs given; its 2xx is acknowledged by tm and
// completes the transaction once per to-tag.
func TestSendNewInvite(t *testing.T) {
	uas := siptest.NewUA(t, "uas")
	p, _ := primed(t, uas)
	target := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	r := &recorder{}
	err := p.tm.SendNew(nil, "INVITE", target, target, "sip:ctl@kamgo.test", "",
		"Contact: <sip:ctl@127.0.0.1>\r\nContent-Type: application/sdp\r\n", "v=0\r\n", tm.LocalCompleted, r.note)
	if err != nil {
		t.Fatal(err)
	}
	inv := uas.RecvMethod("INVITE")
	lines := headerLines(inv)
	if lines[0] != "INVITE "+target+" SIP/2.0" || lines[1] != "To: <"+target+">" || lines[3] != "CSeq: 10 INVITE" ||
		!strings.HasPrefix(lines[2], "From: <sip:ctl@kamgo.test>;tag=") || !strings.HasSuffix(inv.Buf, "\r\n\r\nv=0\r\n") {
		t.Errorf("INVITE:\n%s", inv.Buf)
	}
	ok := siptest.Reply(inv, 200, "OK", "b1")
	ok = strings.Replace(ok, "Content-Length: 0", fmt.Sprintf("Contact: <sip:bob@127.0.0.1:%d>\r\nContent-Length: 0", uas.Port()), 1)
	uas.SendTo(p.Addr, ok)
	ack := uas.RecvMethod("ACK")
	if cseq, _ := ack.Header("cseq"); cseq != "10 ACK" {
		t.Errorf("ACK CSeq %q", cseq)
	}
	uas.SendTo(p.Addr, ok)
	uas.RecvMethod("ACK")
	want := []string{"local-completed INVITE 200 0 received"}
	if got := r.wait(t, len(want)); !slices.Equal(got, want) {
		t.Errorf("callbacks: %v, want %v", got, want)
	}
}

// TestResponseReadyBeforeSend: ResponseReady has run when the reply
// reaches the phone.
func TestResponseReadyBeforeSend(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route {
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
}
`, uas)
	var ready atomic.Int32
	p.tm.OnRequestIn(func(e *tm.Event) {
		e.Txn.Register(tm.ResponseReady, func(*tm.Event) { ready.Add(1) })
	})
	phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "rr1", "ready-1", 1))
	inv := uas.RecvMethod("INVITE")
	uas.SendTo(p.Addr, siptest.Reply(inv, 200, "OK", "u1"))
	phone.RecvStatus(200)
	if n := ready.Load(); n != 1 {
		t.Errorf("ResponseReady ran %d times before the 200 came", n)
	}
}

// TestSendWithinAlias: a target with nathelper's alias parameter and no
// route set is sent to the alias' address, without the parameter.
func TestSendWithinAlias(t *testing.T) {
	uas := siptest.NewUA(t, "uas")
	p, _ := primed(t, uas)
	d := &tm.Dialog{CallID: "cid-3", LocalURI: "sip:a@kamgo.test", LocalTag: "lt", RemoteURI: "sip:b@kamgo.test",
		RemoteTag: "rt", CSeq: 1, Target: fmt.Sprintf("sip:b@192.0.2.7:5060;alias=127.0.0.1~%d~1;ob", uas.Port())}
	if err := p.tm.SendWithin(nil, d, "BYE", "", "", 0, nil); err != nil {
		t.Fatal(err)
	}
	if bye := uas.Recv(); bye.FirstLine() != "BYE sip:b@192.0.2.7:5060;ob SIP/2.0" {
		t.Errorf("BYE request line %q", bye.FirstLine())
	}
}
