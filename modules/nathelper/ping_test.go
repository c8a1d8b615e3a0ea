package nathelper_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/registrar"
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
	sipPhone, udpPhone := siptest.NewUA(t, "sip phone"), siptest.NewUA(t, "udp phone")
	reg := func(ua *siptest.UA, user string, extra ...string) {
		ua.SendTo(addr, siptest.Build(append([]string{
			"REGISTER sip:example.com SIP/2.0",
			"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-" + user + ";rport",
			"Max-Forwards: 70",
			"From: <sip:" + user + "@example.com>;tag=f-" + user,
			"To: <sip:" + user + "@example.com>",
			"Call-ID: reg-" + user + "@10.0.0.5",
			"CSeq: 1 REGISTER",
			"Contact: <sip:" + user + "@10.0.0.5:5060>",
			"Expires: 600",
		}, extra...), ""))
	}
	// read returns the next datagram that is not the REGISTER's reply.
	read := func(ua *siptest.UA) string {
		for range 3 {
			if s := ua.RecvText(); !strings.HasPrefix(s, "SIP/2.0 ") {
				return s
			}
		}
		t.Fatal("no ping")
		return ""
	}
	pingFirst := map[*siptest.UA]string{} // pings that came before a REGISTER's reply
	reg(sipPhone, "alice", "X-SIP-Ping: yes")
	reg(udpPhone, "bob")
	// Both replies first, so that the registrations are saved.
	for _, ua := range []*siptest.UA{sipPhone, udpPhone} {
		if s := ua.RecvText(); !strings.HasPrefix(s, "SIP/2.0 200") {
			// A ping came first (Kamailio's timer runs on its own): keep it.
			pingFirst[ua] = s
		}
	}
	tick()
	get := func(ua *siptest.UA) string {
		if s, ok := pingFirst[ua]; ok {
			delete(pingFirst, ua)
			return s
		}
		return read(ua)
	}
	opt := get(sipPhone)
	raw := get(udpPhone)
	if m, err := sipmsg.Parse(opt); err == nil && m.IsRequest() {
		sipPhone.SendTo(addr, siptest.Reply(m, 200, "OK", ""))
	}
	s := rePingTag.ReplaceAllString(opt, "tag=<ruid>-$1-<n>\r")
	s = rePingCallID.ReplaceAllString(s, "Call-ID: <callid>@")
	s = rePingBranch.ReplaceAllString(s, "branch=z9hG4bK<7 digits>\r")
	s = normalize(s, sipPhone.Port(), -1, siptest.PortOf(addr))
	return fmt.Sprintf("== SIP ping\n%s\n== UDP ping\n%q\n", s, raw)
}

// TestPing: after a second on the module's clock, the pinger sends the
// SIP-ping contact Kamailio's OPTIONS and the other one four zero bytes,
// each to its received address.
func TestPing(t *testing.T) {
	clock := fakeclock.New()
	srv := startKamgoClock(t, pingRoutes, clock)
	got := pingExchange(t, srv.Addr, func() { clock.Advance(time.Second) })
	if want := siptest.ReadGolden(t, goldenPing); got != want {
		t.Errorf("pings differ from Kamailio's (%s):\n%s", goldenPing, siptest.Diff(want, got))
	}
}
