//go:build kamailio

package defaultconfig_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

// release is the Kamailio release kamgo follows in the differential: the
// one the file comes from and the reference runs.
const release = "5.6"

// TestSameAsKamailio runs the default configuration on kamgo, then on
// Kamailio 5.6.3, and plays the same calls against both from the same two
// phones (exchanges). Every message each phone gets must be the same on
// both, up to what normalize takes out; so must ul.dump and ul.lookup
// (kamcmd on the ctl socket) after the registrations and after the
// unregistration, up to times and record ids, ul.dump as kamcli prints it from the jsonrpcs socket (when
// kamcli is installed), and the lines acc and the script log.
// DEFCFG_SHOW=1 logs every message pair as received and both logs,
// DEFCFG_SHOW=normalized the messages as compared.
func TestSameAsKamailio(t *testing.T) {
	t.Parallel()
	differential(t, nil, exchanges, true)
}

// TestPSTNSameAsKamailio does the same with WITH_PSTN defined: calls to
// numbers go to the gateway set at run time with cfg_rpc (pstnExchanges).
func TestPSTNSameAsKamailio(t *testing.T) {
	t.Parallel()
	differential(t, []string{"-A", "WITH_PSTN"}, pstnExchanges, false)
}

// TestAntifloodSameAsKamailio plays the calls of TestSameAsKamailio with
// WITH_ANTIFLOOD defined: htable and pike are loaded and configured.
// route[REQINIT] leaves the ban table and pike out for a source that is
// the proxy's own address, as the phones on 127.0.0.1 are (flooding from
// another address would depend on pike's clock): the calls must go as
// without the define.
func TestAntifloodSameAsKamailio(t *testing.T) {
	t.Parallel()
	// kamcli's dumps are left to TestSameAsKamailio: each run of kamcli
	// costs a Python start-up.
	withoutKamcli := func(t *testing.T, server string, alice, bob *ua, port int, rundir, _ string) run {
		return exchanges(t, server, alice, bob, port, rundir, "")
	}
	differential(t, []string{"-A", "WITH_ANTIFLOOD"}, withoutKamcli, true)
}

// TestNATSameAsKamailio plays the calls of TestSameAsKamailio with
// WITH_NAT defined: nathelper and rtpproxy are loaded (no RTPProxy
// listens at the address the file names), route[NATDETECT] runs
// nat_uac_test on every request, and finds no NAT for phones whose Via
// and Contact are where they send from, so the calls must go as without
// the define.
func TestNATSameAsKamailio(t *testing.T) {
	t.Parallel()
	play := func(t *testing.T, server string, alice, bob *ua, port int, rundir, _ string) run {
		r := exchanges(t, server, alice, bob, port, rundir, "")
		n := natExchanges(t, server, alice, bob, port, rundir)
		return run{got: append(r.got, n.got...), dumps: append(r.dumps, n.dumps...)}
	}
	differential(t, []string{"-A", "WITH_NAT"}, play, true)
}

