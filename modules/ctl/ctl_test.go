package ctl

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// wait bounds every read and every stop in these tests.
const wait = 10 * time.Second

// load loads a configuration that loads ctl with params (modparam lines
// or core parameters) and returns the server, not started.
func load(t testing.TB, params string) (*server.Server, *linelog.Log, error) {
	t.Helper()
	src := "loadmodule \"ctl.so\"\n" + params + "\nrequest_route { exit; }\n"
	cfg, diags, _ := check.AnalyzeSource("ctl.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	return srv, ll, nil
}

// start loads and starts a server running ctl.
func start(t testing.TB, params string) (*server.Server, *linelog.Log) {
	t.Helper()
	srv, ll, _ := load(t, params)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	return srv, ll
}

// reply is a parsed reply or fault.
type reply struct {
	typ    binrpc.MsgType
	cookie uint32
	vals   []*rpc.Value
	code   int
	text   string
}

func (r reply) String() string {
	if r.typ == binrpc.Fault {
		return fmt.Sprintf("fault %d %s", r.code, r.text)
	}
	return (&rpc.Value{Kind: rpc.Array, Items: r.vals}).String()
}

// parsePacket parses a whole reply packet.
func parsePacket(t *testing.T, p []byte) reply {
	t.Helper()
	h, err := binrpc.ParseHeader(p)
	if err != nil || h.Size+int(h.BodyLen) != len(p) {
		t.Fatalf("bad reply packet % x: %v", p, err)
	}
	body := p[h.Size:]
	r := reply{typ: h.Type, cookie: h.Cookie}
	if h.Type == binrpc.Fault {
		r.code, r.text, err = binrpc.ParseFault(body)
	} else {
		rd := binrpc.NewReader(body)
		rd.Loose = true
		r.vals, err = rd.Values()
	}
	if err != nil {
		t.Fatalf("bad reply body % x: %v", body, err)
	}
	return r
}

// readPacket reads one packet from a stream.
func readPacket(t *testing.T, c net.Conn) ([]byte, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 0, 256)
	one := make([]byte, 1)
	for len(buf) < binrpc.MaxHeaderSize+1<<16 {
		h, err := binrpc.ParseHeader(buf)
		if err == nil && len(buf) == h.Size+int(h.BodyLen) {
			return buf, nil
		}
		if err != nil && err != binrpc.ErrMoreData {
			return nil, err
		}
		if _, err := io.ReadFull(c, one); err != nil {
			return buf, err
		}
		buf = append(buf, one[0])
	}
	return nil, fmt.Errorf("reply too long")
}

// call sends a request on a stream and reads its reply.
func call(t *testing.T, c net.Conn, cookie uint32, method string, params ...*rpc.Value) reply {
	t.Helper()
	if _, err := c.Write(binrpc.NewRequest(cookie, method, params...)); err != nil {
		t.Fatal(err)
	}
	p, err := readPacket(t, c)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	r := parsePacket(t, p)
	if r.cookie != cookie {
		t.Fatalf("%s: cookie %#x, want %#x", method, r.cookie, cookie)
	}
	return r
}

func dial(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectClosed asserts that the server closed the stream.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("connection still open: read %d, %v", n, err)
	}
}

