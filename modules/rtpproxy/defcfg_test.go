package rtpproxy_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/rtpproxy/internal/fakertpp"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Debian's default configuration with WITH_NAT and an RTP proxy
// answering where it names one (127.0.0.1:7722, the fake): alice's phone
// registers from behind NAT, bob's calls her; the INVITE alice gets has
// the proxy's address and port in its SDP (rtpproxy_manage("co") in the
// branch route), and her 200 OK reaches bob with the proxy's SDP and her
// alias (the reply route). Kamailio 5.6.3's relayed messages and the
// commands it sent are recorded in testdata/defcfg-rtpp.txt by the
// kamailio-tagged test.

const defaultConfig = "/etc/kamailio/kamailio.cfg"

const goldenDefcfg = "testdata/defcfg-rtpp.txt"

// defcfgProxy skips without the configuration and starts the fake RTP
// proxy on 127.0.0.1:7722 (skipping when the port is taken).
func defcfgProxy(t *testing.T) *fakertpp.Proxy {
	t.Helper()
	if st, err := os.Stat(defaultConfig); err != nil || !st.Mode().IsRegular() {
		t.Skip(defaultConfig + " is not installed (Debian package kamailio)")
	}
	siptest.Lock(t, "7722")
	p, err := fakertpp.ListenUDP("127.0.0.1:7722")
	if err != nil {
		t.Skip("127.0.0.1:7722 is taken")
	}
	t.Cleanup(p.Close)
	return p
}

// defcfgCall registers alice and has bob call her through the proxy at
// port; it returns the INVITE alice got, the 200 OK bob got and the RTP
// proxy's commands.
func defcfgCall(t *testing.T, port int, rtpp *fakertpp.Proxy) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	alice, bob := siptest.Dial(t, "alice", addr), siptest.Dial(t, "bob", addr)
	send := func(ua *siptest.UA, lines []string, body string) { ua.Send(siptest.Build(lines, body)) }
	// Kamailio may wait for the RTP proxy before it relays: longer than
	// Wait.
	read := func(ua *siptest.UA, what string) string {
		s, ok := ua.ReadText(10 * time.Second)
		if !ok {
			t.Fatalf("%s: nothing received", what)
		}
		return s
	}
	send(alice, []string{
		fmt.Sprintf("REGISTER sip:127.0.0.1:%d SIP/2.0", port),
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-reg1;rport",
		"From: <sip:alice@127.0.0.1>;tag=ra", "To: <sip:alice@127.0.0.1>",
		"Call-ID: reg-alice@10.0.0.5", "CSeq: 1 REGISTER",
		"Contact: <sip:alice@10.0.0.5:5060>", "Expires: 600",
	}, "")
	read(alice, "REGISTER")
	rtpp.Commands(true)
	send(bob, []string{
		fmt.Sprintf("INVITE sip:alice@127.0.0.1:%d SIP/2.0", port),
		"Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bK-inv1;rport",
		"Max-Forwards: 70",
		"From: <sip:bob@127.0.0.1>;tag=ib", "To: <sip:alice@127.0.0.1>",
		"Call-ID: call-bob@10.0.0.6", "CSeq: 1 INVITE",
		"Contact: <sip:bob@10.0.0.6:5060>", "Content-Type: application/sdp",
	}, offerSDP)
	inv := read(alice, "relayed INVITE")
	s := "== alice got\n" + inv + "-- commands\n" + strings.Join(rtpp.Commands(true), "\n") + "\n"
	// alice answers from behind her NAT: the reply goes back through the
	// proxy (rtpproxy_manage answers, set_contact_alias in the reply).
	req, err := sipmsg.Parse(inv)
	if err != nil {
		t.Fatal(err)
	}
	rpl := []string{"SIP/2.0 200 OK"}
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "record-route", "from", "call-id", "cseq":
			rpl = append(rpl, strings.TrimRight(req.Buf[h.Start:h.End], "\r\n"))
		case "to":
			rpl = append(rpl, strings.TrimRight(req.Buf[h.Start:h.End], "\r\n")+";tag=ta")
		}
	}
	rpl = append(rpl, "Contact: <sip:alice@10.0.0.5:5060>", "Content-Type: application/sdp")
	send(alice, rpl, "v=0\r\no=alice 2 2 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n")
	for range 3 {
		if r := read(bob, "200 OK"); strings.HasPrefix(r, "SIP/2.0 200") {
			s += "== bob got\n" + r + "-- commands\n" + strings.Join(rtpp.Commands(true), "\n") + "\n"
			break
		}
	}
	s = siptest.MaskPorts(s, siptest.Port{Port: alice.Port(), Name: "<alice>"}, siptest.Port{Port: bob.Port(), Name: "<bob>"},
		siptest.Port{Port: port, Name: "<proxy>"})
	s = regexp.MustCompile(`branch=z9hG4bK[0-9a-f.]+`).ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// TestDefaultConfigRTPProxy: on kamgo, Debian's configuration relays the
// call with the RTP proxy's SDP, as Kamailio does.
func TestDefaultConfigRTPProxy(t *testing.T) {
	rtpp := defcfgProxy(t)
	srv := siptest.StartFile(t, defaultConfig, siptest.Options{Defines: []string{"WITH_NAT"},
		Load: server.Options{Listen: []string{"udp:127.0.0.1:" + siptest.SIPPort, "tcp:127.0.0.1:" + siptest.SIPPort}, RunDir: t.TempDir()}})
	port := srv.Port
	got := defcfgCall(t, port, rtpp)
	siptest.Golden(t, goldenDefcfg, "kamgo", got, false)
}