// natExchanges plays, with WITH_NAT, a phone behind a NAT: alice's socket
// registers dave with a private contact address, which nat_uac_test
// detects; fix_nated_register stores the address the REGISTER came from,
// and bob's call to dave (without SDP, so that no RTPProxy is asked) goes
// there, record-routed with nat=yes; dave is busy.
func natExchanges(t *testing.T, server string, alice, bob *ua, port int, rundir string) run {
	t.Helper()
	s := newSession(t, server, port)
	const behind = "sip:dave@10.0.0.1:5060"
	s.send(alice, build("REGISTER "+s.uri("")+" SIP/2.0", []string{
		alice.via("n1"), "From: <sip:dave@127.0.0.1>;tag=d-n1", "To: <sip:dave@127.0.0.1>",
		"Call-ID: reg-dave", "CSeq: 1 REGISTER", "Max-Forwards: 70", "Contact: <" + behind + ">", "Expires: 60",
	}, ""))
	s.recv(alice, "NAT: REGISTER with a private contact", "SIP/2.0 200 OK")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := kamref.Kamcmd(ctx, filepath.Join(rundir, "kamailio_ctl"), "ul.lookup", "location", "dave")
	if err != nil {
		t.Fatalf("%s: %v", server, err)
	}

	headers := func(method, toTag string) []string {
		to := "To: <sip:dave@127.0.0.1>"
		if toTag != "" {
			to += ";tag=" + toTag
		}
		return []string{bob.via("n2"), "From: <sip:bob@127.0.0.1>;tag=b-n2", to, "Call-ID: n2", "CSeq: 1 " + method, "Max-Forwards: 70"}
	}
	s.send(bob, build("INVITE "+s.uri("dave")+" SIP/2.0", append(headers("INVITE", ""), "Contact: <"+bob.contact()+">"), ""))
	s.recv(bob, "NAT: provisional from the proxy", "SIP/2.0 100 trying -- your call is important to us")
	inv := s.recv(alice, "NAT: INVITE to the address the REGISTER came from", "INVITE "+behind+" SIP/2.0")
	s.send(alice, reply(inv, "486 Busy Here", "d-n2", "", "Contact: <"+behind+">"))
	s.recv(alice, "NAT: proxy's ACK to 486", "ACK "+behind+" SIP/2.0")
	s.recv(bob, "NAT: relayed 486", "SIP/2.0 486 Busy Here")
	s.send(bob, build("ACK "+s.uri("dave")+" SIP/2.0", headers("ACK", "d-n2"), ""))

	s.drain(alice)
	s.drain(bob)
	return run{got: s.got, dumps: []dump{{what: "kamcmd ul.lookup location dave", out: out}}}
}

// player plays one session's calls against the proxy at port, whose
// runtime directory is rundir; kamcliBin is kamcli's path or "".
type player func(t *testing.T, server string, alice, bob *ua, port int, rundir, kamcliBin string) run

// differential runs the default configuration with args (defines) on
// kamgo, then on Kamailio, plays the same calls against both and
// compares what the phones got, the RPC dumps, the acc lines (which must
// not be empty when wantAcc) and the script's log lines.
func differential(t *testing.T, args []string, play player, wantAcc bool) {
	cfg := configFile(t)
	if _, err := exec.LookPath("kamcmd"); err != nil {
		siptest.Missing(t, requireTools, "kamcmd is not installed (Debian package kamailio)")
	}
	kamcliB, _ := exec.LookPath("kamcli")
	alice, bob := newUA(t, "alice"), newUA(t, "bob")

	k := startKamgo(t, cfg, append([]string{"-kamailio", release}, args...)...)
	g := play(t, "kamgo", alice, bob, k.port, k.rundir, kamcliB)
	k.proc.Stop()

	rp := siptest.FreePort(t)
	in, err := kamref.StartSIPFile(context.Background(), cfg, kamref.Options{SIPPort: rp, Args: append(listenArgs(rp), args...)})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	m := play(t, "Kamailio", alice, bob, rp, in.Dir, kamcliB)

	// Values both servers put in the same messages (the phones' own tags
	// and branches, the branch of a stateless relay, which hashes the
	// request) are compared as they are; the others are masked.
	keep := common(g.got, m.got)
	kg, km := normalize(g.got, k.port, keep), normalize(m.got, rp, keep)
	if len(kg) != len(km) {
		t.Fatalf("kamgo: %d messages, Kamailio: %d", len(kg), len(km))
	}
	for i := range kg {
		switch {
		case kg[i].who != km[i].who || kg[i].step != km[i].step:
			t.Errorf("message %d: kamgo's went to %s at %q, Kamailio's to %s at %q", i, kg[i].who, kg[i].step, km[i].who, km[i].step)
		case kg[i].msg != km[i].msg:
			t.Errorf("%s, %s: differs\n%s\nkamgo:\n%s\nKamailio:\n%s", kg[i].who, kg[i].step, lineDiff(kg[i].msg, km[i].msg), kg[i].msg, km[i].msg)
		}
		switch os.Getenv("DEFCFG_SHOW") {
		case "":
		case "normalized":
			t.Logf("%s, %s:\nkamgo:\n%s\nKamailio:\n%s", kg[i].who, kg[i].step, kg[i].msg, km[i].msg)
		default:
			t.Logf("%s, %s:\nkamgo:\n%s\nKamailio:\n%s", kg[i].who, kg[i].step, g.got[i].msg, m.got[i].msg)
		}
	}

	if len(g.dumps) != len(m.dumps) {
		t.Fatalf("kamgo: %d RPC dumps, Kamailio: %d", len(g.dumps), len(m.dumps))
	}
	for i := range g.dumps {
		gd, md := maskDump(t, g.dumps[i], k.port), maskDump(t, m.dumps[i], rp)
		if gd != md {
			t.Errorf("%s differs\n%s\nkamgo:\n%s\nKamailio:\n%s", g.dumps[i].what, lineDiff(gd, md), gd, md)
		}
	}

	// acc writes a line for each answered, missed or failed call (the
	// flags the script sets), xlog what the script says. The level, the
	// file's log_prefix and the text are compared, with acc's times
	// masked.
	in.Stop()
	kamgoLog, kamailioLog := k.proc.Log(), strings.Join(in.Lines(), "\n")
	if os.Getenv("DEFCFG_SHOW") != "" {
		t.Logf("kamgo's log:\n%s\nKamailio's log:\n%s", kamgoLog, kamailioLog)
	}
	if gl, ml := accLines(kamgoLog), accLines(kamailioLog); gl != ml || (wantAcc && gl == "") {
		t.Errorf("acc lines differ\nkamgo:\n%s\nKamailio:\n%s", gl, ml)
	}
	if gl, ml := scriptLines(kamgoLog), scriptLines(kamailioLog); gl != ml {
		t.Errorf("script log lines differ\nkamgo:\n%s\nKamailio:\n%s", gl, ml)
	}
}