func TestStreamSockets(t *testing.T) {
	dir := t.TempDir()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "ctl")
	start(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"unix:%s\")\nmodparam(\"ctl\", \"binrpc\", \"tcp:127.0.0.1:%d\")", sock, port))
	for _, target := range []struct{ network, addr string }{{"unix", sock}, {"tcp", "127.0.0.1:" + strconv.Itoa(port)}} {
		t.Run(target.network, func(t *testing.T) {
			c := dial(t, target.network, target.addr)
			// The server drops the previous subtest's connection when it
			// reads its end, which may come after this one is open.
			for range 500 {
				if call(t, c, 0xc0, "ctl.connections").String() == "[1]" {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			for i, tc := range []struct {
				method string
				params []*rpc.Value
				want   string
			}{
				// Kamailio's binrpc reads no double as a string: the echo
				// stops there, and its pending fault is dropped because
				// values were added.
				{"core.echo", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(1), rpc.NewDouble(2.5)}, "[a, 1]"},
				{"core.echo", []*rpc.Value{rpc.NewDouble(2.5)}, "fault 400 error at parameter 0: expected float type but bug -- internal error"},
				{"core.echo", []*rpc.Value{rpc.NewInt(-7)}, "[18446744073709551609]"},
				{"core.echo", []*rpc.Value{rpc.NewStr("a"), rpc.NewStruct().Set("k", rpc.NewInt(1))}, "[a]"},
				{"core.echo", []*rpc.Value{rpc.NewStruct()}, "fault 400 error at parameter 0: expected structure type but record doesn't match type"},
				{"no.such", nil, "fault 500 command no.such not found"},
				{"system.methodHelp", []*rpc.Value{rpc.NewStr("ctl.who")}, "[Lists the open control connections.]"},
				{"system.methodHelp", []*rpc.Value{rpc.NewInt(5)}, "fault 400 Method Name Expected"},
				{"ctl.connections", nil, "[1]"},
			} {
				if got := call(t, c, uint32(0x1000+i), tc.method, tc.params...).String(); got != tc.want {
					t.Errorf("%s %v = %s, want %s", tc.method, tc.params, got, tc.want)
				}
			}
			r := call(t, c, 0xfeedbeef, "core.uptime")
			if len(r.vals) != 1 || r.vals[0].Kind != rpc.Struct || len(r.vals[0].Members) != 3 {
				t.Fatalf("core.uptime = %s", r)
			}
			// Two requests in one write are answered in order.
			two := append(binrpc.NewRequest(1, "core.echo", rpc.NewStr("x")), binrpc.NewRequest(2, "core.echo", rpc.NewStr("y"))...)
			if _, err := c.Write(two); err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"[x]", "[y]"} {
				p, err := readPacket(t, c)
				if err != nil {
					t.Fatal(err)
				}
				if r := parsePacket(t, p); r.String() != want || r.cookie != uint32(i+1) {
					t.Fatalf("pipelined reply %d = %s cookie %d", i, r, r.cookie)
				}
			}
			// A request split across writes waits for its end.
			req := binrpc.NewRequest(3, "core.echo", rpc.NewStr("split"))
			for _, part := range [][]byte{req[:1], req[1:6], req[6:]} {
				if _, err := c.Write(part); err != nil {
					t.Fatal(err)
				}
			}
			p, err := readPacket(t, c)
			if err != nil || parsePacket(t, p).String() != "[split]" {
				t.Fatalf("split request: % x %v", p, err)
			}
		})
	}
}

func TestCtlCommands(t *testing.T) {
	dir := t.TempDir()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "ctl")
	srv, _ := start(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"unix:%s\")\nmodparam(\"ctl\", \"binrpc\", \"tcp:127.0.0.1:%d\")\nmodparam(\"ctl\", \"binrpc\", \"udp:127.0.0.1:%d\")", sock, port, port))
	c := dial(t, "unix", sock)
	want := fmt.Sprintf("[binrpc, unix_stream, %s, , binrpc, tcp, 127.0.0.1, %d, binrpc, udp, 127.0.0.1, %d]", sock, port, port)
	if got := call(t, c, 1, "ctl.listen").String(); got != want {
		t.Errorf("ctl.listen = %s\nwant %s", got, want)
	}
	if got := call(t, c, 2, "ctl.who").String(); got != fmt.Sprintf("[binrpc, unix_stream, <anonymous unix socket>, , %s, ]", sock) {
		t.Errorf("ctl.who = %s", got)
	}
	tc := dial(t, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if got := call(t, tc, 3, "ctl.connections").String(); got != "[2]" {
		t.Errorf("ctl.connections with two clients = %s", got)
	}
	local := tc.LocalAddr().(*net.TCPAddr)
	want = fmt.Sprintf("[binrpc, unix_stream, <anonymous unix socket>, , %s, , binrpc, tcp, 127.0.0.1, %d, 127.0.0.1, %d]", sock, local.Port, port)
	if got := call(t, tc, 4, "ctl.who").String(); got != want {
		t.Errorf("ctl.who = %s\nwant %s", got, want)
	}
	// Over a datagram socket there is no stream connection of its own.
	c.Close()
	tc.Close()
	// Outside ctl (another transport) the connection commands fault.
	for _, m := range []string{"ctl.who", "ctl.connections"} {
		call := &rpc.Call{Method: m}
		srv.RPC().Run(context.Background(), call)
		if _, f := call.Reply(); f == nil || f.Code != 606 || f.Text != "rpc available only over binrpc (ctl)" {
			t.Errorf("%s outside ctl: %v", m, f)
		}
	}
}

