//go:build kamailio

package tm_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The differential tests run one scenario against Kamailio 5.6.3 and
// against kamgo, with the same routes and the same messages from the same
// kind of peers, and compare what each peer received, normalised for what
// legitimately differs: ports, the values of tm's branches and to-tags,
// and the Server and User-Agent headers.

// scene is one run of a scenario: the peers (phone first, then the
// servers downstream) and what each received.
type scene struct {
	t       *testing.T
	advance func(time.Duration) // kamgo's fake clock; nothing for Kamailio, whose time passes
	addr    string
	peers   []*siptest.UA
	names   map[string]string // port -> peer name, and the proxy's
	got     []string
}

// send sends msg from peer i to the proxy.
func (s *scene) send(i int, msg string) { s.peers[i].SendTo(s.addr, msg) }

// recv reads the next message of peer i and records it.
func (s *scene) recv(i int) *sipmsg.Msg {
	s.t.Helper()
	m := s.peers[i].Recv()
	s.got = append(s.got, fmt.Sprintf("peer %d got:\n%s", i, s.normalize(m.Buf)))
	return m
}

// skipTo reads messages of peer i until one satisfies ok (retransmissions
// of the two servers come at different moments); it records that one.
func (s *scene) skipTo(i int, ok func(*sipmsg.Msg) bool) *sipmsg.Msg {
	s.t.Helper()
	m := s.peers[i].RecvMatch("awaited message", ok)
	s.got = append(s.got, fmt.Sprintf("peer %d got:\n%s", i, s.normalize(m.Buf)))
	return m
}

// timeoutTo moves the proxy's clock by a second at a time until peer i
// receives a message that satisfies ok (what a timer running out makes
// the proxy send), and records that one. kamgo may still be handling
// what came before (a provisional reply that restarts a timer) when the
// clock first moves; on Kamailio, whose clock is real, a round only
// waits.
func (s *scene) timeoutTo(i int, ok func(*sipmsg.Msg) bool) *sipmsg.Msg {
	s.t.Helper()
	for range 20 {
		s.advance(time.Second)
		for range siptest.MaxSkip {
			m, got := s.peers[i].Read(siptest.Quiet)
			if !got {
				break
			}
			if ok(m) {
				s.got = append(s.got, fmt.Sprintf("peer %d got:\n%s", i, s.normalize(m.Buf)))
				return m
			}
		}
	}
	s.t.Fatalf("peer %d: the message a timeout sends never came", i)
	return nil
}

