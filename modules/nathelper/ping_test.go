package nathelper_test

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	_ "github.com/kamgo/kamgo/modules/kex"
	"github.com/kamgo/kamgo/modules/nathelper"
	_ "github.com/kamgo/kamgo/modules/registrar"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// pingRoutes registers contacts behind NAT (received address saved
// through fix_nated_register, nat_bflag set), the ones that ask for it
// (X-SIP-Ping) with sipping_bflag too; the pinger runs every second.
const pingRoutes = `
loadmodule "kex.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
modparam("usrloc", "nat_bflag", 6)
modparam("nathelper", "natping_interval", 1)
modparam("nathelper", "ping_nated_only", 1)
modparam("nathelper", "sipping_bflag", 7)
modparam("nathelper", "sipping_from", "sip:pinger@kamailio.org")
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
request_route {
	if (nat_uac_test("19")) {
		fix_nated_register();
		setbflag(6);
		if ($hdr(X-SIP-Ping) != $null) {
			setbflag(7);
		}
	}
	save("location");
	exit;
}
`

const goldenPing = "testdata/ping.txt"

var (
	rePingTag    = regexp.MustCompile(`tag=uloc-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-([0-9a-f]+)-[0-9a-f]+\r`)
	rePingCallID = regexp.MustCompile(`Call-ID: [0-9a-f]+-[0-9a-f]+-[0-9a-f]+@`)
	rePingBranch = regexp.MustCompile(`branch=z9hG4bK[1-9][0-9]{6}\r`)
)

// pingExchange registers two phones behind NAT at addr, one asking for
// SIP pings, runs tick (the server's timer) and returns what each phone
// received from the pinger, normalized. The SIP ping is answered.
func pingExchange(t *testing.T, addr string, tick func()) string {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp", addr)
	sipPhone, udpPhone := listen(t), listen(t)
	reg := func(pc net.PacketConn, user string, extra ...string) {
		h := append([]string{
			"REGISTER sip:example.com SIP/2.0",
			"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-" + user + ";rport",
			"Max-Forwards: 70",
			"From: <sip:" + user + "@example.com>;tag=f-" + user,
			"To: <sip:" + user + "@example.com>",
			"Call-ID: reg-" + user + "@10.0.0.5",
			"CSeq: 1 REGISTER",
			"Contact: <sip:" + user + "@10.0.0.5:5060>",
			"Expires: 600",
		}, extra...)
		msg := strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
		if _, err := pc.WriteTo([]byte(msg), to); err != nil {
			t.Fatal(err)
		}
	}
	// read returns the next datagram that is not the REGISTER's reply.
	read := func(pc net.PacketConn) string {
		buf := make([]byte, 65535)
		for range 3 {
			_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatalf("nothing received: %v", err)
			}
			if s := string(buf[:n]); !strings.HasPrefix(s, "SIP/2.0 ") {
				return s
			}
		}
		t.Fatal("no ping")
		return ""
	}
	pingFirst := map[net.PacketConn]string{} // pings that came before a REGISTER's reply
	reg(sipPhone, "alice", "X-SIP-Ping: yes")
	reg(udpPhone, "bob")
	// Both replies first, so that the registrations are saved.
	for _, pc := range []net.PacketConn{sipPhone, udpPhone} {
		buf := make([]byte, 65535)
		_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no reply to REGISTER: %v", err)
		}
		if s := string(buf[:n]); !strings.HasPrefix(s, "SIP/2.0 200") {
			// A ping came first (Kamailio's timer runs on its own): keep it.
			pingFirst[pc] = s
		}
	}
	tick()
	get := func(pc net.PacketConn) string {
		if s, ok := pingFirst[pc]; ok {
			delete(pingFirst, pc)
			return s
		}
		return read(pc)
	}
	opt := get(sipPhone)
	raw := get(udpPhone)
	if m, err := sipmsg.Parse(opt); err == nil && m.IsRequest() {
		var b strings.Builder
		b.WriteString("SIP/2.0 200 OK\r\n")
		for _, h := range m.Headers {
			switch sipmsg.CanonName(h.Name) {
			case "via", "from", "to", "call-id", "cseq":
				b.WriteString(m.Buf[h.Start:h.End])
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		if _, err := sipPhone.WriteTo([]byte(b.String()), to); err != nil {
			t.Fatal(err)
		}
	}
	s := rePingTag.ReplaceAllString(opt, "tag=<ruid>-$1-<n>\r")
	s = rePingCallID.ReplaceAllString(s, "Call-ID: <callid>@")
	s = rePingBranch.ReplaceAllString(s, "branch=z9hG4bK<7 digits>\r")
	s = normalize(s, sipPhone.LocalAddr().(*net.UDPAddr).Port, -1, to.Port)
	return fmt.Sprintf("== SIP ping\n%s\n== UDP ping\n%q\n", strings.ReplaceAll(s, "\r\n", "\n"), raw)
}

// TestPing: after a second on the module's clock, the pinger sends the
// SIP-ping contact Kamailio's OPTIONS and the other one four zero bytes,
// each to its received address.
func TestPing(t *testing.T) {
	clock := fakeclock.New()
	addr, _, _ := startKamgoClock(t, pingRoutes, func(ul *usrloc.Module, nh *nathelper.Module) {
		ul.SetClock(clock)
		nh.SetClock(clock)
	})
	got := pingExchange(t, addr, func() { clock.Advance(time.Second) })
	if want := readGolden(t, goldenPing); got != want {
		t.Errorf("pings differ from Kamailio's (%s):\n%s", goldenPing, diff(want, got))
	}
}
