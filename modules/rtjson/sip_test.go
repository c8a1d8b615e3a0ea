package rtjson_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rtjson"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The SIP scenarios run routes that use every rtjson function on real UDP
// sockets: a phone (peer 0) calls through the proxy, whose routing
// document sends the call to servers downstream (peers 1, 2 ...). kamgo's
// tm runs on a fake clock, so timeouts happen when a scenario advances it;
// kamailio_test.go runs the same scenarios on Kamailio 5.6.3 and compares
// what every peer received and what rtjson and the routes logged.

func TestMain(m *testing.M) { proctest.Main(m) }

// wait bounds every read of a message that must come.
const wait = 5 * time.Second

// scenarioRoutes are the routes every scenario runs. The routing document
// comes in the request's X-Routes header; a request without one tries to
// push routes that were never initialised.
const scenarioRoutes = `
request_route {
	if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
	if ($hdr(X-Routes) == $null) {
		if (!rtjson_push_routes()) { sl_send_reply("500", "No Routes"); }
		exit;
	}
	if (!rtjson_init_routes("$hdr(X-Routes)")) { sl_send_reply("500", "Init Failed"); exit; }
	remove_hf("X-Routes");
	if (!rtjson_push_routes()) { sl_send_reply("500", "Push Failed"); exit; }
	xlog("L_INFO", "pushed ru=$ru du=$du bf=$bf idx=$xavp(rtjson=>idx) b0=$(branch(uri)[0])\n");
	t_on_branch("B");
	t_on_failure("F");
	t_relay();
	exit;
}
branch_route[B] {
	rtjson_update_branch();
	xlog("L_INFO", "branch $T_branch_idx rc=$rc ru=$ru du=$du\n");
}
failure_route[F] {
	if (t_is_canceled()) { exit; }
	if (rtjson_next_route()) {
		xlog("L_INFO", "next idx=$xavp(rtjson=>idx) b0=$(branch(uri)[0])\n");
		t_on_branch("B");
		t_on_failure("F");
		t_relay();
		exit;
	}
	xlog("L_INFO", "no more routes after $T_reply_code\n");
}
`

// scenarioModules are the modules the routes need.
var scenarioModules = []string{"tm", "tmx", "sl", "pv", "xlog", "textops", "rtjson"}

func loadLines() string {
	var b strings.Builder
	for _, m := range scenarioModules {
		fmt.Fprintf(&b, "loadmodule \"%s.so\"\n", m)
	}
	return b.String()
}

// request builds a request from p with extra headers.
func request(p *siptest.UA, method, ruri, callID string, cseq int, extra ...string) string {
	return p.Request(method, ruri, fmt.Sprintf("-%s-%d", callID, cseq), callID, cseq, extra...)
}

