//go:build kamailio

package ctl_test

// Differential tests against Kamailio 5.6.3: the real kamcmd talks to
// Kamailio's ctl and to kamgo's over the same kinds of sockets, with the
// same configuration; its stdout and exit status must agree, after
// masking what legitimately differs (socket paths and ports of the two
// instances, dates and uptimes). Where a command's content differs (the
// version string, the command list, help texts kamgo words itself, the
// double core.echo cannot convert in Kamailio) the case says so and what
// is compared. Needs kamailio, its ctl module and kamcmd:
//
//	go test -tags kamailio ./modules/ctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

const cfgText = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:DIR/ctl")
modparam("ctl", "binrpc", "tcp:127.0.0.1:TCPPORT")
modparam("ctl", "binrpc", "udp:127.0.0.1:UDPPORT")
modparam("ctl", "binrpc", "unixd:DIR/ctl.dgram")
request_route { exit; }
`

// target is one server's control sockets, and its log.
type target struct {
	dir              string
	tcpPort, udpPort int
	kamailio         *kamref.Instance // Kamailio's process, nil for kamgo
	log              *linelog.Log     // kamgo's log, nil for Kamailio
	srv              *server.Server   // kamgo, nil for Kamailio
}

func (tg target) config(text string) string {
	r := strings.NewReplacer("DIR", tg.dir, "TCPPORT", strconv.Itoa(tg.tcpPort), "UDPPORT", strconv.Itoa(tg.udpPort))
	return r.Replace(text)
}

// socket is kamcmd's -s argument for a transport.
func (tg target) socket(kind string) string {
	switch kind {
	case "tcp":
		return "tcp:127.0.0.1:" + strconv.Itoa(tg.tcpPort)
	case "udp":
		return "udp:127.0.0.1:" + strconv.Itoa(tg.udpPort)
	case "unixd":
		return "unixd:" + tg.dir + "/ctl.dgram"
	}
	return "unix:" + tg.dir + "/ctl"
}

// mask hides what differs between the two instances: their directory
// and ports, dates, and uptimes.
func (tg target) mask(out string) string {
	out = strings.ReplaceAll(out, tg.dir, "DIR")
	out = strings.ReplaceAll(out, strconv.Itoa(tg.tcpPort), "TCPPORT")
	out = strings.ReplaceAll(out, strconv.Itoa(tg.udpPort), "UDPPORT")
	out = dateRE.ReplaceAllString(out, "DATE")
	return uptimeRE.ReplaceAllString(out, "uptime: N")
}

var (
	dateRE   = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}`)
	uptimeRE = regexp.MustCompile(`uptime: \d+`)
)

func newTarget(t *testing.T) target {
	t.Helper()
	tg := target{dir: t.TempDir()}
	var err error
	if tg.tcpPort, err = freeport.Pick(); err != nil {
		t.Fatal(err)
	}
	if tg.udpPort, err = freeport.Pick(); err != nil {
		t.Fatal(err)
	}
	return tg
}

func startKamailio(t *testing.T) target { return startKamailioText(t, cfgText) }

func startKamgo(t *testing.T) target { return startKamgoText(t, cfgText) }

