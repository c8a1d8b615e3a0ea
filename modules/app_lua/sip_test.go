package applua_test

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/server"
)

// sipTwinNative is a stateless proxy in the configuration language; the
// request's X-Case header picks what it does. sipTwinLua is the same in
// Lua, through the core's KEMI functions.
const sipTwinNative = `listen=udp:127.0.0.1:0
loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	force_rport();
	add_local_rport();
	set_advertised_address("192.0.2.7");
	set_advertised_port(5099);
	switch ($hdr(X-Case)) {
	case "du":
		$du = "sip:127.0.0.1:NEXT";
		if (!forward()) { sl_reply_error(); }
		break;
	case "uri":
		$du = "sip:127.0.0.1:NEXT";
		forward();
		break;
	case "tcp":
		$du = "sip:127.0.0.1:NEXT;transport=tcp";
		if (!forward()) { sl_reply_error(); }
		break;
	}
}
`

const sipTwinLua = `
function ksr_request_route()
	KSR.force_rport()
	KSR.add_local_rport()
	KSR.set_advertised_address("192.0.2.7")
	KSR.set_advertised_port("5099")
	local case = KSR.hdr.get("X-Case")
	if case == "du" then
		KSR.setdsturi("sip:127.0.0.1:NEXT")
		if KSR.forward() < 0 then KSR.sl.sl_reply_error() end
	elseif case == "uri" then
		KSR.forward_uri("sip:127.0.0.1:NEXT")
	elseif case == "tcp" then
		if KSR.forward_uri("sip:127.0.0.1:NEXT;transport=tcp") < 0 then KSR.sl.sl_reply_error() end
	end
end
`

// TestForwardTwin: KSR.forward, KSR.forward_uri and the send-state
// functions send what forward() and the native actions send, byte for
// byte, and a failed forward leaves the same error for sl_reply_error.
func TestForwardTwin(t *testing.T) {
	next := udpPeer(t)
	nextPort := strconv.Itoa(next.port())
	native, _ := startSIP(t, strings.ReplaceAll(sipTwinNative, "NEXT", nextPort))
	lua, _ := startSIP(t, `listen=udp:127.0.0.1:0
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "`+writeLua(t, strings.ReplaceAll(sipTwinLua, "NEXT", nextPort))+`")
cfgengine "lua"
`)
	phone := udpPeer(t)
	for i, cs := range []string{"du", "uri", "tcp"} {
		var got [2]string
		for j, srv := range []*server.Server{native, lua} {
			phone.send(t, sipPort(t, srv), invite(phone.port(), i, cs))
			if cs == "tcp" {
				got[j] = firstLine(phone.recv(t))
			} else {
				got[j] = next.recv(t)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s: native sent\n%q\nLua sent\n%q", cs, got[0], got[1])
		}
		if cs == "tcp" {
			if got[0] != "SIP/2.0 500 I'm terribly sorry, server error occurred (7/SL)" {
				t.Errorf("tcp: replied %q", got[0])
			}
			continue
		}
		if via := "Via: SIP/2.0/UDP 192.0.2.7:5099;branch="; !strings.Contains(got[0], via) {
			t.Errorf("%s: no advertised Via in %q", cs, got[0])
		}
		if rport := fmt.Sprintf(";rport=%d", phone.port()); !strings.Contains(got[0], rport) {
			t.Errorf("%s: no %s in %q", cs, rport, got[0])
		}
	}
}

// startSIP starts a configuration with SIP sockets.
func startSIP(t *testing.T, cfg string) (*server.Server, *logs) {
	t.Helper()
	srv, lg, _ := start(t, "kamailio.cfg", cfg, nil)
	if srv.SIP() == nil {
		t.Fatal("no SIP transport")
	}
	return srv, lg
}

func sipPort(t *testing.T, srv *server.Server) int {
	t.Helper()
	socks := srv.SIP().Sockets()
	if len(socks) == 0 {
		t.Fatal("no SIP socket")
	}
	return socks[0].Port
}

func invite(from, n int, cs string) string {
	return fmt.Sprintf("INVITE sip:bob@example.com SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-t%d\r\n"+
		"From: <sip:alice@example.com>;tag=a%d\r\n"+
		"To: <sip:bob@example.com>\r\n"+
		"Call-ID: twin-%d\r\n"+
		"CSeq: 1 INVITE\r\n"+
		"X-Case: %s\r\n"+
		"Max-Forwards: 70\r\n"+
		"Content-Length: 0\r\n\r\n", from, n, n, n, cs)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	return l
}

// udpPeer is a UDP socket on 127.0.0.1 that sends and receives datagrams.
type udpSock struct{ pc net.PacketConn }

func udpPeer(t *testing.T) udpSock {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return udpSock{pc}
}

func (u udpSock) port() int { return u.pc.LocalAddr().(*net.UDPAddr).Port }

func (u udpSock) send(t *testing.T, port int, msg string) {
	t.Helper()
	if _, err := u.pc.WriteTo([]byte(msg), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err != nil {
		t.Fatal(err)
	}
}

func (u udpSock) recv(t *testing.T) string {
	t.Helper()
	buf := make([]byte, 65535)
	_ = u.pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := u.pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("nothing received: %v", err)
	}
	return string(buf[:n])
}
