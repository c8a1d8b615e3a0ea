//go:build kamailio

package tm_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
)

// The differential tests of t_uac_send, serial forking and t_write_*: each
// scenario runs on Kamailio 5.6.3 and on kamgo with the same routes and
// the same peers; what the peers, the FIFO and the unix socket receive,
// and the tm and script log lines, must be the same once normalised for
// ports, branches, tags, Call-IDs, transaction ids and Server/User-Agent.

// uacWorld is one run of a scenario: the peers (the phone, then the
// servers), the proxy's address, a directory for FIFOs and sockets, and
// the transcript.
type uacWorld struct {
	t     *testing.T
	addr  string
	dir   string
	peers []*siptest.UA
	names map[string]string
	got   []string
	log   func() []string
}

func (w *uacWorld) send(i int, msg string) { w.peers[i].SendTo(w.addr, msg) }

// recv records the next message of peer i.
func (w *uacWorld) recv(i int) string {
	w.t.Helper()
	m := w.peers[i].Recv()
	w.got = append(w.got, "peer "+strconv.Itoa(i)+" got:\n"+w.normalize(m.Buf))
	return m.Buf
}

// note records a line of the scenario's own (what a FIFO or socket got).
func (w *uacWorld) note(s string) { w.got = append(w.got, w.normalize(s)) }

var (
	uacBranchRe = regexp.MustCompile(`branch=z9hG4bK[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)`)
	uacTagRe    = regexp.MustCompile(`tag=[0-9a-f]{32}[-.][0-9a-f]{8}`)
	uacCallIDRe = regexp.MustCompile(`[0-9a-f]{16}-\d+@127\.0\.0\.1`)
	uacServerRe = regexp.MustCompile(`(?m)^(Server|User-Agent): .*$`)
	uacIdentRe  = regexp.MustCompile(`(?m)^\d+:\d+$`)
)

func (w *uacWorld) normalize(s string) string {
	s = uacBranchRe.ReplaceAllString(s, "branch=z9hG4bK<tm>.$1")
	s = uacTagRe.ReplaceAllString(s, "tag=<tm-tag>")
	s = uacCallIDRe.ReplaceAllString(s, "<callid>")
	s = uacServerRe.ReplaceAllString(s, "$1: <server>")
	s = uacIdentRe.ReplaceAllString(s, "<hash>:<label>")
	s = strings.ReplaceAll(s, w.dir, "<dir>")
	for port, name := range w.names {
		s = strings.ReplaceAll(s, ":"+port, ":<"+name+">")
		s = strings.ReplaceAll(s, "\n"+port+"\n", "\n<"+name+">\n")
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// uacScenario is a scenario: routes with UAS1, UAS2 ... for the servers'
// ports and DIR for the directory.
type uacScenario struct {
	name   string
	peers  int
	routes string
	run    func(w *uacWorld)
}

func newUACWorld(t *testing.T, n int) *uacWorld {
	w := &uacWorld{t: t, dir: t.TempDir(), names: map[string]string{}}
	for i := range n {
		name := "phone"
		if i > 0 {
			name = "uas" + strconv.Itoa(i)
		}
		p := siptest.NewUA(t, name)
		w.peers = append(w.peers, p)
		w.names[strconv.Itoa(p.Port())] = name
	}
	return w
}

// routes writes the servers' ports for UAS1, UAS2 ... and the directory
// for DIR.
func (w *uacWorld) routes(text string) string {
	pairs := append(siptest.Placeholders(w.peers[1:]...), "DIR", w.dir)
	return strings.NewReplacer(pairs...).Replace(text)
}

// tmLines are the log lines of tm and of the script, as "LEVEL: <origin>:
// text", normalised.
func (w *uacWorld) tmLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "<tm>: ") || strings.Contains(l, "<script>: ") {
			out = append(out, w.normalize(l))
		}
	}
	return out
}

// uacOnKamailio runs sc on Kamailio; want is how many tm and script log
// lines kamgo wrote for it: Kamailio's worker logs after the last message
// the peers see, so its lines are waited for (bounded) up to that count.
func uacOnKamailio(t *testing.T, sc uacScenario, want int) []string {
	w := newUACWorld(t, sc.peers)
	header := strings.Replace(kamailioHeader, "children=2\n", "children=1\n", 1)
	k := siptest.StartKamailio(t, header+w.routes(sc.routes))
	defer k.Stop()
	w.addr = k.SIPAddr()
	w.names[strconv.Itoa(k.SIPPort)] = "proxy"
	w.log = func() []string {
		var out []string
		for _, l := range k.Log() {
			origin := l.Origin
			if !strings.HasPrefix(origin, "<") {
				origin = "<" + origin + ">"
			}
			out = append(out, l.Level+": "+origin+": "+l.Text)
		}
		return out
	}
	sc.run(w)
	siptest.Poll(func() bool { return len(w.tmLines(w.log())) >= want })
	return append(w.got, w.tmLines(w.log())...)
}