// scene is one run of a scenario on one server: the peers, what each
// received, and how to move the server's clock.
type scene struct {
	t       *testing.T
	advance func(time.Duration) // kamgo's fake clock; nothing for Kamailio, whose time passes
	addr    string
	peers   []*siptest.UA
	names   map[string]string // port -> peer name
	got     []string
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

// subst replaces UAS1, UAS2 ... with the servers' ports.
func (s *scene) subst(text string) string {
	for i := len(s.peers) - 1; i >= 1; i-- {
		text = strings.ReplaceAll(text, "UAS"+strconv.Itoa(i), strconv.Itoa(s.peers[i].Port()))
	}
	return text
}

func (s *scene) send(i int, msg string) { s.peers[i].SendTo(s.addr, msg) }

// call sends an INVITE from the phone with the routing document doc
// (placeholders replaced); "" sends none.
func (s *scene) call(callID, doc string) {
	var extra []string
	if doc != "" {
		extra = append(extra, "X-Routes: "+s.subst(doc))
	}
	s.send(0, request(s.peers[0], "INVITE", "sip:bob@127.0.0.1", callID, 1, extra...))
}

// recv reads the next message of peer i and records it.
func (s *scene) recv(i int) *sipmsg.Msg {
	s.t.Helper()
	m := s.peers[i].Recv()
	s.got = append(s.got, fmt.Sprintf("peer %d got:\n%s", i, s.normalize(m.Buf)))
	return m
}

// skipTo reads messages of peer i until one satisfies ok (retransmissions
// come at moments that differ between servers) and records that one.
func (s *scene) skipTo(i int, ok func(*sipmsg.Msg) bool) *sipmsg.Msg {
	s.t.Helper()
	for range 20 {
		m := s.peers[i].Recv()
		if ok(m) {
			s.got = append(s.got, fmt.Sprintf("peer %d got:\n%s", i, s.normalize(m.Buf)))
			return m
		}
	}
	s.t.Fatalf("peer %d: the awaited message never came", i)
	return nil
}

// timeoutTo moves the server's clock by a second at a time until peer i
// receives a message that satisfies ok (what a timeout of the server's
// makes it send) and records that one. The clock moves more than once
// because the server may still be processing what came before (a
// provisional reply that restarts a timer) when the test first moves it;
// Kamailio's clock is real, and there each round only waits.
func (s *scene) timeoutTo(i int, ok func(*sipmsg.Msg) bool) *sipmsg.Msg {
	s.t.Helper()
	for range 20 {
		s.advance(time.Second)
		for {
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

// expect fails the scenario when m's first line is not line or it lacks
// one of the headers (whole lines, "Name: value").
func (s *scene) expect(m *sipmsg.Msg, line string, headers ...string) {
	s.t.Helper()
	if got := s.normalize(m.FirstLine()); got != line {
		s.t.Errorf("first line %q, want %q", got, line)
	}
	for _, h := range headers {
		if !strings.Contains(m.Buf, "\r\n"+h+"\r\n") {
			s.t.Errorf("no %q in\n%s", h, m.Buf)
		}
	}
}

var (
	reTMBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)`)
	reTag      = regexp.MustCompile(`tag=[0-9a-f]{32}[-.][0-9a-f]{8}`)
	reServer   = regexp.MustCompile(`(?m)^(Server|User-Agent): .*$`)
	rePort     = regexp.MustCompile(`:(\d{4,5})\b`)
)

// normalize rewrites a text (message or log line) so that the two
// servers' compare: tm's branch values and tags, the Server header, and
// ports, named after their peer.
func (s *scene) normalize(text string) string {
	text = reTMBranch.ReplaceAllString(text, "branch=z9hG4bK<tm>.$1")
	text = reTag.ReplaceAllString(text, "tag=<tag>")
	text = reServer.ReplaceAllString(text, "$1: <server>")
	text = rePort.ReplaceAllStringFunc(text, func(p string) string {
		if name, ok := s.names[p[1:]]; ok {
			return ":<" + name + ">"
		}
		return p
	})
	return strings.ReplaceAll(text, "\r\n", "\n")
}

// scenario is a call through the scenario routes with peers peers.
type scenario struct {
	name  string
	peers int
	run   func(s *scene)
	// tmDeviation, when set, says why kamgo's tm does not run the
	// scenario as Kamailio does; TestScenarios skips it and the
	// differential test shows the difference.
	tmDeviation string
}

var isInvite = func(m *sipmsg.Msg) bool { return m.Method == "INVITE" }

var scenarios = []scenario{
	{name: "serial-486-408-200", peers: 4, run: func(s *scene) {
		s.call("c1", `{"routing": "serial", "routes": [`+
			`{"dst_uri": "sip:127.0.0.1:UAS1", "branch_flags": 4, "headers": {"extra": "X-Route: first\r\n"}},`+
			`{"uri": "sip:carol@127.0.0.1:UAS2", "fr_inv_timer": 1000, "headers": {"extra": "X-Route: second\r\nX-More: yes\r\n"}},`+
			`{"uri": "sip:dave@127.0.0.1:UAS3", "headers": {"extra": "abc"}}]}`)
		s.expect(s.recv(0), "SIP/2.0 100 trying -- your call is important to us")
		inv := s.recv(1)
		s.expect(inv, "INVITE sip:bob@127.0.0.1 SIP/2.0", "X-Route: first")
		s.send(1, siptest.Reply(inv, 486, "Busy Here", "u1"))
		s.expect(s.recv(1), "ACK sip:bob@127.0.0.1 SIP/2.0")
		inv2 := s.recv(2)
		s.expect(inv2, "INVITE sip:carol@127.0.0.1:<uas2> SIP/2.0", "X-Route: second", "X-More: yes")
		if strings.Contains(inv2.Buf, "X-Route: first") {
			s.t.Errorf("the first route's header went to the second:\n%s", inv2.Buf)
		}
		s.send(2, siptest.Reply(inv2, 180, "Ringing", "u2"))
		s.expect(s.recv(0), "SIP/2.0 180 Ringing")
		// fr_inv_timer: one second after the 180 the branch times out;
		// the failure route tries the third route and the ringing
		// branch is cancelled.
		inv3 := s.timeoutTo(3, isInvite)
		s.expect(inv3, "INVITE sip:dave@127.0.0.1:<uas3> SIP/2.0")
		// The text itself, not "abc" anywhere: the Via branch is hex.
		if strings.Contains(inv3.Buf, "\r\nabc") {
			s.t.Errorf("an extra header of 4 bytes or less was added:\n%s", inv3.Buf)
		}
		c := s.skipTo(2, func(m *sipmsg.Msg) bool { return m.Method == "CANCEL" })
		s.expect(c, "CANCEL sip:carol@127.0.0.1:<uas2> SIP/2.0")
		s.send(2, siptest.Reply(c, 200, "OK", "u2"))
		s.send(2, siptest.Reply(inv2, 487, "Request Terminated", "u2"))
		s.expect(s.recv(2), "ACK sip:carol@127.0.0.1:<uas2> SIP/2.0")
		s.send(3, siptest.Reply(inv3, 200, "OK", "u3"))
		s.expect(s.recv(0), "SIP/2.0 200 OK")
	}},
	{name: "serial-timeout-408", peers: 3, run: func(s *scene) {
		s.call("c2", `{"routing": "serial", "routes": [`+
			`{"dst_uri": "sip:127.0.0.1:UAS1", "fr_timer": 1000},`+
			`{"uri": "sip:carol@127.0.0.1:UAS2", "fr_timer": 30000}]}`)
		s.recv(0)
		s.expect(s.recv(1), "INVITE sip:bob@127.0.0.1 SIP/2.0")
		// fr_timer: without any reply the branch times out after a second.
		inv := s.timeoutTo(2, isInvite)
		s.expect(inv, "INVITE sip:carol@127.0.0.1:<uas2> SIP/2.0")
		// The timed-out branch's 408 was dropped when the failure route
		// added the next one (failure_reply_mode 3): the 486 goes up.
		s.send(2, siptest.Reply(inv, 486, "Busy Here", "u4"))
		s.recv(2)
		s.expect(s.recv(0), "SIP/2.0 486 Busy Here")
	}},
	{name: "serial-ruri-rewritten", peers: 3, run: func(s *scene) {
		s.call("c10", `{"routing": "serial", "routes": [`+
			`{"uri": "sip:bob@127.0.0.1:UAS1"}, {"uri": "sip:carol@127.0.0.1:UAS2"}]}`)
		s.recv(0)
		inv := s.recv(1)
		s.expect(inv, "INVITE sip:bob@127.0.0.1:<uas1> SIP/2.0")
		s.send(1, siptest.Reply(inv, 486, "Busy Here", "u8"))
		s.recv(1)
		inv2 := s.recv(2)
		s.expect(inv2, "INVITE sip:carol@127.0.0.1:<uas2> SIP/2.0")
		s.send(2, siptest.Reply(inv2, 200, "OK", "u9"))
		s.expect(s.recv(0), "SIP/2.0 200 OK")
	}},
	{name: "parallel", peers: 3, run: func(s *scene) {
		s.call("c3", `{"routing": "parallel", "routes": [`+
			`{"uri": "sip:bob@127.0.0.1:UAS1", "headers": {"extra": "X-Route: not-applied\r\n"}},`+
			`{"uri": "sip:carol@example.invalid", "dst_uri": "sip:127.0.0.1:UAS2", "branch_flags": 2}]}`)
		s.recv(0)
		a := s.recv(1)
		s.expect(a, "INVITE sip:bob@127.0.0.1:<uas1> SIP/2.0")
		b := s.recv(2)
		s.expect(b, "INVITE sip:carol@example.invalid SIP/2.0")
		s.send(1, siptest.Reply(a, 486, "Busy Here", "u5"))
		s.recv(1)
		s.send(2, siptest.Reply(b, 200, "OK", "u6"))
		s.expect(s.recv(0), "SIP/2.0 200 OK")
	}},
	{name: "serial-exhausted", peers: 2, run: func(s *scene) {
		s.call("c4", `{"routing": "serial", "routes": [{"uri": "sip:bob@127.0.0.1:UAS1"}], "extra": "ignored"} trailing text`)
		s.recv(0)
		inv := s.recv(1)
		s.send(1, siptest.Reply(inv, 404, "Not Found", "u7"))
		s.recv(1)
		s.expect(s.recv(0), "SIP/2.0 404 Not Found")
	}},
	{name: "invalid-doc", peers: 1, run: func(s *scene) {
		s.call("c5", `{"routing": "serial", "routes": [`)
		s.expect(s.recv(0), "SIP/2.0 500 Init Failed")
	}},
	{name: "unsupported-routing", peers: 1, run: func(s *scene) {
		s.call("c6", `{"ROUTING": "weighted", "routes": [{"uri": "sip:x@127.0.0.1"}]}`)
		s.expect(s.recv(0), "SIP/2.0 500 Push Failed")
	}},
	{name: "routing-not-a-string", peers: 1, run: func(s *scene) {
		s.call("c7", `{"routing": 1, "routes": [{"uri": "sip:x@127.0.0.1"}]}`)
		s.expect(s.recv(0), "SIP/2.0 500 Push Failed")
	}},
	{name: "empty-routes", peers: 1, run: func(s *scene) {
		s.call("c8", `{"routing": "serial", "routes": []}`)
		s.expect(s.recv(0), "SIP/2.0 500 Push Failed")
	}},
	{name: "missing-xavp", peers: 1, run: func(s *scene) {
		s.call("c9", "")
		s.expect(s.recv(0), "SIP/2.0 500 No Routes")
	}},
}

// kamgoRun is a scenario's run on kamgo: the transcript and the log lines
// of the routes and of rtjson.
func runOnKamgo(t *testing.T, sc scenario) (transcript, logs []string) {
	s := newScene(t, sc.peers)
	clock := fakeclock.New()
	srv := siptest.Start(t, "debug=3\nchildren=2\n"+siptest.ListenUDP+loadLines()+scenarioRoutes, siptest.Options{Name: "rtjson.cfg", Clock: clock,
		Setup: func(srv *server.Server) { siptest.Module[*tm.Module](t, srv, "tm").SetClock(clock) }})
	s.advance = clock.Advance
	s.addr = srv.Addr
	s.names[strconv.Itoa(srv.Port)] = "proxy"
	sc.run(s)
	return s.got, logLines(s, srv.Log.Lines())
}

// logLines returns the records of rtjson and of the routes, as
// "LEVEL: origin: text", normalised.
func logLines(s *scene, lines []string) []string {
	var out []string
	for _, r := range siptest.Records(lines) {
		if r.Origin == "script" || r.Origin == "rtjson" {
			out = append(out, s.normalize(r.String()))
		}
	}
	return out
}

// TestScenarios runs every scenario on kamgo; each checks what the peers
// receive. The logs are checked against the lines each scenario must
// print.
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if sc.tmDeviation != "" {
				t.Skip(sc.tmDeviation)
			}
			_, logs := runOnKamgo(t, sc)
			for _, want := range scenarioLogs[sc.name] {
				if !containsLine(logs, want) {
					t.Errorf("log lacks %q:\n%s", want, strings.Join(logs, "\n"))
				}
			}
		})
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// scenarioLogs are lines each scenario's log must have.
var scenarioLogs = map[string][]string{
	"serial-486-408-200": {
		"INFO: script: pushed ru=sip:bob@127.0.0.1 du=sip:127.0.0.1:<uas1> bf=4 idx=1 b0=<null>",
		"INFO: script: branch 0 rc=1 ru=sip:bob@127.0.0.1 du=sip:127.0.0.1:<uas1>",
		"INFO: script: next idx=2 b0=sip:carol@127.0.0.1:<uas2>",
		"INFO: script: branch 1 rc=1 ru=sip:carol@127.0.0.1:<uas2> du=<null>",
		"INFO: script: next idx=3 b0=sip:dave@127.0.0.1:<uas3>",
		"INFO: script: branch 2 rc=1 ru=sip:dave@127.0.0.1:<uas3> du=<null>",
	},
	"parallel": {
		"INFO: script: pushed ru=sip:bob@127.0.0.1:<uas1> du=<null> bf=0 idx=2 b0=sip:carol@example.invalid",
		"INFO: script: branch 0 rc=-1 ru=sip:bob@127.0.0.1:<uas1> du=<null>",
		"INFO: script: branch 1 rc=-1 ru=sip:carol@example.invalid du=sip:127.0.0.1:<uas2>",
	},
	"serial-timeout-408": {"INFO: script: no more routes after 486"},
	"serial-exhausted":   {"INFO: script: no more routes after 404"},
	"invalid-doc": {
		`ERROR: rtjson: rtjson_init_routes(): invalid json doc [[{"routing": "serial", "routes": []]`,
	},
	"unsupported-routing":  {"ERROR: rtjson: rtjson_push_routes(): unsupported routing [weighted]"},
	"routing-not-a-string": {"ERROR: rtjson: rtjson_push_routes(): missing or invalid routing field"},
	"empty-routes":         {"ERROR: rtjson: rtjson_init_serial(): missing or invalid routes field"},
	"missing-xavp":         {"WARNING: rtjson: rtjson_push_routes(): no json for routing"},
}
