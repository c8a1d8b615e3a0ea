package nathelper_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/runtime/server"
)

// Debian's default configuration with WITH_NAT: a phone behind NAT
// registers (fix_nated_register saves its received address, the contact
// gets nat_bflag), a second one calls it (set_contact_alias,
// rtpproxy_manage with no RTP proxy answering on 127.0.0.1:7722, the
// INVITE relayed to the first phone's received address), and the
// location table is dumped with kamcmd. Kamailio 5.6.3's replies,
// relayed INVITE, dump and rtpproxy log lines are recorded in
// testdata/defcfg-nat.txt by the kamailio-tagged test.

const defaultConfig = "/etc/kamailio/kamailio.cfg"

const goldenDefcfg = "testdata/defcfg-nat.txt"

// defcfgTools skips the test without the configuration or kamcmd.
func defcfgTools(t *testing.T) {
	t.Helper()
	if st, err := os.Stat(defaultConfig); err != nil || !st.Mode().IsRegular() {
		t.Skip(defaultConfig + " is not installed (Debian package kamailio)")
	}
	if _, err := exec.LookPath("kamcmd"); err != nil {
		t.Skip("kamcmd is not installed (Debian package kamailio)")
	}
	siptest.Lock(t, "7722")
	// The configuration names the RTP proxy at 127.0.0.1:7722: the test
	// needs it silent.
	if c, err := net.ListenPacket("udp", "127.0.0.1:7722"); err != nil {
		t.Skip("127.0.0.1:7722 is taken: the configuration's RTP proxy would answer")
	} else {
		c.Close()
	}
}

// defcfgExchange registers alice's phone and has bob's call her through
// the proxy at port; it returns what the phones got, the location table
// dumped through the ctl socket in rundir, normalized.
func defcfgExchange(t *testing.T, port int, rundir string) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	alice, bob := siptest.Dial(t, "alice", addr), siptest.Dial(t, "bob", addr)
	// Kamailio waits for the silent RTP proxy before it relays: longer
	// than Wait.
	read := func(ua *siptest.UA, what string) string {
		s, ok := ua.ReadText(10 * time.Second)
		if !ok {
			t.Fatalf("%s: nothing received", what)
		}
		return s
	}
	var b strings.Builder
	alice.Send(siptest.Build([]string{
		fmt.Sprintf("REGISTER sip:127.0.0.1:%d SIP/2.0", port),
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-reg1;rport",
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=ra",
		"To: <sip:alice@127.0.0.1>",
		"Call-ID: reg-alice@10.0.0.5",
		"CSeq: 1 REGISTER",
		"Contact: <sip:alice@10.0.0.5:5060>",
		"Expires: 600",
		"User-Agent: phone-a",
	}, ""))
	fmt.Fprintf(&b, "== REGISTER reply\n%s\n", read(alice, "REGISTER"))
	bob.Send(siptest.Build([]string{
		fmt.Sprintf("INVITE sip:alice@127.0.0.1:%d SIP/2.0", port),
		"Via: SIP/2.0/UDP 10.0.0.6:5060;branch=z9hG4bK-inv1;rport",
		"Max-Forwards: 70",
		"From: <sip:bob@127.0.0.1>;tag=ib",
		"To: <sip:alice@127.0.0.1>",
		"Call-ID: call-bob@10.0.0.6",
		"CSeq: 1 INVITE",
		"Contact: <sip:bob@10.0.0.6:5060>",
		"Content-Type: application/sdp",
	}, "v=0\r\no=bob 1 1 IN IP4 10.0.0.6\r\ns=-\r\nc=IN IP4 10.0.0.6\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"))
	fmt.Fprintf(&b, "== bob got\n%s\n", read(bob, "INVITE's 100"))
	fmt.Fprintf(&b, "== alice got\n%s\n", read(alice, "relayed INVITE"))
	out, err := exec.Command("kamcmd", "-s", "unix:"+filepath.Join(rundir, "kamailio_ctl"), "ul.dump").CombinedOutput()
	if err != nil {
		t.Fatalf("kamcmd ul.dump: %v\n%s", err, out)
	}
	fmt.Fprintf(&b, "== ul.dump\n%s", out)
	return normalizeDefcfg(b.String(), alice.Port(), bob.Port(), port)
}

var (
	reDefBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f.]+`)
	reDefTag    = regexp.MustCompile(`tag=[0-9a-f]{32}[-.][0-9a-f]+`)
	reDefTimes  = regexp.MustCompile(`(?m)^(\s*(Expires|Last-Modified|Last-Keepalive|Ruid|Server): ).*$`)
	reDefExpiry = regexp.MustCompile(`;expires=\d+`)
)

func normalizeDefcfg(s string, alice, bob, proxy int) string {
	s = siptest.MaskPorts(s, siptest.Port{Port: alice, Name: "<alice>"}, siptest.Port{Port: bob, Name: "<bob>"}, siptest.Port{Port: proxy, Name: "<proxy>"})
	s = reDefBranch.ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	s = reDefTag.ReplaceAllString(s, "tag=<proxy-tag>")
	s = reDefTimes.ReplaceAllString(s, "${1}<masked>")
	s = reDefExpiry.ReplaceAllString(s, ";expires=<n>")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// TestDefaultConfigNAT runs Debian's configuration with WITH_NAT on
// kamgo: the replies, the relayed INVITE and the location table are
// Kamailio's.
func TestDefaultConfigNAT(t *testing.T) {
	defcfgTools(t)
	rundir := t.TempDir()
	srv := siptest.StartFile(t, defaultConfig, siptest.Options{Defines: []string{"WITH_NAT"},
		Load: server.Options{Listen: []string{"udp:127.0.0.1:" + siptest.SIPPort, "tcp:127.0.0.1:" + siptest.SIPPort}, RunDir: rundir}})
	port, ll := srv.Port, srv.Log
	got := defcfgExchange(t, port, rundir) + "-- rtpproxy log\n" + strings.Join(rtpproxyLines(ll.Lines()), "\n") + "\n"
	want := siptest.ReadGolden(t, goldenDefcfg)
	if got != want {
		t.Errorf("differs from Kamailio's (%s):\n%s", goldenDefcfg, siptest.Diff(want, got))
	}
}

var reRtppLine = regexp.MustCompile(`\b(ERROR|WARNING|INFO|NOTICE|CRITICAL): (?:\{[^}]*\} )?<?rtpproxy>?(?: \[[^]]*\])?: (.*)$`)

// rtpproxyLines are rtpproxy's log lines, "LEVEL text", each once, in
// order of first appearance (Kamailio tests the proxy in every process).
func rtpproxyLines(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		if m := reRtppLine.FindStringSubmatch(l); m != nil && !seen[m[1]+" "+m[2]] {
			seen[m[1]+" "+m[2]] = true
			out = append(out, m[1]+" "+m[2])
		}
	}
	return out
}
