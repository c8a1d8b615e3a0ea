package acc_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/acc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wait bounds every read of a message that must come and every wait for
// a log line; quiet is how long a read waits for one that must not come.
const (
	wait  = 5 * time.Second
	quiet = 300 * time.Millisecond
)

// header is the configuration both servers run before a scenario's
// parameters and routes.
const header = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "rr.so"
loadmodule "textops.so"
loadmodule "acc.so"
modparam("tm", "fr_timer", 2000)
`

// target is a running server a scenario drives.
type target interface {
	addr() string
	// advance lets d pass for the server's timers (kamgo's fake clock;
	// Kamailio's run on their own).
	advance(d time.Duration)
	// waitLog waits until n log lines match re.
	waitLog(t *testing.T, re string, n int)
	// lines are the log lines so far as "LEVEL: origin: text".
	lines() []string
}

// kamgoTarget is kamgo running a configuration in process, its tm on a
// clock that does not move.
type kamgoTarget struct {
	address string
	log     *linelog.Log
	clock   *fakeclock.Clock
}

func (k *kamgoTarget) addr() string { return k.address }

func (k *kamgoTarget) advance(d time.Duration) { k.clock.Advance(d) }

func (k *kamgoTarget) waitLog(t *testing.T, re string, n int) {
	t.Helper()
	if err := k.log.Wait(regexp.MustCompile(re), n, wait); err != nil {
		t.Fatalf("log line %q: %v\n%s", re, err, k.log.Text())
	}
}

var kamgoLine = regexp.MustCompile(`^([A-Z]+): <([a-z0-9_]+)>: (.*)$`)

func (k *kamgoTarget) lines() []string {
	var out []string
	for _, l := range k.log.Lines() {
		if m := kamgoLine.FindStringSubmatch(l); m != nil {
			out = append(out, m[1]+": "+m[2]+": "+m[3])
		} else if n := len(out); n > 0 {
			out[n-1] += "\n" + l
		}
	}
	return out
}

// fill writes the ports into a configuration.
func fill(text string, sipPort int, peers []*peer) string {
	text = strings.ReplaceAll(text, "%%SIP_PORT%%", strconv.Itoa(sipPort))
	for i, p := range peers {
		text = strings.ReplaceAll(text, "UAS"+strconv.Itoa(i+1), strconv.Itoa(p.port()))
	}
	return text
}

// startKamgo runs header+cfg in kamgo, the placeholders UAS1 ... replaced
// by the ports of the peers given.
func startKamgo(t *testing.T, cfg string, peers ...*peer) target {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fill(header+cfg, port, peers)
	an, diags, _ := check.AnalyzeSource("acc.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(an, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	clock := fakeclock.New()
	tmInst, _ := srv.Module("tm")
	tmInst.(*tm.Module).SetClock(clock)
	accInst, _ := srv.Module("acc")
	accInst.(*acc.Module).SetClock(func() time.Time { return time.Unix(1700000000, 123456000) })
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kamgo's log:\n%s", strings.Join(ll.Lines(), "\n"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return &kamgoTarget{address: "127.0.0.1:" + strconv.Itoa(port), log: ll, clock: clock}
}

// peer is a UDP endpoint: a phone upstream or a server downstream.
type peer struct {
	t    *testing.T
	name string
	pc   net.PacketConn

	mu  sync.Mutex
	got []string
}

func newPeer(t *testing.T, name string) *peer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &peer{t: t, name: name, pc: pc}
}

func (p *peer) port() int { return p.pc.LocalAddr().(*net.UDPAddr).Port }

func (p *peer) send(addr, msg string) {
	p.t.Helper()
	to, _ := net.ResolveUDPAddr("udp", addr)
	if _, err := p.pc.WriteTo([]byte(msg), to); err != nil {
		p.t.Fatal(err)
	}
}

// recv returns the next message, failing the test when none comes.
func (p *peer) recv() *sipmsg.Msg {
	p.t.Helper()
	m, ok := p.read(wait)
	if !ok {
		p.t.Fatalf("%s: no message", p.name)
	}
	return m
}

// recvStatus reads messages until a reply with code comes.
func (p *peer) recvStatus(code int) *sipmsg.Msg {
	p.t.Helper()
	for i := 0; i < 20; i++ {
		m := p.recv()
		if m.Status == code {
			return m
		}
	}
	p.t.Fatalf("%s: no %d reply", p.name, code)
	return nil
}

// recvMethod reads messages until a request with method comes.
func (p *peer) recvMethod(method string) *sipmsg.Msg {
	p.t.Helper()
	for i := 0; i < 20; i++ {
		m := p.recv()
		if m.Method == method {
			return m
		}
	}
	p.t.Fatalf("%s: no %s", p.name, method)
	return nil
}

func (p *peer) read(d time.Duration) (*sipmsg.Msg, bool) {
	buf := make([]byte, 65535)
	_ = p.pc.SetReadDeadline(time.Now().Add(d))
	n, _, err := p.pc.ReadFrom(buf)
	if err != nil {
		return nil, false
	}
	m, err := sipmsg.Parse(string(buf[:n]))
	if err != nil {
		p.t.Fatalf("unparsable message: %v\n%s", err, buf[:n])
	}
	p.mu.Lock()
	p.got = append(p.got, m.Buf)
	p.mu.Unlock()
	return m, true
}

// request builds a request from p to ruri with p's Via and branch, a
// From tag, Call-ID and CSeq; extra headers follow.
func (p *peer) request(method, ruri, branch, callID string, cseq int, extra ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s", p.port(), branch),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	h = append(h, extra...)
	return strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
}

// withToTag puts tag on the To header of a request.
func withToTag(req, tag string) string {
	return strings.Replace(req, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag="+tag, 1)
}

// reply builds the reply of a server to req, with toTag added to its To
// when not empty, and extra headers.
func reply(req *sipmsg.Msg, code int, reason, toTag string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "call-id", "cseq":
			b.WriteString(req.Buf[h.Start:h.End])
		case "to":
			line := req.Buf[h.Start:h.End]
			if toTag != "" && !strings.Contains(line, ";tag=") {
				line = strings.TrimRight(line, "\r\n") + ";tag=" + toTag + "\r\n"
			}
			b.WriteString(line)
		}
	}
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// withBody gives a message built by request or reply an SDP body.
func withBody(msg string) string {
	const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	msg = strings.Replace(msg, "Content-Length: 0\r\n", "Content-Type: application/sdp\r\nContent-Length: "+strconv.Itoa(len(sdp))+"\r\n", 1)
	return msg + sdp
}

var (
	timestampRE = regexp.MustCompile(`timestamp=\d+`)
	usecRE      = regexp.MustCompile(`;usec=\d+`)
	portRE      = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	// localTagRE is tm's to-tag for local replies, which depends on the
	// listening socket.
	localTagRE = regexp.MustCompile(`to_tag=[0-9a-f]{32}-[0-9a-f]+`)
)

// accLines keeps the lines of acc and of the script, timestamps and
// ports masked.
func accLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		level, rest, _ := strings.Cut(l, ": ")
		origin, _, _ := strings.Cut(rest, ": ")
		if origin != "acc" && origin != "script" {
			continue
		}
		_ = level
		l = timestampRE.ReplaceAllString(l, "timestamp=TS")
		l = usecRE.ReplaceAllString(l, ";usec=USEC")
		l = localTagRE.ReplaceAllString(l, "to_tag=LOCALTAG")
		out = append(out, portRE.ReplaceAllString(l, "127.0.0.1:PORT"))
	}
	return out
}
