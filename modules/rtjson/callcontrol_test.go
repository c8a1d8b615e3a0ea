package rtjson_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The call-control corpus config routes every call through an application
// connected to evapi: the INVITE is suspended with evapi_async_relay, the
// application answers with an rtjson document naming the transaction, and
// the config resumes it (t_continue) to rtjson_init_routes,
// rtjson_push_routes and t_relay, with rtjson_update_branch in
// branch_route and rtjson_next_route in failure_route. The test runs the
// config as it is, but for its evapi address (a free port instead of
// 8448), with a Go routing application, a Go phone and a Go server.

// corpusConfig is the config, read at test time.
const corpusConfig = "/work/shared/corpus/evapi-async-callcontrol/kamailio.cfg"

// callControlConfig copies the corpus config into a temporary directory
// with its evapi bind address on a free port and returns the copy's path
// and the evapi address. It skips the test when the corpus is absent.
func callControlConfig(t *testing.T) (path, evapiAddr string) {
	t.Helper()
	text, err := os.ReadFile(corpusConfig)
	if err != nil {
		t.Skipf("corpus config not available: %v", err)
	}
	const bind = `"127.0.0.1:8448"`
	if !strings.Contains(string(text), bind) {
		t.Fatalf("%s no longer binds evapi to %s", corpusConfig, bind)
	}
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	evapiAddr = "127.0.0.1:" + strconv.Itoa(port)
	path = filepath.Join(t.TempDir(), "kamailio.cfg")
	if err := os.WriteFile(path, []byte(strings.Replace(string(text), bind, `"`+evapiAddr+`"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, evapiAddr
}

// routingApp answers the proxy's routing request on evapi: a serial
// document whose one route is the server's, with an extra header, naming
// the suspended transaction in xtra as the config reads it.
func routingApp(t *testing.T, app *netstring.Conn, uasPort int) {
	t.Helper()
	frame, err := app.Recv(wait)
	if err != nil {
		t.Fatalf("routing request: %v", err)
	}
	var req struct {
		Event          string
		TIndex, TLabel int64
		Caller, Callee string
	}
	if err := json.Unmarshal([]byte(frame), &req); err != nil {
		t.Fatalf("routing request %q: %v", frame, err)
	}
	if req.Event != "sip-routing" || req.Caller != "alice" || req.Callee != "bob" {
		t.Errorf("routing request %q", frame)
	}
	doc := fmt.Sprintf(`{"routing": "serial", "routes": [{"uri": "sip:bob@127.0.0.1:%d", "fr_inv_timer": 30000, `+
		`"headers": {"extra": "X-Routed-By: app\r\n"}}], "xtra": {"tindex": %d, "tlabel": %d}}`, uasPort, req.TIndex, req.TLabel)
	if err := app.Send(doc); err != nil {
		t.Fatal(err)
	}
}

// runCall places a call from the phone (peer 0) to bob at the proxy addr
// and routes it through the application to the server (peer 1): INVITE,
// 200 OK, ACK and BYE. It returns what the two peers received.
func runCall(t *testing.T, addr string, app *netstring.Conn) []string {
	s := newScene(t, 2)
	s.addr = addr
	_, port, _ := strings.Cut(addr, ":")
	s.names[port] = "proxy"
	uas := s.peers[1].Port()
	s.send(0, request(s.peers[0], "INVITE", "sip:bob@"+addr, "cc1", 1))
	routingApp(t, app, uas)
	inv := s.skipTo(1, isInvite)
	s.expect(inv, "INVITE sip:bob@127.0.0.1:<uas1> SIP/2.0", "X-Routed-By: app")
	contact := fmt.Sprintf("Contact: <sip:bob@127.0.0.1:%d>", uas)
	s.send(1, siptest.Reply(inv, 180, "Ringing", "b1", contact))
	s.send(1, siptest.Reply(inv, 200, "OK", "b1", contact))
	ok := s.skipTo(0, func(m *sipmsg.Msg) bool { return m.Status >= 200 })
	s.expect(ok, "SIP/2.0 200 OK")
	rr, _ := ok.Header("record-route")
	if rr == "" {
		t.Fatalf("200 OK without Record-Route:\n%s", ok.Buf)
	}
	inDialog := func(method string, cseq int) string {
		req := request(s.peers[0], method, fmt.Sprintf("sip:bob@127.0.0.1:%d", uas), "cc1", cseq, "Route: "+rr)
		return strings.Replace(req, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b1", 1)
	}
	s.send(0, inDialog("ACK", 1))
	s.expect(s.skipTo(1, func(m *sipmsg.Msg) bool { return m.Method == "ACK" }), "ACK sip:bob@127.0.0.1:<uas1> SIP/2.0")
	s.send(0, inDialog("BYE", 2))
	bye := s.skipTo(1, func(m *sipmsg.Msg) bool { return m.Method == "BYE" })
	s.expect(bye, "BYE sip:bob@127.0.0.1:<uas1> SIP/2.0")
	s.send(1, siptest.Reply(bye, 200, "OK", ""))
	s.expect(s.skipTo(0, func(m *sipmsg.Msg) bool { return m.Status >= 200 }), "SIP/2.0 200 OK")
	return s.got
}

var (
	reRunning = regexp.MustCompile(`kamgo \S+ running `)
	reNewConn = regexp.MustCompile(`new connection from \[127\.0\.0\.1:`)
)

// TestCallControlCorpus runs the corpus config with `kamgo run` and places
// a call through it.
func TestCallControlCorpus(t *testing.T) {
	cfg, evapiAddr := callControlConfig(t)
	bin := proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo")
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := proctest.Start(t, bin, filepath.Dir(cfg), "run", "--kamailio", "5.6",
		"-l", "udp:127.0.0.1:"+strconv.Itoa(port), "-Y", runDir, cfg)
	p.WaitFor(reRunning, 1, wait)
	app, err := netstring.Dial(evapiAddr, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// The proxy relays only to applications it has taken in.
	p.WaitFor(reNewConn, 1, wait)
	runCall(t, "127.0.0.1:"+strconv.Itoa(port), app)
	if code := p.Stop(); code != 0 {
		t.Errorf("kamgo exited with %d", code)
	}
	log := p.Log()
	for _, want := range []string{"INFO: <script>: suspended transaction: ", "INFO: <script>: resumed transaction for processing: "} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if t.Failed() {
		t.Logf("kamgo's log:\n%s", log)
	}
}
