package applua_test

// Loading configurations the way `kamgo run` does (lang/check,
// runtime/server, every module kamgo ships), and evapi clients for them.

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// logs collects the lines a server prints, as "LEVEL: <origin>: text".
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) hook(lv klog.Level, origin, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, lv.String()+": <"+origin+">: "+msg)
	l.mu.Unlock()
}

func (l *logs) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// grep returns the lines containing sub.
func (l *logs) grep(sub string) []string {
	var out []string
	for _, s := range l.all() {
		if strings.Contains(s, sub) {
			out = append(out, s)
		}
	}
	return out
}

// waitFor waits until a line containing sub has been printed n times.
func (l *logs) waitFor(tb testing.TB, sub string, n int) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(l.grep(sub)) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("no %d lines with %q in %q", n, sub, l.all())
		}
		time.Sleep(time.Millisecond)
	}
}

// listenPort finds a configuration's SIP listen port, which tests replace
// by a free one (kamgo, as Kamailio, takes port 0 for 5060).
var listenPort = regexp.MustCompile(`(listen=udp:127\.0\.0\.1:)\d+`)

// freeListen gives each SIP listen line of text a free port.
func freeListen(tb testing.TB, text string) string {
	tb.Helper()
	return listenPort.ReplaceAllStringFunc(text, func(l string) string {
		port, err := freeport.Pick()
		if err != nil {
			tb.Fatal(err)
		}
		return listenPort.ReplaceAllString(l, "${1}"+strconv.Itoa(port))
	})
}

// analyze checks a configuration text as `kamgo run -A DEF...` does.
func analyze(tb testing.TB, text string, defines ...string) *ast.Config {
	tb.Helper()
	text = listenPort.ReplaceAllString(text, "${1}0")
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{Defines: defines}, module.Catalog())
	if diags.HasErrors() {
		tb.Fatalf("%v", diags.Error())
	}
	return cfg
}

// load checks and loads a configuration text as `kamgo run -A DEF...`
// does, without starting it.
func load(tb testing.TB, path, text string, defines []string, allow ...string) (*server.Server, *logs) {
	tb.Helper()
	text = freeListen(tb, text)
	cfg, diags, _ := check.AnalyzeSource(path, []byte(text), preproc.Options{Defines: defines}, module.Catalog())
	if diags.HasErrors() {
		tb.Fatalf("%s: %v", path, diags.Error())
	}
	lg := &logs{}
	log := klog.New(nil, klog.Text)
	log.SetHook(lg.hook)
	opts := server.Options{Log: log, AllowMissing: allow}
	if !strings.Contains(text, "listen=") {
		// Without listen= a server listens on every interface at 5060,
		// as Kamailio; a test takes a free loopback port instead (-l).
		port, err := freeport.Pick()
		if err != nil {
			tb.Fatal(err)
		}
		opts.Listen = []string{"udp:127.0.0.1:" + strconv.Itoa(port)}
	}
	srv, ld := server.Load(cfg, opts)
	if ld.HasErrors() {
		tb.Fatalf("%s: load: %v", path, ld.Error())
	}
	return srv, lg
}

// start loads and starts a configuration, with its SIP sockets when it
// has listen= lines; the server stops at the end of the test. It returns
// the evapi address when evapi is loaded.
func start(tb testing.TB, path, text string, defines []string, allow ...string) (*server.Server, *logs, string) {
	tb.Helper()
	srv, lg := load(tb, path, text, defines, allow...)
	if err := srv.Start(context.Background()); err != nil {
		tb.Fatalf("%s: start: %v", path, err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		tb.Fatalf("%s: start SIP: %v", path, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.StopSIP(ctx); err != nil {
			tb.Errorf("stop SIP: %v", err)
		}
		if err := srv.Stop(ctx); err != nil {
			tb.Errorf("stop: %v", err)
		}
	})
	addr := ""
	if m, ok := srv.Module("evapi"); ok {
		addr = m.(*evapi.Module).Addr().String()
	}
	return srv, lg, addr
}

// startFile is start on a file, with EVAPI_BIND on a free port, SIP_PORT
// a free port and LUA_SCRIPT naming the file's kamailio.lua by its
// absolute path.
func startFile(tb testing.TB, path string, defines ...string) (*server.Server, *logs, string) {
	tb.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return start(tb, path, string(text), fileDefines(tb, path, defines...))
}

func fileDefines(tb testing.TB, path string, defines ...string) []string {
	lua, err := filepath.Abs(filepath.Join(filepath.Dir(path), "kamailio.lua"))
	if err != nil {
		tb.Fatal(err)
	}
	port, err := freeport.Pick()
	if err != nil {
		tb.Fatal(err)
	}
	return append([]string{`EVAPI_BIND="127.0.0.1:0"`, `LUA_SCRIPT="` + lua + `"`, "SIP_PORT=" + strconv.Itoa(port)}, defines...)
}

// writeLua writes a Lua script to a temporary file and returns its path.
func writeLua(tb testing.TB, src string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "kamailio.lua")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func ns(s string) string { return string(netstring.Append(nil, s)) }

// client is an evapi client that reads up to tokens.
type client struct {
	tb  testing.TB
	c   net.Conn
	buf []byte
	tmp []byte // read buffer
}

func dial(tb testing.TB, addr string) *client {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	c.(*net.TCPConn).SetNoDelay(true)
	tb.Cleanup(func() { c.Close() })
	return &client{tb: tb, c: c, tmp: make([]byte, 64<<10)}
}

// port is the client's own port, which the server sees as
// $evapi(srcport).
func (c *client) port() int { return c.c.LocalAddr().(*net.TCPAddr).Port }

func (c *client) send(s string) {
	c.tb.Helper()
	if _, err := c.c.Write([]byte(s)); err != nil {
		c.tb.Fatalf("write: %v", err)
	}
}

// until reads until token has arrived and returns what came before it.
func (c *client) until(token string) string {
	c.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tmp := c.tmp
	for {
		if i := strings.Index(string(c.buf), token); i >= 0 {
			out := string(c.buf[:i])
			c.buf = c.buf[i+len(token):]
			return out
		}
		c.c.SetReadDeadline(deadline)
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			c.tb.Fatalf("waiting for %q: %v (got %.200q)", token, err, c.buf)
		}
	}
}

// rest reads until the server closes the connection and returns what
// came.
func (c *client) rest() string {
	c.tb.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	tmp := c.tmp
	for {
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.tb.Fatalf("the server did not close the connection (got %.200q)", c.buf)
			}
			out := string(c.buf)
			c.buf = nil
			return out
		}
	}
}

// frame reads one netstring payload.
func (c *client) frame() string {
	c.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tmp := c.tmp
	for {
		if i := strings.IndexByte(string(c.buf), ':'); i > 0 {
			n, err := strconv.Atoi(string(c.buf[:i]))
			if err != nil {
				c.tb.Fatalf("bad frame %.100q", c.buf)
			}
			if len(c.buf) >= i+n+2 {
				p := string(c.buf[i+1 : i+1+n])
				c.buf = c.buf[i+n+2:]
				return p
			}
		}
		c.c.SetReadDeadline(deadline)
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			c.tb.Fatalf("waiting for a frame: %v (got %.200q)", err, c.buf)
		}
	}
}