// scriptRE matches a line the script logs, with the file's log_prefix
// (the message type, CSeq and Call-ID in braces) after the level.
var scriptRE = regexp.MustCompile(`(?m)\b(ALERT|BUG|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG): (\{[^}]*\} )?<script>: (.*)$`)

// scriptLines are the lines the script logs, in order, as "LEVEL:
// {prefix} text".
func scriptLines(log string) string {
	var out []string
	for _, m := range scriptRE.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1]+": "+m[2]+m[3])
	}
	return strings.Join(out, "\n")
}

var (
	accRE       = regexp.MustCompile(`(?m)\b(NOTICE): (\{[^}]*\} )?.*?\bacc_log_request\(\): (ACC: .*)$`)
	timestampRE = regexp.MustCompile(`timestamp=[0-9]+`)
)

// accLines are the level, prefix and text of acc's lines in log, one a line,
// with acc's timestamps masked.
func accLines(log string) string {
	var out []string
	for _, m := range accRE.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1]+": "+m[2]+timestampRE.ReplaceAllString(m[3], "timestamp=T"))
	}
	// Kamailio's processes write to stderr each on its own: the order of
	// two lines from two of them is not the order of the calls.
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestSippOnKamailio runs sipp_test.go's scenarios against the default
// configuration in Kamailio 5.6.3, which checks the scenarios themselves.
func TestSippOnKamailio(t *testing.T) {
	t.Parallel()
	cfg, sipp := configFile(t), newSipp(t)
	rp := siptest.FreePort(t)
	in, err := kamref.StartSIPFile(context.Background(), cfg, kamref.Options{SIPPort: rp, Args: listenArgs(rp)})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	sipp.Run(scenarioArgs(t, "options.xml", rp, siptest.FreePort(t), 2, "ping")...)
	sipp.Run(scenarioArgs(t, "notfound.xml", rp, siptest.FreePort(t), 2, "nobody")...)
	ap, bp := siptest.FreePort(t), siptest.FreePort(t)
	sipp.Run(scenarioArgs(t, "register.xml", rp, ap, 1, "alice")...)
	sipp.Run(scenarioArgs(t, "register.xml", rp, bp, 1, "bob")...)
	uas := sipp.Start(scenarioArgs(t, "uas.xml", rp, bp, 2, "bob")...)
	sipp.Run(scenarioArgs(t, "uac.xml", rp, ap, 2, "bob")...)
	sipp.Wait(uas)
}

// dump is the output of one RPC client command.
type dump struct {
	what, out string
	json      bool // kamcli's JSON, not kamcmd's text
}

// run is what one server's session produced.
type run struct {
	got   []received
	dumps []dump
}