func TestDatagramSockets(t *testing.T) {
	dir := t.TempDir()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "dgram")
	start(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"unixd:%s\")\nmodparam(\"ctl\", \"binrpc\", \"udp:127.0.0.1:%d\")", sock, port))
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	ux, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "client"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ux.Close()
	// A sender without an address cannot be answered; the socket goes on
	// serving the others.
	anon, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Write(binrpc.NewRequest(8, "core.echo", rpc.NewStr("anon"))); err != nil {
		t.Fatal(err)
	}
	anon.Close()
	for _, target := range []struct {
		pc net.PacketConn
		to net.Addr
	}{
		{udp, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}},
		{ux, &net.UnixAddr{Name: sock, Net: "unixgram"}},
	} {
		send := func(p []byte) {
			if _, err := target.pc.WriteTo(p, target.to); err != nil {
				t.Fatal(err)
			}
		}
		recv := func() reply {
			buf := make([]byte, 1<<16)
			target.pc.SetReadDeadline(time.Now().Add(wait))
			n, _, err := target.pc.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			return parsePacket(t, buf[:n])
		}
		// A truncated packet and a bare header fragment are dropped
		// unanswered; the next whole one is answered.
		good := binrpc.NewRequest(9, "core.echo", rpc.NewStr("d"))
		send(good[:len(good)-2])
		send(good[:3])
		send(good)
		if r := recv(); r.String() != "[d]" || r.cookie != 9 {
			t.Fatalf("%v: %s cookie %d", target.to, r, r.cookie)
		}
		// A corrupted packet gets Kamailio's fault; the socket keeps
		// serving.
		send([]byte{0xB1, 0, 0, 0})
		if r := recv(); r.String() != "fault 400 bad request: corrupted packet" {
			t.Fatalf("%v: %s", target.to, r)
		}
		send(binrpc.NewRequest(10, "ctl.who"))
		if r := recv(); r.String() != "fault 400 no open stream connection" {
			t.Fatalf("%v ctl.who: %s", target.to, r)
		}
	}
}

func TestMalformed(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "ctl")
	start(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"%s\")", sock))
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"bad magic", []byte{0xB1, 0x00, 0x00, 0x05}, "fault 400 bad request: corrupted packet cookie 0"},
		{"bad type", []byte{0xA1, 0x20, 0x00, 0x05}, "fault 400 bad request: corrupted packet cookie 0"},
		{"a reply", binrpc.Packet(binrpc.Reply, 7, nil), "fault 400 bad request: corrupted packet cookie 7"},
		{"empty body", binrpc.Packet(binrpc.Request, 8, nil), "fault 400 bad request method: end of packet encountered cookie 8"},
		{"int method", binrpc.Packet(binrpc.Request, 9, []byte{0x10, 0x01}), "fault 400 bad request method: record doesn't match type cookie 9"},
		{"truncated method", binrpc.Packet(binrpc.Request, 10, []byte{0x71, 'a'}), "fault 400 bad request method: more data needed cookie 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, "unix", sock)
			if _, err := c.Write(tc.in); err != nil {
				t.Fatal(err)
			}
			p, err := readPacket(t, c)
			if err != nil {
				t.Fatal(err)
			}
			r := parsePacket(t, p)
			if got := fmt.Sprintf("%s cookie %d", r, r.cookie); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			expectClosed(t, c)
		})
	}
	t.Run("oversized", func(t *testing.T) {
		c := dial(t, "unix", sock)
		if _, err := c.Write([]byte{0xA1, 0x0C, 0x01, 0x00, 0x00, 0x00, 0x01}); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, c)
	})
	t.Run("bad parameter after a good method", func(t *testing.T) {
		c := dial(t, "unix", sock)
		body := append(binrpc.AppendStr(nil, binrpc.Str, "core.echo"), binrpc.AppendStr(nil, binrpc.Str, "ok")...)
		body = append(body, 0x83)
		if got := func() string {
			c.Write(binrpc.Packet(binrpc.Request, 11, body))
			p, err := readPacket(t, c)
			if err != nil {
				t.Fatal(err)
			}
			return parsePacket(t, p).String()
		}(); got != "[ok]" {
			t.Fatalf("got %s", got)
		}
	})
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "ctl")
	start(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"%s\")\nmodparam(\"ctl\", \"binrpc_max_body_size\", 1)\nmodparam(\"ctl\", \"autoconversion\", 1)", sock))
	c := dial(t, "unix", sock)
	var params []*rpc.Value
	for range 100 {
		params = append(params, rpc.NewStr(strings.Repeat("z", 20)))
	}
	if got := call(t, c, 1, "core.echo", params...).String(); got != "fault 500 Internal server error processing 's': buffer too small (overflow) (-2)" {
		t.Errorf("reply over 1 KiB: %s", got)
	}
	if got := call(t, c, 2, "core.echo", params[:40]...); len(got.vals) != 40 {
		t.Errorf("reply under 1 KiB: %s", got)
	}
	// autoconversion reads the integer as the command name.
	if got := call(t, c, 3, "system.methodHelp", rpc.NewInt(5)).String(); got != "fault 400 command not found" {
		t.Errorf("autoconversion: %s", got)
	}
}