// startKamailioText runs Kamailio on a configuration (cfgText or one
// built from it).
func startKamailioText(t *testing.T, text string) target {
	t.Helper()
	tg := newTarget(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, tg.config(text), kamref.Options{})
	if err != nil {
		var se *kamref.StartError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	tg.kamailio = in
	return tg
}

// startKamgoText runs kamgo on a configuration, as startKamailioText.
func startKamgoText(t *testing.T, text string) target {
	t.Helper()
	tg := newTarget(t)
	sip, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	evapi, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer(kamref.SIPPortPlaceholder, strconv.Itoa(sip), kamref.EvapiPortPlaceholder, strconv.Itoa(evapi)).Replace(tg.config(text))
	cfg, diags, _ := check.AnalyzeSource("ctl.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	tg.log = &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(tg.log, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	tg.srv = srv
	return tg
}

// kamcmd runs kamcmd against a socket and returns its stdout and exit
// status.
func kamcmd(t *testing.T, sock string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kamcmd", append([]string{"-s", sock}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("kamcmd %v: %v", args, err)
	}
	return out.String(), code
}

func TestKamcmd(t *testing.T) {
	if _, err := exec.LookPath("kamcmd"); err != nil {
		t.Fatal("kamcmd not found: ", err)
	}
	kam := startKamailio(t)
	kg := startKamgo(t)
	type result struct {
		out  string
		code int
	}
	run := func(tg target, kind string, args []string) result {
		out, code := kamcmd(t, tg.socket(kind), args...)
		return result{tg.mask(out), code}
	}
	same := func(k, g result) error {
		if k != g {
			return fmt.Errorf("Kamailio:\n%s(exit %d)\nkamgo:\n%s(exit %d)", k.out, k.code, g.out, g.code)
		}
		return nil
	}
	for _, tc := range []struct {
		name string
		kind string
		args []string
		// compare is how the two results must relate; same by default.
		compare func(k, g result) error
	}{
		{name: "echo", args: []string{"core.echo", "a", "1", "x y"}},
		{name: "echo over tcp", kind: "tcp", args: []string{"core.echo", "a", "1"}},
		{name: "echo over udp", kind: "udp", args: []string{"core.echo", "a", "1"}},
		{name: "echo over unixd", kind: "unixd", args: []string{"core.echo", "a", "1"}},
		{name: "typed params", args: []string{"core.echo", "s:x", "i:5", "s:7"}},
		// Kamailio's binrpc reads no double as a string: the echo stops
		// there and the values before it are the reply.
		{name: "echo of a double", args: []string{"core.echo", "a", "1", "2.5"}},
		{name: "echo of a negative integer", args: []string{"--", "core.echo", "-7"}},
		{name: "methodHelp of a number",
			args: []string{"system.methodHelp", "5"},
			// Kamailio's handler answers its own fault when it cannot read
			// the name; kamgo's core handler leaves binrpc's scan fault.
			// Both are 400 faults.
			compare: func(k, g result) error {
				if k.out != "error: 400 - Method Name Expected\n" || !strings.HasPrefix(g.out, "error: 400 - error at parameter 0: ") || k.code != g.code {
					return same(k, g)
				}
				return nil
			}},
		{name: "unknown command", args: []string{"no.such", "x"}},
		{name: "methodHelp without a name", args: []string{"system.methodHelp"}},
		{name: "methodHelp of an unknown command", args: []string{"system.methodHelp", "no.such"}},
		{name: "methodHelp",
			args: []string{"system.methodHelp", "core.echo"},
			// Help texts are each server's own words: one line each.
			compare: func(k, g result) error {
				if strings.Count(k.out, "\n") != 1 || strings.Count(g.out, "\n") != 1 || k.code != g.code {
					return same(k, g)
				}
				return nil
			}},
		{name: "listMethods",
			args: []string{"system.listMethods"},
			// The command sets differ; ctl's, the echo, version and uptime
			// commands and system's own are in both, sorted.
			compare: func(k, g result) error {
				for _, r := range []result{k, g} {
					lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
					for _, want := range []string{"core.echo", "core.uptime", "core.version", "ctl.connections", "ctl.listen", "ctl.who", "system.listMethods", "system.methodHelp"} {
						if !strings.Contains("\n"+r.out, "\n"+want+"\n") {
							return fmt.Errorf("%s missing:\n%s", want, r.out)
						}
					}
					for i := 1; i < len(lines); i++ {
						if lines[i-1] > lines[i] {
							return fmt.Errorf("not sorted at %s:\n%s", lines[i], r.out)
						}
					}
				}
				return nil
			}},
		{name: "uptime", args: []string{"core.uptime"}},
		{name: "version",
			args: []string{"core.version"},
			// The version strings name different servers.
			compare: func(k, g result) error {
				if !strings.HasPrefix(k.out, "kamailio 5.6.3 ") || !strings.HasPrefix(g.out, "kamgo ") || k.code != g.code {
					return same(k, g)
				}
				return nil
			}},
		{name: "ctl.listen", args: []string{"ctl.listen"}},
		{name: "ctl.listen formatted", args: []string{"-f", "[%v] %v:%v %v\n", "ctl.listen"}},
		{name: "ctl.who", args: []string{"ctl.who"}},
		{name: "ctl.who over tcp",
			kind: "tcp",
			args: []string{"ctl.who"},
			// kamcmd's own port differs from run to run.
			compare: func(k, g result) error {
				re := regexp.MustCompile(`(?m)^\d+$`)
				k.out, g.out = re.ReplaceAllString(k.out, "P"), re.ReplaceAllString(g.out, "P")
				return same(k, g)
			}},
		{name: "ctl.who over udp", kind: "udp", args: []string{"ctl.who"}},
		{name: "ctl.connections", args: []string{"ctl.connections"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := run(kam, tc.kind, tc.args)
			if k.out == "" {
				t.Fatalf("Kamailio answered nothing (exit %d)", k.code)
			}
			g := run(kg, tc.kind, tc.args)
			cmp := tc.compare
			if cmp == nil {
				cmp = same
			}
			t.Logf("Kamailio:\n%s(exit %d)\nkamgo:\n%s(exit %d)", k.out, k.code, g.out, g.code)
			if err := cmp(k, g); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRawPackets sends the same bytes to both servers' unix stream socket
// and compares the reply packets byte for byte, and whether the
// connection still serves a request afterwards.
func TestRawPackets(t *testing.T) {
	kam := startKamailio(t)
	kg := startKamgo(t)
	var big []*rpc.Value
	for range 40 {
		big = append(big, rpc.NewStr(strings.Repeat("y", 1000)))
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"echo", binrpc.NewRequest(0x01020304, "core.echo", rpc.NewStr("a"), rpc.NewInt(7), rpc.NewStr(strings.Repeat("long ", 20)))},
		{"bad magic", []byte{0xB1, 0x00, 0x00, 0x05}},
		{"bad version", []byte{0xA2, 0x00, 0x00, 0x05}},
		{"bad type", []byte{0xA1, 0x20, 0x00, 0x05}},
		{"a reply", binrpc.Packet(binrpc.Reply, 7, nil)},
		{"a fault", binrpc.Packet(binrpc.Fault, 7, []byte{0x10, 0x01, 0x21, 'x', 0})},
		{"empty body", binrpc.Packet(binrpc.Request, 8, nil)},
		{"int method", binrpc.Packet(binrpc.Request, 9, []byte{0x10, 0x01})},
		{"bytes method", binrpc.Packet(binrpc.Request, 9, binrpc.AppendStr(nil, binrpc.Bytes, "core.echo"))},
		{"truncated method", binrpc.Packet(binrpc.Request, 10, []byte{0x71, 'a'})},
		{"unknown command", binrpc.NewRequest(11, "no.such")},
		{"two in one write", append(binrpc.NewRequest(12, "core.echo", rpc.NewStr("1")), binrpc.NewRequest(13, "core.echo", rpc.NewStr("2"))...)},
		{"reply over the body limit", binrpc.NewRequest(14, "core.echo", big...)},
		{"struct param", binrpc.NewRequest(16, "core.echo", rpc.NewStr("a"), rpc.NewStruct().Set("k", rpc.NewInt(1)))},
		{"struct param first", binrpc.NewRequest(17, "core.echo", rpc.NewStruct().Set("k", rpc.NewInt(1)))},
		{"negative int", binrpc.NewRequest(18, "core.echo", rpc.NewInt(-7))},
		{"double first", binrpc.NewRequest(19, "core.echo", rpc.NewDouble(2.5))},
		{"long unknown command", binrpc.NewRequest(15, strings.Repeat("n", 300))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := exchange(t, kam.dir+"/ctl", tc.in)
			g := exchange(t, kg.dir+"/ctl", tc.in)
			if k == "" {
				t.Fatal("Kamailio answered nothing")
			}
			if k != g {
				t.Errorf("Kamailio:\n%s\nkamgo:\n%s", k, g)
			}
		})
	}
}

// exchange writes in and a probe request on a new connection and
// describes what came back: the packets, then whether the probe was
// answered (the connection kept serving) or the connection closed.
func exchange(t *testing.T, sock string, in []byte) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(append(append([]byte(nil), in...), binrpc.NewRequest(0xabcdef, "core.echo", rpc.NewStr("probe"))...)); err != nil {
		t.Fatal(err)
	}
	var out []string
	var buf []byte
	chunk := make([]byte, 4096)
	for range 1000 {
		h, perr := binrpc.ParseHeader(buf)
		if perr == nil && len(buf) >= h.Size+int(h.BodyLen) {
			n := h.Size + int(h.BodyLen)
			if h.Cookie == 0xabcdef {
				return strings.Join(append(out, "probe answered"), "\n")
			}
			out = append(out, fmt.Sprintf("% x", buf[:n]))
			buf = buf[n:]
			continue
		}
		n, err := c.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			return strings.Join(append(out, "closed"), "\n")
		}
	}
	return strings.Join(append(out, "too many reads"), "\n")
}

// TestFIFOProtocol sends the same FIFO protocol requests to both servers,
// over tcp and through the FIFO file, and compares the replies.
func TestFIFOProtocol(t *testing.T) {
	extra := "modparam(\"ctl\", \"fifo\", \"DIR/fifo\")\nmodparam(\"ctl\", \"fifo\", \"tcp:127.0.0.1:FIFOPORT\")\n"
	start := func(kamailio bool) (target, int) {
		port, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(cfgText, "request_route", strings.ReplaceAll(extra, "FIFOPORT", strconv.Itoa(port))+"request_route", 1)
		var tg target
		if kamailio {
			tg = startKamailioText(t, text)
		} else {
			tg = startKamgoText(t, text)
		}
		return tg, port
	}
	kam, kport := start(true)
	kg, gport := start(false)
	// Kamailio 5.6.3 sends the text of reply values from memory it has
	// already freed (fifo_server.c's build_iovec frees each chunk before
	// the write), so only replies without values can be compared; and its
	// FIFO parameter reading knows no '.' modifier, so core.echo ("*.s")
	// always faults there.
	for _, req := range []string{
		":no.such:\n\n",
		":system.methodHelp:\n\n",
		"garbage\n\n",
		":x\n\n",
		"::\n\n",
		":no.such:a/b\n\n",
	} {
		k := fifoExchange(t, kport, req)
		g := fifoExchange(t, gport, req)
		if k != g {
			t.Errorf("%q:\nKamailio: %q\nkamgo:    %q", req, k, g)
		}
	}
	for name, tg := range map[string]target{"Kamailio": kam, "kamgo": kg} {
		got := fifoFile(t, tg.dir+"/fifo", ":no.such:%s\n\n")
		if got != "500 Command 'no.such' not found\n" {
			t.Errorf("%s through the fifo file: %q", name, got)
		}
	}
}

// fifoExchange sends one FIFO request over tcp and reads the reply until
// the server has answered it: a probe request follows, and its reply
// (200 OK and the echoed line "probe") ends the read.
func fifoExchange(t *testing.T, port int, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	const probe = ":probe.end:\n\n"
	const end = "500 Command 'probe.end' not found\n"
	if _, err := c.Write([]byte(req + probe)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	for range 1000 {
		if i := bytes.Index(got, []byte(end)); i >= 0 {
			return string(got[:i])
		}
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return string(got) + "<closed>"
		}
	}
	return string(got) + "<too many reads>"
}

// fifoFile writes a request (%s is the reply FIFO's name) to a server's
// FIFO file and reads the reply from a FIFO in /tmp, as ctl requires.
func fifoFile(t *testing.T, fifo, req string) string {
	t.Helper()
	name := fmt.Sprintf("kamgo_ctl_kam_%d_%d", os.Getpid(), time.Now().UnixNano())
	path := "/tmp/" + name
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := fmt.Fprintf(w, req, name); err != nil {
		t.Fatal(err)
	}
	// Until the server opens the reply FIFO a read finds no writer and
	// returns at once; after it wrote and closed it, the end of the file
	// ends the reply.
	var got []byte
	buf := make([]byte, 4096)
	for range 1000 {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		switch {
		case err == io.EOF && len(got) > 0:
			return string(got)
		case err == io.EOF:
			time.Sleep(10 * time.Millisecond)
		case err != nil:
			return string(got) + "<" + err.Error() + ">"
		}
	}
	return string(got) + "<no reply>"
}