// exchanges plays the calls against the proxy at port and returns what
// the phones got, and the registrations as kamcmd (through the ctl socket
// in rundir) and kamcli (through the jsonrpcs socket, when kamcliBin is
// not "") show them after the registrations and after alice's
// unregistration. server names the proxy in failures.
func exchanges(t *testing.T, server string, alice, bob *ua, port int, rundir, kamcliBin string) run {
	t.Helper()
	s := newSession(t, server, port)
	var dumps []dump
	rpc := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := kamref.Kamcmd(ctx, filepath.Join(rundir, "kamailio_ctl"), args...)
		if err != nil {
			t.Fatalf("%s: %v", server, err)
		}
		dumps = append(dumps, dump{what: "kamcmd " + strings.Join(args, " "), out: out})
		if kamcliBin != "" && args[0] == "ul.dump" {
			b, err := json.MarshalIndent(kamcli(t, kamcliBin, rundir, "ul", "show"), "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			dumps = append(dumps, dump{what: "kamcli ul show", out: string(b), json: true})
		}
	}
	register := func(u *ua, cseq int, extra ...string) {
		t.Helper()
		s.send(u, build("REGISTER "+s.uri("")+" SIP/2.0", append([]string{
			u.via(fmt.Sprintf("r%d", cseq)),
			fmt.Sprintf("From: <sip:%s@127.0.0.1>;tag=%s", u.name, u.tag("r")),
			fmt.Sprintf("To: <sip:%s@127.0.0.1>", u.name),
			"Call-ID: reg-" + u.name,
			fmt.Sprintf("CSeq: %d REGISTER", cseq),
			"Max-Forwards: 70",
		}, extra...), ""))
	}
	// inviteHeaders are alice's headers for call id to user; the To tag,
	// once known, goes into the ACK and the BYE.
	inviteHeaders := func(id, user, branch, method string, cseq int, toTag string, extra ...string) []string {
		to := fmt.Sprintf("To: <sip:%s@127.0.0.1>", user)
		if user == "" {
			to = "To: <sip:127.0.0.1>"
		}
		if toTag != "" {
			to += ";tag=" + toTag
		}
		return append([]string{
			alice.via(branch),
			fmt.Sprintf("From: <sip:alice@127.0.0.1>;tag=%s", alice.tag(id)),
			to,
			"Call-ID: " + id,
			fmt.Sprintf("CSeq: %d %s", cseq, method),
		}, extra...)
	}
	invite := func(id, user string, extra ...string) {
		t.Helper()
		hs := inviteHeaders(id, user, id, "INVITE", 1, "", append([]string{"Contact: <" + alice.contact() + ">"}, extra...)...)
		s.send(alice, build("INVITE "+s.uri(user)+" SIP/2.0", hs, sdp))
	}
	// ack acknowledges a negative final reply to alice's INVITE: same
	// branch and request URI, hop by hop to the proxy.
	ack := func(id, user, final string) {
		t.Helper()
		tag := strings.TrimPrefix(tagRE.FindString(header(final, "To")[0]), "tag=")
		s.send(alice, build("ACK "+s.uri(user)+" SIP/2.0", inviteHeaders(id, user, id, "ACK", 1, tag, "Max-Forwards: 70"), ""))
	}
	const ok200, trying = "SIP/2.0 200 OK", "SIP/2.0 100 trying -- your call is important to us"
	toBob := func(method string) string { return method + " " + bob.contact() + " SIP/2.0" }

	// Registrations: with an Expires header, without one (the registrar's
	// default), a re-registration with an expires contact parameter.
	register(alice, 1, "Contact: <"+alice.contact()+">", "Expires: 60")
	s.recv(alice, "REGISTER with Expires: 60", ok200)
	register(bob, 1, "Contact: <"+bob.contact()+">")
	s.recv(bob, "REGISTER without Expires", ok200)
	register(alice, 2, "Contact: <"+alice.contact()+">;expires=120")
	s.recv(alice, "re-REGISTER with ;expires=120", ok200)
	rpc("ul.dump")
	rpc("ul.lookup", "location", "bob")

	// The proxy's own keepalive.
	s.send(alice, build("OPTIONS "+s.uri("")+" SIP/2.0", []string{
		alice.via("o1"), "From: <sip:alice@127.0.0.1>;tag=" + alice.tag("o1"), "To: <" + s.uri("") + ">",
		"Call-ID: o1", "CSeq: 1 OPTIONS", "Max-Forwards: 70",
	}, ""))
	s.recv(alice, "OPTIONS to the proxy", "SIP/2.0 200 Keepalive")

	// No hops left.
	invite("mf0", "bob", "Max-Forwards: 0")
	s.recv(alice, "INVITE with Max-Forwards: 0", "SIP/2.0 483 Too Many Hops")

	// Nobody registered as carol.
	invite("nf1", "carol", "Max-Forwards: 70")
	nf := s.recv(alice, "INVITE to an unregistered user", "SIP/2.0 404 Not Found")
	ack("nf1", "carol", nf)

	// No user in the request URI.
	s.send(alice, build("INVITE "+s.uri("")+" SIP/2.0", inviteHeaders("nu1", "", "nu1", "INVITE", 1, "", "Contact: <"+alice.contact()+">", "Max-Forwards: 70"), sdp))
	s.recv(alice, "INVITE without a user", "SIP/2.0 484 Address Incomplete")

	// A request URI that is not the proxy's: without WITH_AUTH,
	// route[AUTH] relays nothing to other domains.
	carol := fmt.Sprintf("sip:carol@127.0.0.1:%d", bob.port)
	hs := inviteHeaders("so1", "carol", "so1", "INVITE", 1, "", "Contact: <"+alice.contact()+">", "Max-Forwards: 70")
	s.send(alice, build("INVITE "+carol+" SIP/2.0", hs, sdp))
	s.recv(alice, "INVITE to another domain", "SIP/2.0 403 Not relaying")

	// A call: 180, 200, ACK and BYE through the proxy (Record-Route).
	invite("c1", "bob", "Max-Forwards: 70")
	s.recv(alice, "call: provisional from the proxy", trying)
	inv := s.recv(bob, "call: relayed INVITE", toBob("INVITE"))
	s.send(bob, reply(inv, "180 Ringing", bob.tag("c1"), "", "Contact: <"+bob.contact()+">"))
	s.recv(alice, "call: relayed 180", "SIP/2.0 180 Ringing")
	s.send(bob, reply(inv, "200 OK", bob.tag("c1"), sdp, "Contact: <"+bob.contact()+">"))
	answer := s.recv(alice, "call: relayed 200", ok200)
	var routes []string
	rr := header(answer, "Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		routes = append(routes, "Route: "+rr[i])
	}
	if len(routes) != 1 {
		t.Fatalf("%s: the 200 carries %d Record-Route headers, want the proxy's one", server, len(routes))
	}
	s.send(alice, build("ACK "+bob.contact()+" SIP/2.0", inviteHeaders("c1", "bob", "c1a", "ACK", 1, bob.tag("c1"), append(routes, "Max-Forwards: 70")...), ""))
	s.recv(bob, "call: relayed ACK", toBob("ACK"))
	s.send(alice, build("BYE "+bob.contact()+" SIP/2.0", inviteHeaders("c1", "bob", "c1b", "BYE", 2, bob.tag("c1"), append(routes, "Max-Forwards: 70")...), ""))
	bye := s.recv(bob, "call: relayed BYE", toBob("BYE"))
	s.send(bob, reply(bye, "200 OK", "", ""))
	s.recv(alice, "call: relayed 200 to BYE", ok200)

	// A call cancelled while ringing.
	invite("c2", "bob", "Max-Forwards: 70")
	s.recv(alice, "cancel: provisional from the proxy", trying)
	inv = s.recv(bob, "cancel: relayed INVITE", toBob("INVITE"))
	s.send(bob, reply(inv, "180 Ringing", bob.tag("c2"), "", "Contact: <"+bob.contact()+">"))
	s.recv(alice, "cancel: relayed 180", "SIP/2.0 180 Ringing")
	s.send(alice, build("CANCEL "+s.uri("bob")+" SIP/2.0", inviteHeaders("c2", "bob", "c2", "CANCEL", 1, "", "Max-Forwards: 70"), ""))
	cancel := s.recv(bob, "cancel: relayed CANCEL", toBob("CANCEL"))
	s.recv(alice, "cancel: 200 to CANCEL", "SIP/2.0 200 canceling")
	s.send(bob, reply(cancel, "200 OK", bob.tag("c2"), ""))
	s.send(bob, reply(inv, "487 Request Terminated", bob.tag("c2"), ""))
	term := s.recv(alice, "cancel: relayed 487", "SIP/2.0 487 Request Terminated")
	s.recv(bob, "cancel: proxy's ACK to 487", toBob("ACK"))
	ack("c2", "bob", term)

	// A busy callee: failure_route[MANAGE_FAILURE] runs and lets the 486
	// through (nothing in it applies without WITH_* defines).
	invite("c3", "bob", "Max-Forwards: 70")
	s.recv(alice, "busy: provisional from the proxy", trying)
	inv = s.recv(bob, "busy: relayed INVITE", toBob("INVITE"))
	s.send(bob, reply(inv, "486 Busy Here", bob.tag("c3"), ""))
	s.recv(bob, "busy: proxy's ACK to 486", toBob("ACK"))
	busy := s.recv(alice, "busy: relayed 486", "SIP/2.0 486 Busy Here")
	ack("c3", "bob", busy)

	// alice leaves.
	register(alice, 3, "Contact: <"+alice.contact()+">", "Expires: 0")
	s.recv(alice, "REGISTER with Expires: 0", ok200)
	rpc("ul.dump")
	rpc("ul.lookup", "location", "alice")

	// Whatever else the proxy sends, it sends by now; a late message that
	// is not a retransmission is kept, so it is compared too.
	s.drain(alice)
	s.drain(bob)
	return run{got: s.got, dumps: dumps}
}