func TestUnixSocketFile(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "ctl")
	srv, _, _ := load(t, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"unixs:%s\")\nmodparam(\"ctl\", \"mode\", 0640)\n"+
		"modparam(\"ctl\", \"user\", \"%d\")\nmodparam(\"ctl\", \"group\", \"%d\")", sock, os.Getuid(), os.Getgid()))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o640 {
		t.Fatalf("socket file: %v %v", fi.Mode(), err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() || int(st.Gid) != os.Getgid() {
		t.Fatalf("socket owner: %+v", fi.Sys())
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Fatalf("socket file left after stop: %v", err)
	}
}

func TestDefaultSocket(t *testing.T) {
	dir := t.TempDir()
	start(t, fmt.Sprintf("rundir=\"%s\"", dir))
	c := dial(t, "unix", filepath.Join(dir, "kamailio_ctl"))
	if got := call(t, c, 1, "core.echo", rpc.NewStr("up")).String(); got != "[up]" {
		t.Fatalf("default socket: %s", got)
	}

}

// TestStartErrors: a socket that cannot be opened fails the start with a
// message that names it, and the sockets opened before it are closed.
func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	for _, tc := range []struct{ params, want string }{
		{fmt.Sprintf("rundir=\"%s\"", filepath.Join(dir, "missing")), filepath.Join(dir, "missing", "kamailio_ctl")},
		{"rundir=\"/proc\"", "/proc/kamailio_ctl"},
		{"modparam(\"ctl\", \"binrpc\", \"unix:\")", "without a path"},
		{"modparam(\"ctl\", \"fifo\", \"\")", "empty fifo"},
		{"modparam(\"ctl\", \"binrpc\", \"tcp:256.1.1.1:5\")", "bad address 256.1.1.1"},
		{"modparam(\"ctl\", \"binrpc\", \"unix:/" + strings.Repeat("x", 110) + "\")", "name too long"},
	} {
		params := tc.params
		if !strings.HasPrefix(params, "rundir") {
			params = fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"%s\")\n%s", first, params)
		}
		srv, _, _ := load(t, params)
		err := srv.Start(context.Background())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			srv.Stop(ctx)
			cancel()
			t.Fatalf("%s: started", tc.params)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: start error %q does not say %q", tc.params, err, tc.want)
		}
		if _, err := os.Lstat(first); !os.IsNotExist(err) {
			t.Errorf("%s: the socket opened before the failure is left: %v", tc.params, err)
		}
	}
}

func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	start(t, fmt.Sprintf("modparam(\"ctl\", \"fifo\", \"%s\")\nmodparam(\"ctl\", \"fifo\", \"tcp:127.0.0.1:%d\")", fifo, port))
	if fi, err := os.Stat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("fifo file: %v", err)
	}
	// Over a socket the reply comes back on it.
	c := dial(t, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	for _, tc := range []struct{ req, want string }{
		// The empty line that ends a request is a parameter too.
		{":core.echo:\nabc\nd\\ne\n\n", "200 OK\nabc\nd\\ne\n\n"},
		{":system.methodHelp:\n\n", "400 command not found\n"},
		{":ctl.connections:\n\n", "200 OK\n1\n"},
		{":no.such:\n\n", "500 Command 'no.such' not found\n"},
		{"garbage\n\n", "200 OK\n"},
		{":ctl.listen:\n\n", fmt.Sprintf("200 OK\nfifo\nfifo\n%s\n\nfifo\ntcp\n127.0.0.1\n%d\n", fifo, port)},
	} {
		if _, err := io.WriteString(c, tc.req); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(wait))
		got := make([]byte, len(tc.want))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != tc.want {
			t.Fatalf("%q: got %q, %v; want %q", tc.req, got, err, tc.want)
		}
	}
	// Over the FIFO file the reply goes to a FIFO in /tmp.
	name := fmt.Sprintf("kamgo_ctl_test_%d", os.Getpid())
	reply := "/tmp/" + name
	os.Remove(reply)
	if err := syscall.Mkfifo(reply, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(reply)
	rf, err := os.OpenFile(reply, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := io.WriteString(w, ":core.uptime:"+name+"\n\n"); err != nil {
		t.Fatal(err)
	}
	// Until ctl opens the reply FIFO a read finds no writer and returns
	// at once; once ctl wrote and closed it, the end of the file ends the
	// reply.
	var got []byte
	buf := make([]byte, 512)
	for range 1000 {
		n, err := rf.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF && len(got) > 0 {
			break
		}
		if err == io.EOF {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("reply fifo: %q %v", got, err)
		}
	}
	if !strings.HasPrefix(string(got), "200 OK\nuptime:") || !strings.Contains(string(got), ",now:") {
		t.Fatalf("core.uptime over the fifo: %q", got)
	}
}
