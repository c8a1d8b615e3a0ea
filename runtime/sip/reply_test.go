package sip

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// received parses raw as a message that came from 127.0.0.1:5080.
func received(t *testing.T, raw string) *sipmsg.Msg {
	t.Helper()
	m, err := sipmsg.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	m.Src = sipmsg.Addr{IP: "127.0.0.1", Port: 5080}
	return m
}

func TestBuildReply(t *testing.T) {
	tail := []string{"From: \"A\" <sip:a@h>;tag=ft", "t: <sip:b@h>", "Call-ID: c1", "CSeq: 7 INVITE",
		"Record-Route: <sip:rr@h;lr>", "Contact: <sip:a@h>", "Content-Length: 0"}
	req := func(vias ...string) string {
		return request("", append(append([]string{"INVITE sip:b@h SIP/2.0"}, vias...), tail...)...)
	}
	for _, tc := range []struct {
		name string
		req  string
		r    Reply
		want []string // the reply's lines
	}{
		{"plain", req("Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1"), Reply{Code: 100, Reason: "Trying"}, []string{
			"SIP/2.0 100 Trying", "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1", "From: \"A\" <sip:a@h>;tag=ft",
			"t: <sip:b@h>", "Call-ID: c1", "CSeq: 7 INVITE", "Content-Length: 0", "", ""}},
		{"rport and received, record-route, tag", req("Via: SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bK2", "Via: SIP/2.0/TCP p;branch=x"),
			Reply{Code: 200, Reason: "OK", ToTag: "tt", Server: "Server: kamgo", Headers: "X-A: 1\r\n", Body: "b"}, []string{
				"SIP/2.0 200 OK", "Via: SIP/2.0/UDP 10.0.0.1;rport=5080;branch=z9hG4bK2;received=127.0.0.1", "Via: SIP/2.0/TCP p;branch=x",
				"From: \"A\" <sip:a@h>;tag=ft", "t: <sip:b@h>;tag=tt", "Call-ID: c1", "CSeq: 7 INVITE", "Record-Route: <sip:rr@h;lr>",
				"X-A: 1", "Server: kamgo", "Content-Length: 1", "", "b"}},
		{"received replaced, two via-parms", req("Via: SIP/2.0/UDP h:1;received=9.9.9.9;branch=z9hG4bK3 , SIP/2.0/UDP q"), Reply{Code: 404, Reason: "Not Here"}, []string{
			"SIP/2.0 404 Not Here", "Via: SIP/2.0/UDP h:1;received=9.9.9.9;branch=z9hG4bK3;received=127.0.0.1 , SIP/2.0/UDP q",
			"From: \"A\" <sip:a@h>;tag=ft", "t: <sip:b@h>", "Call-ID: c1", "CSeq: 7 INVITE", "Content-Length: 0", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := received(t, tc.req)
			text := BuildReply(m, tc.r)
			got := strings.Split(text, "\r\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestBuildReplyForceRportAndToTag(t *testing.T) {
	m := received(t, request("", "OPTIONS sip:b@h SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1",
		"From: <sip:a@h>;tag=1", "To: B <sip:b@h> ; tag=old ;x=y", "Call-ID: c", "CSeq: 1 OPTIONS"))
	m.Send.ForceRport = true
	got := BuildReply(m, Reply{Code: 486, Reason: "Busy", ToTag: "new"})
	for _, want := range []string{
		// force_rport adds rport at the end, and no received: the Via's
		// host is the source and it did not ask for rport.
		"\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1;rport=5080\r\n",
		"\r\nTo: B <sip:b@h> ; tag=new ;x=y\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	m = received(t, request("", "OPTIONS sip:b@h SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5080", "From: <sip:a@h>;tag=1",
		"To: sip:b@h;tag=", "Call-ID: c", "CSeq: 1 OPTIONS"))
	if got := BuildReply(m, Reply{Code: 200, Reason: "OK", ToTag: "t"}); !strings.Contains(got, "\r\nTo: sip:b@h;tag=t\r\n") {
		t.Errorf("addr-spec To:\n%s", got)
	}
}

// TestSendReply: a local reply goes to the source address, at the source
// port when the Via asks for rport or force_rport ran, else at the Via's
// port.
func TestSendReply(t *testing.T) {
	s := startServer(t, Config{})
	from, via := newPeer(t), newPeer(t)
	for _, tc := range []struct {
		name, viaParams string
		force           bool
		to              *peer
	}{
		{"via port", "", false, via},
		{"rport", ";rport", false, from},
		{"force_rport", "", true, from},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.r.on(ast.Request, func(c *event.Context) int {
				m := sipmsg.FromContext(c)
				m.Send.ForceRport = tc.force
				if err := From(c).SendReply(c, m, BuildReply(m, Reply{Code: 200, Reason: tc.name})); err != nil {
					t.Error(err)
				}
				return 1
			})
			from.send(s.udpAt, request("", "OPTIONS sip:s@h SIP/2.0",
				fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKx%s", via.port(), tc.viaParams),
				"From: <sip:a@h>;tag=1", "To: <sip:s@h>", "Call-ID: "+tc.name, "CSeq: 1 OPTIONS"))
			if got := tc.to.recv(); !strings.HasPrefix(got, "SIP/2.0 200 "+tc.name+"\r\n") {
				t.Errorf("reply %q", got)
			}
		})
	}
}
