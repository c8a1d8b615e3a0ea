package dialog_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/dialog"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wait bounds every read of a message that must come and every wait for
// a log line.
const wait = 5 * time.Second

// header is what both servers run before a scenario's configuration.
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
loadmodule "kex.so"
loadmodule "dialog.so"
`

// target is a running server a scenario drives.
type target interface {
	addr() string
	// expire lets a dialog's timeout of secs seconds pass (kamgo's fake
	// clock; Kamailio's timer runs on its own and the test waits for
	// what it sends).
	expire(secs int)
	waitLog(t *testing.T, re string, n int)
	// lines are the log lines so far as "LEVEL: origin: text".
	lines() []string
	// rpc runs a command, its reply as kamcmd prints it, flattened.
	rpc(t *testing.T, cmd ...string) []string
}

type kamgoTarget struct {
	address string
	log     *linelog.Log
	clock   *fakeclock.Clock
	srv     *server.Server
}

func (k *kamgoTarget) addr() string { return k.address }

func (k *kamgoTarget) expire(secs int) { k.clock.Advance(time.Duration(secs) * time.Second) }

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
		}
	}
	return out
}

func (k *kamgoTarget) rpc(t *testing.T, cmd ...string) []string {
	t.Helper()
	c := &rpc.Call{Method: cmd[0]}
	for _, a := range cmd[1:] {
		if s, ok := strings.CutPrefix(a, "s:"); ok {
			c.Params = append(c.Params, rpc.NewStr(s))
		} else if n, err := strconv.Atoi(a); err == nil {
			c.Params = append(c.Params, rpc.NewInt(int64(n)))
		} else {
			c.Params = append(c.Params, rpc.NewStr(a))
		}
	}
	if !k.srv.RPC().Run(context.Background(), c) {
		t.Fatalf("%s is not registered", cmd[0])
	}
	vals, f := c.Reply()
	if f != nil {
		return []string{"fault = " + strconv.Itoa(f.Code)}
	}
	var out []string
	for i, v := range vals {
		out = append(out, flatten(v, fmt.Sprintf("[%d]", i))...)
	}
	return out
}

// flatten lists a reply as "path = value" lines; arrays and structures
// look alike, as kamcmd prints them.
func flatten(v *rpc.Value, path string) []string {
	switch v.Kind {
	case rpc.Struct:
		var out []string
		for _, m := range v.Members {
			out = append(out, flatten(m.Value, path+"."+m.Name)...)
		}
		return out
	case rpc.Array:
		var out []string
		for i, it := range v.Items {
			out = append(out, flatten(it, path+"."+v.ItemName(i))...)
		}
		return out
	case rpc.Int:
		return []string{path + " = " + strconv.FormatInt(v.Int, 10)}
	}
	return []string{path + " = " + v.Str}
}

// fill writes the ports into a configuration.
func fill(text string, sipPort int, peers []*peer) string {
	text = strings.ReplaceAll(text, "%%SIP_PORT%%", strconv.Itoa(sipPort))
	for i, p := range peers {
		text = strings.ReplaceAll(text, "UAS"+strconv.Itoa(i+1), strconv.Itoa(p.port()))
	}
	return text
}

// startKamgo runs header+cfg in kamgo with tm and dialog on a fake clock.
func startKamgo(t *testing.T, cfg string, peers ...*peer) target {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fill(header+cfg, port, peers)
	an, diags, _ := check.AnalyzeSource("dialog.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(an, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v\n%s", ld.Error(), ll.Text())
	}
	clock := fakeclock.New()
	tmInst, _ := srv.Module("tm")
	tmInst.(*tm.Module).SetClock(clock)
	dInst, _ := srv.Module("dialog")
	dInst.(*dialog.Module).SetClock(clock)
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
	return &kamgoTarget{address: "127.0.0.1:" + strconv.Itoa(port), log: ll, clock: clock, srv: srv}
}

// peer is a UDP endpoint: the caller's phone or the callee.
type peer struct {
	t    *testing.T
	name string
	pc   net.PacketConn
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

// recv reads until a message that is not a provisional reply or a
// retransmitted INVITE comes, failing the test when none comes within
// the bound.
func (p *peer) recv(what func(*sipmsg.Msg) bool) *sipmsg.Msg {
	p.t.Helper()
	for range 20 {
		m, ok := p.read(wait)
		if !ok {
			p.t.Fatalf("%s: no message", p.name)
		}
		if what(m) {
			return m
		}
	}
	p.t.Fatalf("%s: not the expected message", p.name)
	return nil
}

func (p *peer) recvStatus(code int) *sipmsg.Msg {
	p.t.Helper()
	return p.recv(func(m *sipmsg.Msg) bool { return m.Status == code })
}

func (p *peer) recvMethod(method string) *sipmsg.Msg {
	p.t.Helper()
	return p.recv(func(m *sipmsg.Msg) bool { return m.Method == method })
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
	return m, true
}

// invite is the caller's INVITE to the proxy.
func (p *peer) invite(ruri, callID string, extra ...string) string {
	h := []string{
		"INVITE " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-1", p.port(), callID),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: " + callID,
		"CSeq: 10 INVITE",
		fmt.Sprintf("Contact: <sip:alice@127.0.0.1:%d>", p.port()),
	}
	h = append(h, extra...)
	return strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
}

// reply is the callee's reply to req, with its to-tag, Contact and the
// Record-Route it got, after the extra headers given.
func (p *peer) reply(req *sipmsg.Msg, code int, reason, toTag string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "call-id", "cseq", "record-route":
			b.WriteString(req.Buf[h.Start:h.End])
		case "to":
			line := req.Buf[h.Start:h.End]
			if toTag != "" && !strings.Contains(line, ";tag=") {
				line = strings.TrimRight(line, "\r\n") + ";tag=" + toTag + "\r\n"
			}
			b.WriteString(line)
		}
	}
	if req.Method == "INVITE" {
		fmt.Fprintf(&b, "Contact: <sip:bob@127.0.0.1:%d>\r\n", p.port())
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// within is a request inside the dialog from the caller, routed by the
// proxy's Record-Route.
func (p *peer) within(method, callID string, cseq int, toTag string, rr []string, ruri string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%s%d", p.port(), callID, method, cseq),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>;tag=" + toTag,
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	for _, r := range rr {
		h = append(h, "Route: "+r)
	}
	return strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
}

var (
	portRE   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	hidRE    = regexp.MustCompile(`did=([0-9a-f]+)\.[0-9a-f]+`)
	branchRE = regexp.MustCompile(`branch=z9hG4bK[^;\s>]*`)
)

// mask hides what differs between two runs: ports, the dialog's hash id
// and Via branches.
func mask(s string) string {
	s = portRE.ReplaceAllString(s, "127.0.0.1:PORT")
	s = hidRE.ReplaceAllString(s, "did=$1.HID")
	return branchRE.ReplaceAllString(s, "branch=BRANCH")
}