var (
	reTMBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)`)
	reTMTag    = regexp.MustCompile(`tag=[0-9a-f]{32}-[0-9a-f]{8}`)
	reSLTag    = regexp.MustCompile(`tag=[0-9a-f]{32}\.[0-9a-f]{8}`) // sl's, from the listening address
	reServer   = regexp.MustCompile(`(?m)^(Server|User-Agent): .*$`)
)

// normalize rewrites a message so that the two servers' texts compare.
func (s *scene) normalize(buf string) string {
	buf = reTMBranch.ReplaceAllString(buf, "branch=z9hG4bK<tm>.$1")
	buf = reTMTag.ReplaceAllString(buf, "tag=<tm-tag>")
	buf = reSLTag.ReplaceAllString(buf, "tag=<sl-tag>")
	buf = reServer.ReplaceAllString(buf, "$1: <server>")
	for port, name := range s.names {
		buf = strings.ReplaceAll(buf, ":"+port, ":<"+name+">")
	}
	return strings.ReplaceAll(buf, "\r\n", "\n")
}

// diffScenario is a scenario with its routes (UAS1, UAS2 ... stand for the
// ports of peers 1, 2 ...).
type diffScenario struct {
	name   string
	peers  int
	routes string
	run    func(s *scene)
}

// TestDifferential runs each scenario on Kamailio and on kamgo and
// compares the transcripts.
func TestDifferential(t *testing.T) {
	for _, sc := range diffScenarios {
		t.Run(sc.name, func(t *testing.T) {
			kam := runOnKamailio(t, sc)
			kg := runOnKamgo(t, sc)
			if len(kam) != len(kg) {
				t.Errorf("Kamailio: %d messages, kamgo: %d", len(kam), len(kg))
			}
			for i := 0; i < min(len(kam), len(kg)); i++ {
				if kam[i] != kg[i] {
					t.Errorf("message %d differs\nKamailio %s\nkamgo    %s", i, kam[i], kg[i])
				}
			}
			if t.Failed() {
				t.Logf("Kamailio's transcript:\n%s", strings.Join(kam, "\n"))
			}
		})
	}
}

func newScene(t *testing.T, n int) *scene {
	s := &scene{t: t, names: map[string]string{}}
	for i := range n {
		name := "phone"
		if i > 0 {
			name = "uas" + strconv.Itoa(i)
		}
		p := siptest.NewUA(t, name)
		s.peers = append(s.peers, p)
		s.names[strconv.Itoa(p.Port())] = name
	}
	return s
}

// routesFor writes the ports of the scene's servers for UAS1, UAS2 ...
func routesFor(s *scene, routes string) string {
	return strings.NewReplacer(siptest.Placeholders(s.peers[1:]...)...).Replace(routes)
}

// kamailioHeader is the head of the configuration Kamailio runs: the
// differential tests' Prelude with two children and TCP on, the modules
// start loads and the evapi probe.
var kamailioHeader = strings.NewReplacer("children=1\n", "children=2\n", "disable_tcp=yes\n", "").Replace(siptest.Prelude) +
	siptest.LoadModules(defaultModules...) + siptest.EvapiProbe

func runOnKamailio(t *testing.T, sc diffScenario) []string {
	s := newScene(t, sc.peers)
	k := siptest.StartKamailio(t, kamailioHeader+routesFor(s, sc.routes))
	defer k.Stop()
	s.advance = func(time.Duration) {}
	s.addr = k.SIPAddr()
	s.names[strconv.Itoa(k.SIPPort)] = "proxy"
	sc.run(s)
	return s.got
}

func runOnKamgo(t *testing.T, sc diffScenario) []string {
	s := newScene(t, sc.peers)
	p := start(t, routesFor(s, sc.routes))
	s.advance = p.Clock.Advance
	s.addr = p.Addr
	s.names[strconv.Itoa(p.Port)] = "proxy"
	sc.run(s)
	return s.got
}

// relayError is a scenario where t_relay finds no socket for $du (TLS,
// which neither server listens on) and the script then runs onFail; the
// phone gets two replies.
func relayError(name, onFail, id string) diffScenario {
	return twoReplies(name, `request_route {
	$du = "sip:127.0.0.1:UAS1;transport=tls";
	if (!t_relay()) { `+onFail+` }
	exit;
}`, id)
}

// twoReplies is a scenario where the phone sends OPTIONS and gets two
// replies: the script's and tm's.
func twoReplies(name, routes, id string) diffScenario {
	return diffScenario{name: name, peers: 2, routes: routes,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("OPTIONS", ruriOf(s, 1), id, "dcall-"+id, 1))
			s.recv(0)
			s.recv(0)
		}}
}

func ruriOf(s *scene, i int) string { return fmt.Sprintf("sip:bob@127.0.0.1:%d", s.peers[i].Port()) }

var diffScenarios = []diffScenario{
	{name: "invite-200", peers: 2, routes: `request_route { if (!t_relay()) { sl_reply_error(); } exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d1", "dcall-1", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 180, "Ringing", "t1"))
			s.recv(0)
			s.send(1, siptest.Reply(inv, 200, "OK", "t1"))
			s.recv(0)
			s.send(0, siptest.WithToTag(s.peers[0].Request("ACK", ruriOf(s, 1), "d1ack", "dcall-1", 1), "t1"))
			s.recv(1)
		}},
	{name: "invite-486", peers: 2, routes: `request_route { t_relay(); exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d2", "dcall-2", 5))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 486, "Busy Here", "t2"))
			s.recv(1) // kamgo's or Kamailio's hop-by-hop ACK
			s.recv(0)
			s.send(0, siptest.WithToTag(s.peers[0].Request("ACK", ruriOf(s, 1), "d2", "dcall-2", 5), "t2"))
		}},
	{name: "cancel", peers: 2, routes: `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d3", "dcall-3", 2))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 180, "Ringing", "t3"))
			s.recv(0)
			s.send(0, s.peers[0].Request("CANCEL", ruriOf(s, 1), "d3", "dcall-3", 2, "Reason: SIP;cause=480"))
			s.recv(0)
			c := s.recv(1)
			s.send(1, siptest.Reply(c, 200, "OK", "t3"))
			s.send(1, siptest.Reply(inv, 487, "Request Terminated", "t3"))
			s.recv(1)
			s.recv(0)
		}},
	// tm's error reply for a t_relay that found no socket comes after the
	// script's own (Kamailio delays it to the end of request_route).
	relayError("relay-error-delayed", `sl_send_reply("503", "Script $rc");`, "d9"),
	// sl_reply_error() right after t_relay answers with t_relay's error.
	relayError("relay-error-sl", "sl_reply_error();", "d10"),
	// Any action between them leaves no error: sl_reply_error answers
	// 500 (1/SL).
	relayError("relay-error-xlog-sl", `xlog("L_INFO", "relay failed\n"); sl_reply_error();`, "d12"),
	// Neither server listens on IPv6, so an IPv6 destination does not
	// resolve (dns_try_ipv6 turned off): 478 (478/SL), then tm's 478.
	twoReplies("relay-error-ipv6", `request_route {
	$du = "sip:[::1]:UAS1";
	if (!t_relay()) { sl_reply_error(); }
	exit;
}`, "d14"),
	twoReplies("relay-error-later-if", `request_route {
	$du = "sip:127.0.0.1:UAS1;transport=tls";
	t_relay();
	if ($var(x) == 0) { sl_reply_error(); }
	exit;
}`, "d13"),
	{name: "local-404", peers: 1, routes: `request_route { t_newtran(); t_reply("404", "Not Here"); exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", "sip:bob@127.0.0.1", "d4", "dcall-4", 1))
			s.recv(0)
			s.send(0, s.peers[0].Request("OPTIONS", "sip:bob@127.0.0.1", "d4o", "dcall-4o", 1))
			s.recv(0)
		}},
	{name: "failure-route", peers: 3, routes: `request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] {
	xlog("L_INFO", "failure route for $rm $ru\n");
	if (t_check_status("486")) { $ru = "sip:carol@127.0.0.1:UAS2"; t_relay(); }
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d5", "dcall-5", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 486, "Busy Here", "t5"))
			s.recv(1)
			inv2 := s.recv(2)
			s.send(2, siptest.Reply(inv2, 200, "OK", "t6"))
			s.recv(0)
		}},
	{name: "fork-pick", peers: 3, routes: `request_route {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_relay(); exit;
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d6", "dcall-6", 1))
			s.recv(0)
			a, b := s.recv(1), s.recv(2)
			s.send(1, siptest.Reply(a, 486, "Busy Here", "t7"))
			s.recv(1)
			s.send(2, siptest.Reply(b, 404, "Not Found", "t8"))
			s.recv(2)
			s.recv(0)
		}},
	{name: "fork-200-cancels", peers: 3, routes: `request_route {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_relay(); exit;
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d7", "dcall-7", 1))
			s.recv(0)
			a, b := s.recv(1), s.recv(2)
			s.send(2, siptest.Reply(b, 180, "Ringing", "t9"))
			s.recv(0)
			s.send(1, siptest.Reply(a, 200, "OK", "t10"))
			s.recv(0)
			s.skipTo(2, func(m *sipmsg.Msg) bool { return m.Method == "CANCEL" })
		}},
	{name: "message-200", peers: 2, routes: `request_route { t_relay(); exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("MESSAGE", ruriOf(s, 1), "d8", "dcall-8", 1))
			m := s.recv(1)
			s.send(1, siptest.Reply(m, 202, "Accepted", "t11"))
			s.recv(0)
		}},
	{name: "timeout-408", peers: 2, routes: `modparam("tm", "fr_timer", 1000)
request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] { xlog("L_INFO", "timeout\n"); }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("OPTIONS", ruriOf(s, 1), "d9", "dcall-9", 1))
			s.recv(1)
			s.advance(time.Second)
			s.skipTo(0, func(m *sipmsg.Msg) bool { return m.Status == 408 })
		}},
	{name: "onreply-drop-180", peers: 2, routes: `request_route { t_on_reply("R"); t_relay(); exit; }
onreply_route[R] { if ($rs == 180) { drop; } }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d10", "dcall-10", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 180, "Ringing", "t12"))
			s.send(1, siptest.Reply(inv, 183, "Session Progress", "t12"))
			s.recv(0)
			s.send(1, siptest.Reply(inv, 200, "OK", "t12"))
			s.recv(0)
		}},
	{name: "failure-reply", peers: 2, routes: `request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] { t_reply("480", "Gone Fishing"); }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d11", "dcall-11", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 404, "Not Found", "t13"))
			s.recv(1)
			s.recv(0)
		}},
	{name: "remap-503", peers: 2, routes: `request_route { t_relay(); exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("MESSAGE", ruriOf(s, 1), "d12", "dcall-12", 1))
			m := s.recv(1)
			s.send(1, siptest.Reply(m, 503, "Service Unavailable", "t14"))
			s.recv(0)
		}},
	{name: "aggregate-407", peers: 3, routes: `request_route {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_relay(); exit;
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("MESSAGE", ruriOf(s, 1), "d13", "dcall-13", 1))
			a, b := s.recv(1), s.recv(2)
			ra := strings.Replace(siptest.Reply(a, 407, "Proxy Authentication Required", "t15"), "Content-Length", "Proxy-Authenticate: Digest realm=\"a\", nonce=\"1\"\r\nContent-Length", 1)
			rb := strings.Replace(siptest.Reply(b, 407, "Proxy Authentication Required", "t16"), "Content-Length", "Proxy-Authenticate: Digest realm=\"b\", nonce=\"2\"\r\nContent-Length", 1)
			s.send(1, ra)
			s.send(2, rb)
			s.recv(0)
		}},
	{name: "redirect-local", peers: 1, routes: `request_route {
	$sbranch(uri) = "sip:x@127.0.0.2";
	sbranch_append();
	t_newtran(); t_reply("302", "Moved"); exit;
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", "sip:bob@127.0.0.1", "d14", "dcall-14", 1))
			s.recv(0)
		}},
	// The Request-URI was rewritten before the first t_relay: a failure
	// route that only appends a branch relays that branch, not the
	// Request-URI again (Kamailio's ruri_mark_consumed).
	{name: "failure-ruri-consumed", peers: 3, routes: `request_route {
	$ru = "sip:bob@127.0.0.1:UAS1";
	t_on_failure("F"); t_relay(); exit;
}
failure_route[F] {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	if (!t_relay()) { xlog("L_INFO", "relay failed\n"); }
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", "sip:bob@127.0.0.1", "d16", "dcall-16", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 486, "Busy Here", "t18"))
			s.recv(1)
			inv2 := s.recv(2)
			s.send(2, siptest.Reply(inv2, 404, "Not Found", "t19"))
			s.recv(2)
			s.recv(0)
		}},
	// Nothing new in the failure route: t_relay has no branch to send
	// and the reply picked goes upstream.
	{name: "failure-ruri-nothing-new", peers: 2, routes: `request_route {
	$ru = "sip:bob@127.0.0.1:UAS1";
	t_on_failure("F"); t_relay(); exit;
}
failure_route[F] {
	if (!t_relay()) { xlog("L_INFO", "relay failed\n"); }
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", "sip:bob@127.0.0.1", "d17", "dcall-17", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 486, "Busy Here", "t20"))
			s.recv(1)
			s.recv(0)
		}},
	// fr_inv_timer runs out on a branch that rang: 408 upstream, and the
	// branch is cancelled.
	{name: "fr-inv-timeout-cancels", peers: 2, routes: `modparam("tm", "fr_inv_timer", 1000)
request_route { t_relay(); exit; }`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d18", "dcall-18", 1))
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 180, "Ringing", "t21"))
			s.recv(0)
			s.timeoutTo(0, func(m *sipmsg.Msg) bool { return m.Status == 408 })
			c := s.skipTo(1, func(m *sipmsg.Msg) bool { return m.Method == "CANCEL" })
			s.send(1, siptest.Reply(c, 200, "OK", "t21"))
			s.send(1, siptest.Reply(inv, 487, "Request Terminated", "t21"))
			s.skipTo(1, func(m *sipmsg.Msg) bool { return m.Method == "ACK" })
		}},
	{name: "retransmitted-invite", peers: 2, routes: `request_route { t_relay(); exit; }`,
		run: func(s *scene) {
			req := s.peers[0].Request("INVITE", ruriOf(s, 1), "d15", "dcall-15", 1)
			s.send(0, req)
			s.recv(0)
			inv := s.recv(1)
			s.send(1, siptest.Reply(inv, 180, "Ringing", "t17"))
			s.recv(0)
			s.send(0, req)
			s.recv(0)
			s.send(1, siptest.Reply(inv, 200, "OK", "t17"))
			s.recv(0)
		}},
}

func init() {
	diffScenarios = append(diffScenarios, timeoutThen486("timeout-then-486", "", "486 Busy Here"),
		timeoutThen486("timeout-then-486-mode0", `modparam("tm", "failure_reply_mode", 0)`, "408 Request Timeout"),
		timeoutThen486("timeout-then-486-mode0-prio", `modparam("tm", "failure_reply_mode", 0)
modparam("tm", "faked_reply_prio", 100)`, "486 Busy Here"))
}

// timeoutThen486 is a scenario where a branch times out (a 408 made
// here) and the failure route starts another, which answers 486. With
// failure_reply_mode 3 (the default) the 408 was dropped and the caller
// gets the 486; with 0 the 408 stays and wins, unless faked_reply_prio
// ranks it below the 486. want is only the test's reading; the
// comparison is with Kamailio.
func timeoutThen486(name, params, want string) diffScenario {
	return diffScenario{name: name, peers: 3, routes: params + `
modparam("tm", "fr_timer", 1000)
request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] {
	xlog("L_INFO", "failure route\n");
	if (t_check_status("408") && !isflagset(1)) {
		setflag(1);
		$ru = "sip:carol@127.0.0.1:UAS2"; t_on_failure("F"); t_relay();
	}
}`,
		run: func(s *scene) {
			s.send(0, s.peers[0].Request("INVITE", ruriOf(s, 1), "d19", "dcall-19", 1))
			s.recv(0)
			s.recv(1)
			s.advance(time.Second)
			inv2 := s.recv(2)
			s.send(2, siptest.Reply(inv2, 486, "Busy Here", "t22"))
			s.recv(2)
			if r := s.skipTo(0, func(m *sipmsg.Msg) bool { return m.Status >= 200 }); strconv.Itoa(r.Status)+" "+r.Reason != want {
				s.t.Errorf("caller got %d %s, want %s", r.Status, r.Reason, want)
			}
		}}
}