// pstnExchanges plays calls to a number (00 and digits) with WITH_PSTN:
// before the gateway is set, route[PSTN] logs that and the call goes on
// to the location table (404); once cfg.set_now_string has set it to
// bob's address, a caller whose From is not the proxy's domain gets 403,
// a local caller's call goes to the gateway as +NUMBER (bob, busy), and a
// call to a name still goes to the location table.
func pstnExchanges(t *testing.T, server string, alice, bob *ua, port int, rundir, _ string) run {
	t.Helper()
	s := newSession(t, server, port)
	const number = "0049301234567"
	// A From URI without a port is at port 5060 for myself, where the
	// proxy does not listen; the local caller's From names the proxy's
	// port.
	stranger, local := "sip:alice@127.0.0.1", "sip:alice@"+strings.TrimPrefix(s.uri(""), "sip:")
	headers := func(id, from, user, method, toTag string, extra ...string) []string {
		to := fmt.Sprintf("To: <sip:%s@127.0.0.1>", user)
		if toTag != "" {
			to += ";tag=" + toTag
		}
		return append([]string{
			alice.via(id), fmt.Sprintf("From: <%s>;tag=%s", from, alice.tag(id)), to,
			"Call-ID: " + id, "CSeq: 1 " + method, "Max-Forwards: 70",
		}, extra...)
	}
	// call sends an INVITE and, after the final reply, its ACK.
	call := func(id, from, user, step, want string) {
		t.Helper()
		s.send(alice, build("INVITE "+s.uri(user)+" SIP/2.0", headers(id, from, user, "INVITE", "", "Contact: <"+alice.contact()+">"), sdp))
		final := s.recv(alice, step, want)
		tag := strings.TrimPrefix(tagRE.FindString(header(final, "To")[0]), "tag=")
		s.send(alice, build("ACK "+s.uri(user)+" SIP/2.0", headers(id, from, user, "ACK", tag), ""))
	}
	set := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := kamref.Kamcmd(ctx, filepath.Join(rundir, "kamailio_ctl"), args...)
		if err != nil || out != "" {
			t.Fatalf("%s: kamcmd %v: %q, %v", server, args, out, err)
		}
	}

	call("p1", local, number, "number, no gateway set", "SIP/2.0 404 Not Found")

	set("cfg.set_now_string", "pstn", "gw_ip", "127.0.0.1")
	// kamcmd sends a number as an integer; "s:" makes it a string.
	set("cfg.set_now_string", "pstn", "gw_port", fmt.Sprintf("s:%d", bob.port))

	call("p2", stranger, number, "number from a stranger", "SIP/2.0 403 Not Allowed")

	s.send(alice, build("INVITE "+s.uri(number)+" SIP/2.0", headers("p3", local, number, "INVITE", "", "Contact: <"+alice.contact()+">"), sdp))
	s.recv(alice, "number: provisional from the proxy", "SIP/2.0 100 trying -- your call is important to us")
	gw := fmt.Sprintf("sip:+49301234567@127.0.0.1:%d", bob.port)
	inv := s.recv(bob, "number: INVITE to the gateway", "INVITE "+gw+" SIP/2.0")
	s.send(bob, reply(inv, "486 Busy Here", bob.tag("p3"), ""))
	s.recv(bob, "number: proxy's ACK to 486", "ACK "+gw+" SIP/2.0")
	busy := s.recv(alice, "number: relayed 486", "SIP/2.0 486 Busy Here")
	tag := strings.TrimPrefix(tagRE.FindString(header(busy, "To")[0]), "tag=")
	s.send(alice, build("ACK "+s.uri(number)+" SIP/2.0", headers("p3", local, number, "ACK", tag), ""))

	call("p4", local, "bob", "name, gateway set", "SIP/2.0 404 Not Found")

	s.drain(alice)
	s.drain(bob)
	return run{got: s.got}
}