func uacOnKamgo(t *testing.T, sc uacScenario) ([]string, int) {
	w := newUACWorld(t, sc.peers)
	p := start(t, w.routes(sc.routes))
	w.addr = p.Addr
	w.names[strconv.Itoa(p.Port)] = "proxy"
	w.log = p.Log.Lines
	sc.run(w)
	lines := w.tmLines(w.log())
	return append(w.got, lines...), len(lines)
}

// TestUACDifferential runs the scenarios on both servers.
func TestUACDifferential(t *testing.T) {
	for _, sc := range uacScenarios {
		t.Run(sc.name, func(t *testing.T) {
			kg, n := uacOnKamgo(t, sc)
			kam := uacOnKamailio(t, sc, n)
			if strings.Join(kam, "\n") != strings.Join(kg, "\n") {
				t.Errorf("transcripts differ\nKamailio:\n%s\n\nkamgo:\n%s", strings.Join(kam, "\n"), strings.Join(kg, "\n"))
			}
		})
	}
}

// options is the phone's request that triggers a scenario's route.
func options(w *uacWorld, branch string, extra ...string) string {
	return w.peers[0].Request("OPTIONS", "sip:kamgo@127.0.0.1", branch, "k-"+branch, 1, extra...)
}

// readFIFO reads what was written to the FIFO opened with openFIFO.
func readFIFO(t *testing.T, f *os.File) string {
	t.Helper()
	buf := make([]byte, 65535)
	_ = f.SetReadDeadline(time.Now().Add(siptest.Wait))
	n, err := f.Read(buf)
	if err != nil {
		t.Fatalf("fifo: %v", err)
	}
	return string(buf[:n])
}

