package jsonrpcs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// ioWait bounds every wait for a reply; a test that waits that long
// has failed.
const ioWait = 10 * time.Second

// testHost is the part of a module.Host the transports use.
type testHost struct {
	module.Host
	core map[string]value.Value
}

func (h testHost) CoreParam(name string) (value.Value, bool) {
	v, ok := h.core[name]
	return v, ok
}

// logs collects a module's log lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) hook(lv klog.Level, origin, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, lv.String()+": "+msg)
	l.mu.Unlock()
}

func (l *logs) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// started returns a test module configured by set, started, and stopped
// at the end of the test.
func started(t *testing.T, set func(m *Module)) (*Module, *logs) {
	t.Helper()
	m, lg, err := start(t, set)
	if err != nil {
		t.Fatal(err)
	}
	return m, lg
}

func start(t *testing.T, set func(m *Module)) (*Module, *logs, error) {
	t.Helper()
	m := testModule(t, false)
	m.host = testHost{}
	lg := &logs{}
	m.log = klog.New(io.Discard, klog.Text)
	m.log.SetHook(lg.hook)
	set(m)
	if err := m.Start(context.Background()); err != nil {
		return nil, lg, err
	}
	t.Cleanup(func() { m.Stop(context.Background()) })
	return m, lg, nil
}

// fifoClient sends requests to the module's FIFO and reads the replies
// from its own reply FIFO. It opens the reply FIFO for reading and
// writing, so the server always finds a reader and the client never sees
// an end of file; it reads replies document by document.
type fifoClient struct {
	t      *testing.T
	server string
	name   string
	rd     *os.File
	br     *bufio.Reader
}

func newFIFOClient(t *testing.T, server, dir, name string) *fifoClient {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rd.Close() })
	return &fifoClient{t: t, server: server, name: name, rd: rd, br: bufio.NewReader(rd)}
}

func (c *fifoClient) send(doc string) {
	c.t.Helper()
	w, err := os.OpenFile(c.server, os.O_WRONLY, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer w.Close()
	if _, err := io.WriteString(w, doc); err != nil {
		c.t.Fatal(err)
	}
}

func (c *fifoClient) next() string {
	c.t.Helper()
	c.rd.SetReadDeadline(time.Now().Add(ioWait))
	doc, err := readDocument(c.br, 1<<20)
	if err != nil {
		c.t.Fatalf("reading the reply: %v", err)
	}
	return string(doc)
}

func TestFIFOTransport(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "k.fifo")
	m, lg := started(t, func(m *Module) {
		m.transport = transFIFO
		m.fifoName = fifo
		m.fifoReplyDir = dir + "/"
	})
	if m.FIFOPath() != fifo || m.DgramAddr() != "" {
		t.Fatalf("FIFO %q, datagram %q", m.FIFOPath(), m.DgramAddr())
	}
	st, err := os.Stat(fifo)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 || st.Mode().Perm() != 0o660 {
		t.Fatalf("FIFO: %v %v", st.Mode(), err)
	}
	c := newFIFOClient(t, fifo, dir, "rpl")
	c.send(`{"jsonrpc":"2.0","method":"t.arr","reply_name":"rpl","id":1}`)
	if got, want := c.next(), `{"jsonrpc":"2.0","result":["a",-7],"id":1}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Requests that get no reply, each followed by one that does: the
	// next reply read must be the latter's.
	// A document cut in two writes is read as one.
	c.send(`{"jsonrpc":"2.0","method":"t.one","reply_name":"rpl","id":`)
	c.send(`"x"}`)
	if got, want := c.next(), `{"jsonrpc":"2.0","result":"x","id":"x"}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "noreader"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`nonsense{"jsonrpc":"2.0","method":"t.one","reply_name":"rpl","id":3}`,
		`{"jsonrpc":"2.0","method":"t.one","id":4}`,
		`{"jsonrpc":"2.0","method":"t.one","reply_name":"../rpl","id":5}`,
		`{"jsonrpc":"2.0","method":"t.one","reply_name":"absent","id":6}`,
		`{"jsonrpc":"2.0","method":"t.one","reply_name":"noreader","id":6}`,
		`{"jsonrpc":"2.0","method":"t.one","reply_name":"` + strings.Repeat("r", 130) + `","id":7}`,
	} {
		c.send(bad)
		c.send(`{"jsonrpc":"2.0","method":"t.one","reply_name":"rpl","id":2}`)
		if got, want := c.next(), `{"jsonrpc":"2.0","result":"x","id":2}`; got != want {
			t.Errorf("after %.40q: got %q, want %q", bad, got, want)
		}
	}
	// Two documents in one write, and a notification.
	c.send(`{"jsonrpc":"2.0","method":"t.one","reply_name":"rpl"} {"jsonrpc":"2.0","method":"no.such","reply_name":"rpl","id":"z"}`)
	if got, want := c.next(), `{"jsonrpc":"2.0","result":"x"}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := c.next(), `{"jsonrpc":"2.0","error":{"code":500,"message":"Method Not Found"},"id":"z"}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, l := range []string{"forbidden reply fifo filename", "no client at", "missing, empty or too long reply_name", "invalid json doc"} {
		if !lg.has(l) {
			t.Errorf("no log line with %q in %q", l, lg.lines)
		}
	}
	m.Stop(context.Background())
	if _, err := os.Lstat(fifo); !os.IsNotExist(err) {
		t.Errorf("FIFO left after Stop: %v", err)
	}
}