var (
	ruidRE    = regexp.MustCompile(`^([a-z]+)-[0-9a-f]+-[0-9a-f]+-[0-9]+$`)
	jsonIDRE  = regexp.MustCompile(`(?m)^(\t"id": )[0-9]+`)
	jsonMasks = regexp.MustCompile(`(?m)^(\t*"(?:Expires|Last-Modified|Last-Keepalive)": )[0-9]+`)
	jsonRuid  = regexp.MustCompile(`(?m)^(\t*"Ruid": ")([a-z]+)-[^"]*"`)
)

// maskDump is a dump with the proxy's port, the times (absolute or
// counted down) and the record ids' time, process and counter masked (a
// record id keeps its prefix, which says who made it).
func maskDump(t *testing.T, d dump, proxyPort int) string {
	t.Helper()
	port := fmt.Sprint(proxyPort)
	if d.json {
		out := jsonIDRE.ReplaceAllString(d.out, "${1}ID")
		out = jsonMasks.ReplaceAllString(out, "${1}MASKED")
		out = jsonRuid.ReplaceAllString(out, `${1}${2}-MASKED"`)
		return strings.ReplaceAll(out, ":"+port, ":PROXY")
	}
	vals, err := kamref.ParseKamcmd(d.out)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(v *kamref.Value, depth int)
	walk = func(v *kamref.Value, depth int) {
		pad := strings.Repeat("\t", depth)
		switch {
		case v.Leaf:
			text := v.Text
			switch v.Name {
			case "Expires", "Last-Modified", "Last-Keepalive":
				text = "MASKED(" + v.Shape() + ")"
			case "Ruid":
				text = ruidRE.ReplaceAllString(text, "$1-MASKED")
			}
			fmt.Fprintf(&b, "%s%s: %s\n", pad, v.Name, strings.ReplaceAll(text, ":"+port, ":PROXY"))
		default:
			fmt.Fprintf(&b, "%s%s: {\n", pad, v.Name)
			for _, k := range v.Kids {
				walk(k, depth+1)
			}
			fmt.Fprintf(&b, "%s}\n", pad)
		}
	}
	for _, v := range vals {
		walk(v, 0)
	}
	return d.what + "\n" + b.String()
}

// lineDiff lists the lines only kamgo's text has (-) and those only
// Kamailio's has (+), in order.
func lineDiff(kamgo, kamailio string) string {
	split := func(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }
	count := func(lines []string) map[string]int {
		m := map[string]int{}
		for _, l := range lines {
			m[l]++
		}
		return m
	}
	g, m := split(kamgo), split(kamailio)
	gc, mc := count(g), count(m)
	var b strings.Builder
	for _, l := range g {
		if mc[l] > 0 {
			mc[l]--
		} else {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range m {
		if gc[l] > 0 {
			gc[l]--
		} else {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