// openFIFO makes the FIFO DIR/name and opens it for reading (read and
// write, so that a read waits for a writer instead of ending).
func openFIFO(t *testing.T, w *uacWorld, name string) *os.File {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := syscall.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// listenUnix opens the datagram socket DIR/name.
func listenUnix(t *testing.T, w *uacWorld, name string) *net.UnixConn {
	t.Helper()
	path := filepath.Join(w.dir, name)
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(path, 0o777)
	t.Cleanup(func() { c.Close() })
	return c
}

var uacScenarios = []uacScenario{
	{name: "uac-message", peers: 2, routes: uacRoute, run: func(w *uacWorld) {
		w.send(0, options(w, "m1", "X-Send: message"))
		w.recv(0)
		req := w.recv(1)
		m := siptest.Parse(w.t, req)
		w.send(1, siptest.Reply(m, 200, "OK", "k1"))
		w.peers[1].None()
	}},
	{name: "uac-invite-486", peers: 2, routes: uacRoute, run: func(w *uacWorld) {
		w.send(0, options(w, "m2", "X-Send: invite"))
		w.recv(0)
		inv := siptest.Parse(w.t, w.recv(1))
		w.send(1, siptest.Reply(inv, 486, "Busy Here", "k2"))
		w.recv(1)
	}},
	{name: "uac-nexthop", peers: 2, routes: uacRoute, run: func(w *uacWorld) {
		w.send(0, options(w, "m3", "X-Send: nexthop"))
		w.recv(0)
		w.recv(1)
	}},
	{name: "uac-errors", peers: 2, routes: uacRoute, run: func(w *uacWorld) {
		w.send(0, options(w, "m4", "X-Send: noto"))
		w.recv(0)
	}},
	{name: "uac-local-request", peers: 2, routes: `event_route[tm:local-request] {
	xlog("L_INFO", "local $rm $ru $du\n");
	if ($rm == "OPTIONS") { drop; }
	append_hf("X-Local: yes\r\n");
}
` + uacRoute, run: func(w *uacWorld) {
		w.send(0, options(w, "m5", "X-Send: message"))
		w.recv(0)
		w.recv(1)
		w.send(0, options(w, "m6", "X-Send: nexthop"))
		w.recv(0)
	}},
	{name: "load-next-contacts", peers: 1, routes: `modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_flows")
request_route {
	$ru = "sip:r@127.0.0.1:5999";
	$sbranch(uri) = "sip:a@127.0.0.1:5999"; $sbranch(q) = 500; sbranch_append();
	$sbranch(uri) = "sip:b@127.0.0.1:5999"; $sbranch(q) = 1000; sbranch_append();
	$sbranch(uri) = "sip:c@127.0.0.1:5999"; $sbranch(q) = 500; $sbranch(flags) = 3; sbranch_append();
	$sbranch(uri) = "sip:d@127.0.0.1:5999"; $sbranch(q) = 1000; sbranch_append();
	xlog("L_INFO", "load: $rc\n");
	t_load_contacts();
	xlog("L_INFO", "loaded: $rc branches=$(branch(uri)[*]) c0=$xavp(tm_contacts[0]=>uri)/$xavp(tm_contacts[0]=>q_flag) c1=$xavp(tm_contacts[1]=>uri)/$xavp(tm_contacts[1]=>q_flag) c4=$xavp(tm_contacts[4]=>uri)/$xavp(tm_contacts[4]=>flags)\n");
	while (t_next_contacts()) {
		xlog("L_INFO", "next: ru=$ru bf=$bf branches=$(branch(uri)[*]) left=$xavp(tm_contacts=>uri)\n");
		$var(i) = $var(i) + 1;
		if ($var(i) > 5) { break; }
	}
	xlog("L_INFO", "done: $rc\n");
	sl_send_reply("200", "OK");
	exit;
}`, run: func(w *uacWorld) {
		w.send(0, options(w, "c1"))
		w.recv(0)
	}},
	{name: "contact-flows", peers: 1, routes: `modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_flows")
request_route {
	$xavp(tm_contacts=>uri) = "sip:f3@127.0.0.1:5999"; $xavp(tm_contacts[0]=>instance) = "<urn:uuid:2>"; $xavp(tm_contacts[0]=>flags) = 0; $xavp(tm_contacts[0]=>q_flag) = 4;
	$xavp(tm_contacts=>uri) = "sip:f2@127.0.0.1:5999"; $xavp(tm_contacts[0]=>instance) = "<urn:uuid:1>"; $xavp(tm_contacts[0]=>flags) = 0; $xavp(tm_contacts[0]=>q_flag) = 0;
	$xavp(tm_contacts=>uri) = "sip:f1@127.0.0.1:5999"; $xavp(tm_contacts[0]=>instance) = "<urn:uuid:1>"; $xavp(tm_contacts[0]=>flags) = 2; $xavp(tm_contacts[0]=>q_flag) = 0;
	t_next_contacts();
	xlog("L_INFO", "next: $rc ru=$ru bf=$bf branches=$(branch(uri)[*]) flows=$xavp(tm_flows=>uri)/$xavp(tm_flows=>instance)/$xavp(tm_flows[1]=>uri) left=$xavp(tm_contacts=>uri)\n");
	t_next_contact_flow();
	xlog("L_INFO", "flow: $rc\n");
	t_load_contacts();
	xlog("L_INFO", "load one: $rc\n");
	sl_send_reply("200", "OK");
	exit;
}`, run: func(w *uacWorld) {
		w.send(0, options(w, "c2"))
		w.recv(0)
	}},
	{name: "write-fifo", peers: 1, routes: `modparam("tm", "tw_append", "extra: From=hdr[From]; ua=hdr[User-Agent]; v=avp[s:vm]; msg[body]")
request_route {
	if ($hdr(X-Mode) == "none") {
		t_newtran();
		if (!t_write_req("DIR/nobody", "voicemail")) { xlog("L_INFO", "write failed\n"); }
		t_reply("500", "No");
		exit;
	}
	if ($hdr(X-Mode) == "notrans") {
		if (!t_write_req("DIR/fifo", "voicemail")) { xlog("L_INFO", "no transaction\n"); }
		sl_send_reply("500", "No");
		exit;
	}
	$avp(s:vm) = "box-7";
	t_newtran();
	if (t_write_req("DIR/fifo", "voicemail/extra")) { xlog("L_INFO", "written\n"); }
	exit;
}`, run: func(w *uacWorld) {
		f := openFIFO(w.t, w, "fifo")
		msg := w.peers[0].Request("INVITE", "sip:bob@127.0.0.1", "w1", "k-w1", 3,
			"Contact: <sip:alice@127.0.0.1:7777>", "Record-Route: <sip:p1.test>, <sip:p2.test;lr>", "User-Agent: phone/1")
		w.send(0, msg)
		w.note("fifo got:\n" + readFIFO(w.t, f))
		// The route logs after its write returns: the next requests wait
		// for that line, which kamgo's other workers could log before.
		siptest.Poll(func() bool { return strings.Contains(strings.Join(w.log(), "\n"), "<script>: written") })
		w.send(0, w.peers[0].Request("OPTIONS", "sip:bob@127.0.0.1", "w2", "k-w2", 1, "X-Mode: none"))
		w.recv(0)
		w.send(0, w.peers[0].Request("OPTIONS", "sip:bob@127.0.0.1", "w3", "k-w3", 1, "X-Mode: notrans"))
		w.recv(0)
	}},
	{name: "write-unix", peers: 1, routes: `request_route {
	t_newtran();
	if (t_write_unix("DIR/sock", "app")) { xlog("L_INFO", "written\n"); }
	if (!t_write_unix("DIR/nosock", "app")) { xlog("L_INFO", "no socket\n"); }
	t_reply("202", "Handed over");
	exit;
}`, run: func(w *uacWorld) {
		c := listenUnix(w.t, w, "sock")
		msg := w.peers[0].Request("MESSAGE", "sip:bob@127.0.0.1:5070", "w4", "k-w4", 9,
			"Record-Route: <sip:p1.test>", "Record-Route: <sip:p2.test;lr>")
		w.send(0, msg)
		buf := make([]byte, 65535)
		_ = c.SetReadDeadline(time.Now().Add(siptest.Wait))
		n, err := c.Read(buf)
		if err != nil {
			w.t.Fatalf("socket: %v", err)
		}
		w.note("socket got:\n" + string(buf[:n]))
		w.recv(0)
	}},
}