// TestFIFOReplyChecks: the reply file must be a FIFO, not a link to one.
func TestFIFOReplyChecks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "k.fifo")
	_, lg := started(t, func(m *Module) {
		m.transport = transFIFO
		m.fifoName = fifo
		m.fifoReplyDir = dir + "/"
	})
	c := newFIFOClient(t, fifo, dir, "rpl")
	if err := os.WriteFile(filepath.Join(dir, "plain"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "rpl"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plain", "link"} {
		c.send(`{"jsonrpc":"2.0","method":"t.one","reply_name":"` + name + `","id":1}`)
	}
	c.send(`{"jsonrpc":"2.0","method":"t.one","reply_name":"rpl","id":2}`)
	if got, want := c.next(), `{"jsonrpc":"2.0","result":"x","id":2}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, l := range []string{"plain is not a fifo", "link is a soft link"} {
		if !lg.has(l) {
			t.Errorf("no log line with %q in %q", l, lg.lines)
		}
	}
}

func TestFIFOStart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.fifo")
	if err := syscall.Mkfifo(stale, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		transport int64
		fifo, rd  string
		mode      int64
		user      owner
		err       string // "" when the start succeeds
	}{
		{"file in the way", transFIFO, file, dir, defaultMode, owner{id: -1}, "exists and is not a FIFO"},
		{"directory in the way", transFIFO, dir, dir, defaultMode, owner{id: -1}, "exists and is not a FIFO"},
		{"no such directory", transFIFO, filepath.Join(dir, "none", "k.fifo"), dir, defaultMode, owner{id: -1}, "cannot create FIFO"},
		{"parent is a file", transFIFO, filepath.Join(file, "k.fifo"), dir, defaultMode, owner{id: -1}, "not a directory"},
		{"reply dir missing", transFIFO, filepath.Join(dir, "a.fifo"), filepath.Join(dir, "none"), defaultMode, owner{id: -1}, "fifo_reply_dir"},
		{"reply dir is a file", transFIFO, filepath.Join(dir, "b.fifo"), file, defaultMode, owner{id: -1}, "is not a directory"},
		{"reply dir empty", transFIFO, filepath.Join(dir, "c.fifo"), "", defaultMode, owner{id: -1}, "fifo_reply_dir parameter is empty"},
		{"unknown user", transFIFO, filepath.Join(dir, "d.fifo"), dir, defaultMode, owner{id: -1, name: "no-such-user-kamgo"}, "bad user name"},
		{"stale FIFO replaced", transFIFO, stale, dir, defaultMode, owner{id: -1}, ""},
		{"mode 0 is 0600", transFIFO, filepath.Join(dir, "e.fifo"), dir, 0, owner{id: -1}, ""},
		{"transport 0 skips a FIFO that cannot start", 0, file, dir, defaultMode, owner{id: -1}, ""},
		{"transport 1 (HTTP only) starts nothing", transHTTP, filepath.Join(dir, "f.fifo"), dir, defaultMode, owner{id: -1}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, lg, err := start(t, func(m *Module) {
				m.transport = tc.transport
				m.fifoName, m.fifoReplyDir, m.fifoMode, m.fifoUser = tc.fifo, tc.rd, tc.mode, tc.user
				m.dgramSocket = ""
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("start error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch tc.transport {
			case 0:
				if m.FIFOPath() != "" || !lg.has("fifo transport not started") {
					t.Errorf("FIFO %q started; logs %q", m.FIFOPath(), lg.lines)
				}
			case transHTTP:
				if m.FIFOPath() != "" {
					t.Errorf("FIFO %q started; logs %q", m.FIFOPath(), lg.lines)
				}
			default:
				st, err := os.Stat(tc.fifo)
				want := os.FileMode(0o660)
				if tc.mode == 0 {
					want = 0o600
				}
				if err != nil || st.Mode()&os.ModeNamedPipe == 0 || st.Mode().Perm() != want {
					t.Errorf("FIFO %v %v, want mode %v", st.Mode(), err, want)
				}
			}
		})
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("the file in the way was changed: %q %v", b, err)
	}
}

// dgramClient is a unix datagram client bound to its own socket.
type dgramClient struct {
	t    *testing.T
	c    *net.UnixConn
	to   *net.UnixAddr
	buf  []byte
	name string
}

func newDgramClient(t *testing.T, server, path string) *dgramClient {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &dgramClient{t: t, c: c, to: &net.UnixAddr{Name: server, Net: "unixgram"}, buf: make([]byte, 1<<17), name: path}
}

func (c *dgramClient) send(doc string) {
	c.t.Helper()
	if _, err := c.c.WriteToUnix([]byte(doc), c.to); err != nil {
		c.t.Fatal(err)
	}
}

func (c *dgramClient) next() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(ioWait))
	n, _, err := c.c.ReadFromUnix(c.buf)
	if err != nil {
		c.t.Fatalf("reading the reply: %v", err)
	}
	return string(c.buf[:n])
}

func TestDgramTransport(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "k.sock")
	m, lg := started(t, func(m *Module) {
		m.transport = transDgram
		m.dgramSocket = sock
		m.dgramWorkers = 1
	})
	if m.DgramAddr() != sock || m.FIFOPath() != "" {
		t.Fatalf("datagram %q, FIFO %q", m.DgramAddr(), m.FIFOPath())
	}
	st, err := os.Stat(sock)
	if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v", st.Mode(), err)
	}
	c := newDgramClient(t, sock, filepath.Join(dir, "c.sock"))
	c.send("  \n" + `{"jsonrpc":"2.0","method":"t.arr","id":1}` + "\r\n")
	if got, want := c.next(), `{"jsonrpc":"2.0","result":["a",-7],"id":1}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Unparsable documents get no reply: the next reply is the next
	// valid request's. A datagram from an unbound socket cannot be
	// answered.
	for _, bad := range []string{`{"jsonrpc":"2.0","method":"t.one","id":1`, `]`, " \t "} {
		c.send(bad)
	}
	anon, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	if _, err := anon.Write([]byte(`{"jsonrpc":"2.0","method":"t.one","id":9}`)); err != nil {
		t.Fatal(err)
	}
	c.send(`{"jsonrpc":"2.0","method":"t.one","id":2}`)
	if got, want := c.next(), `{"jsonrpc":"2.0","result":"x","id":2}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !lg.has("invalid json doc") || !lg.has("has no address") {
		t.Errorf("log lines %q", lg.lines)
	}
	m.Stop(context.Background())
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left after Stop: %v", err)
	}
}

// TestDgramWorkers sends from several clients at once to three workers:
// every client gets its own replies.
func TestDgramWorkers(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "k.sock")
	started(t, func(m *Module) {
		m.transport = transDgram
		m.dgramSocket = sock
		m.dgramWorkers = 3
	})
	const clients, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		c := newDgramClient(t, sock, filepath.Join(dir, fmt.Sprintf("c%d.sock", i)))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var got, want []string
			for j := 0; j < each; j++ {
				id := fmt.Sprintf("%d-%d", i, j)
				want = append(want, `{"jsonrpc":"2.0","result":["`+id+`"],"id":"`+id+`"}`)
				if _, err := c.c.WriteToUnix([]byte(`{"jsonrpc":"2.0","method":"t.params","params":["`+id+`"],"id":"`+id+`"}`), c.to); err != nil {
					errs <- err
					return
				}
				c.c.SetReadDeadline(time.Now().Add(ioWait))
				n, _, err := c.c.ReadFromUnix(c.buf)
				if err != nil {
					errs <- err
					return
				}
				got = append(got, string(c.buf[:n]))
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				errs <- fmt.Errorf("client %d: got %q", i, got)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDgramUDP(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	if port < 1024 {
		t.Skipf("free port %d is below 1024", port)
	}
	m, _ := started(t, func(m *Module) {
		m.transport = transDgram
		m.dgramSocket = fmt.Sprintf("udp:127.0.0.1:%d", port)
	})
	c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(`{"jsonrpc":"2.0","method":"t.one","id":1}`)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(ioWait))
	buf := make([]byte, 1024)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(buf[:n]), `{"jsonrpc":"2.0","result":"x","id":1}`; got != want {
		t.Errorf("got %q, want %q (server %s)", got, want, m.DgramAddr())
	}
}

func TestDgramStart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, sock, err string }{
		{"too short", "a.s", "too short"},
		{"udp without port", "udp:127.0.0.1", "no port"},
		{"udp bad port", "udp:127.0.0.1:x", "not a valid number port"},
		{"udp low port", "udp:127.0.0.1:80", "must be in [1024,65535]"},
		{"file in the way", file, "exists and is not a socket"},
		{"too long", "/" + strings.Repeat("s", 110), "socket path is too long"},
		{"no such directory", filepath.Join(dir, "none", "k.sock"), "bind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := start(t, func(m *Module) {
				m.transport = transDgram
				m.dgramSocket = tc.sock
			})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("start error %v, want %q", err, tc.err)
			}
		})
	}
	// A relative name is in run_dir.
	m := testModule(t, false)
	m.host = testHost{core: map[string]value.Value{"run_dir": value.MakeStr(dir)}}
	m.log = klog.New(io.Discard, klog.Text)
	m.transport = transDgram
	m.dgramSocket = "rel.sock"
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background())
	if want := filepath.Join(dir, "rel.sock"); m.DgramAddr() != want {
		t.Errorf("socket %q, want %q", m.DgramAddr(), want)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("the file in the way was changed: %q %v", b, err)
	}
}
