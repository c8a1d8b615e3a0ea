package kemi

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// sipEvent is an event with message text (the faked request when empty)
// and no SIP transport; lines collects what it logs.
func sipEvent(t *testing.T, text string) (*event.Context, *sipmsg.Msg, *[]string) {
	t.Helper()
	lines := &[]string{}
	log := klog.New(io.Discard, klog.Text)
	log.SetThreshold(klog.Dbg)
	log.SetHook(func(lv klog.Level, origin, msg string) { *lines = append(*lines, lv.String()+": "+msg) })
	c := &event.Context{Log: log}
	m := sipmsg.Faked()
	if text != "" {
		var err error
		if m, err = sipmsg.Parse(text); err != nil {
			t.Fatal(err)
		}
	}
	sipmsg.Set(c, m)
	return c, m, lines
}

const reply = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n" +
	"Via: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK2, SIP/2.0/UDP h.org\r\n" +
	"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"

// TestNextHop: the to_* functions look at $du, else the Request-URI, of
// a request, and at the second Via of a reply (its received parameter
// first).
func TestNextHop(t *testing.T) {
	for _, tc := range []struct {
		name, msg, du string
		want          []string // the to_* functions that return true
	}{
		{"faked", "", "", nil},
		{"du", "", "sip:192.0.2.1;transport=tcp", []string{"to_TCP", "to_IPv4"}},
		{"du v6 ws", "", "sip:[::1]:443;transport=ws", []string{"to_WS", "to_WSX", "to_IPv6"}},
		{"bad du", "", "nonsense", nil},
		{"reply", reply, "", []string{"to_TCP", "to_IPv6"}},
		{"reply received", strings.Replace(reply, "5070;", "5070;received=192.0.2.9;", 1), "", []string{"to_TCP", "to_IPv4"}},
		{"reply, second Via header alone", strings.Replace(reply, ", SIP/2.0/UDP h.org", "", 1), "", []string{"to_TCP", "to_IPv6"}},
		{"reply no second Via", "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, m, _ := sipEvent(t, tc.msg)
			m.DstURI = tc.du
			var got []string
			for _, f := range []string{"to_UDP", "to_TCP", "to_TLS", "to_SCTP", "to_WS", "to_WSS", "to_WSX", "to_IPv4", "to_IPv6"} {
				if call(t, c, f).I != 0 {
					got = append(got, f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSendState: the send-state functions set what the native actions
// set (runtime/sip.SendFlag), and the advertised address and port within
// Kamailio's buffer sizes.
func TestSendState(t *testing.T) {
	c, m, lines := sipEvent(t, "")
	s := value.MakeStr
	for _, f := range []string{"force_rport", "add_local_rport", "set_forward_close", "set_forward_no_connect", "set_reply_close", "set_reply_no_connect"} {
		if call(t, c, f).I != 1 {
			t.Errorf("%s failed", f)
		}
	}
	if call(t, c, "set_advertised_address", s("proxy.example.com")).I != 1 || call(t, c, "set_advertised_port", s("5099")).I != 1 {
		t.Error("set_advertised_* failed")
	}
	if call(t, c, "set_advertised_port", s("1234567890")).I != 0 || call(t, c, "set_advertised_address", value.NullValue).I != 0 {
		t.Error("set_advertised_* took a bad value")
	}
	want := sipmsg.SendState{ForceRport: true, LocalRport: true,
		Fwd: sipmsg.NoConnect | sipmsg.CloseAfter, Rpl: sipmsg.NoConnect | sipmsg.CloseAfter}
	wantVia := sipmsg.ViaFields{AdvAddress: "proxy.example.com", AdvPort: "5099"}
	if m.Send.ForceRport != want.ForceRport || m.Send.LocalRport != want.LocalRport || m.Send.Fwd != want.Fwd ||
		m.Send.Rpl != want.Rpl || m.Send.Via() != wantVia {
		t.Errorf("got %+v via %+v, want %+v via %+v", m.Send, m.Send.Via(), want, wantVia)
	}
	wantLines := []string{"ERROR: sr_kemi_core_set_advertised_port(): port parameter is too large",
		"ERROR: sr_kemi_core_set_advertised_address(): invalid addr parameter"}
	if !slices.Equal(*lines, wantLines) {
		t.Errorf("logged %q", *lines)
	}
}

// TestWithoutTransport: with no SIP socket (no listen=) nothing is this
// server and nothing can be forwarded; a TCP alias has nothing to do.
func TestWithoutTransport(t *testing.T) {
	c, _, lines := sipEvent(t, "")
	s := value.MakeStr
	for _, tc := range []struct {
		f    string
		args []value.Value
		want int64
	}{
		{"is_myself", []value.Value{s("sip:127.0.0.1")}, 0},
		{"is_myself_srcip", nil, 0},
		{"is_myself_ruri", nil, 0},
		{"forward", nil, -1},
		{"forward_uri", []value.Value{s("sip:")}, -1},
		{"add_tcp_alias", []value.Value{value.MakeInt(5060)}, 1},
		{"add_tcp_alias_via", nil, 1},
	} {
		if got := call(t, c, tc.f, tc.args...).I; got != tc.want {
			t.Errorf("%s: %d, want %d", tc.f, got, tc.want)
		}
	}
	want := []string{
		"ERROR: sr_kemi_core_forward_uri(): forward: no SIP socket is open (the configuration has no listen=)",
		"ERROR: sr_kemi_core_forward_uri(): forward - bad_uri dropping packet",
	}
	if !slices.Equal(*lines, want) {
		t.Errorf("logged %q", *lines)
	}
}
