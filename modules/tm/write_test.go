package tm_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestWriteFIFO: t_write_req writes the request's lines to the FIFO, with
// the tw_append's extra lines and the body; the blind branch answers 408
// after fr_timer.
func TestWriteFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vm")
	if err := syscall.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	phone := siptest.NewUA(t, "phone")
	p := start(t, `modparam("tm", "fr_timer", 3000)
modparam("tm", "tw_append", "x: v=avp[i:5]; hdr[Subject]; msg[body]")
request_route { $avp(i:5) = 42; t_newtran(); t_write_req("`+path+`", "vm/x"); xlog("L_INFO", "handed over\n"); exit; }`)
	req := phone.Request("MESSAGE", "sip:bob@127.0.0.1", "w1", "wcall-1", 4, "Subject: hi",
		"Record-Route: <sip:p1.test;lr>", "Record-Route: <sip:p2.test;lr>")
	req = strings.Replace(req, "Content-Length: 0\r\n\r\n", "Content-Length: 4\r\n\r\nbody", 1)
	phone.SendTo(p.Addr, req)
	buf := make([]byte, 4096)
	_ = f.SetReadDeadline(time.Now().Add(siptest.Wait))
	n, err := f.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(buf[:n]), "\n")
	if len(lines) != 24 || lines[0] != "0.3" || lines[1] != "sip_request.vm" || lines[2] != "MESSAGE" {
		t.Fatalf("written:\n%s", buf[:n])
	}
	// A loose first proxy: the route lists each proxy once.
	if lines[16] != "<sip:p1.test;lr>,<sip:p2.test;lr>" || lines[17] != "sip:p1.test;lr" {
		t.Errorf("route %q next hop %q", lines[16], lines[17])
	}
	if got := strings.Join(lines[18:23], "|"); got != "P-MsgFlags: 08|v: 42|Subject: hi|.|body" {
		t.Errorf("append and body %q", got)
	}
	// The blind branch's timer runs once the route is done.
	if err := p.Log.Wait(regexp.MustCompile("handed over"), 1, siptest.Wait); err != nil {
		t.Fatal(err)
	}
	p.Clock.Advance(3 * time.Second)
	if r := phone.Recv(); r.Status != 408 {
		t.Fatalf("after fr_timer %q", siptest.Status(r))
	}
}

// TestWriteUnix: t_write_unix sends one datagram; a missing socket fails
// with Kamailio's log lines.
func TestWriteUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	phone := siptest.NewUA(t, "phone")
	p := start(t, `request_route {
	t_newtran();
	t_write_unix("`+path+`", "app");
	if (!t_write_unix("`+dir+`/none", "app")) { xlog("L_INFO", "none failed\n"); }
	t_reply("202", "Accepted"); exit;
}`)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:bob@127.0.0.1", "w2", "wcall-2", 1))
	buf := make([]byte, 4096)
	_ = c.SetReadDeadline(time.Now().Add(siptest.Wait))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(buf[:n]), "0.3\nsip_request.app\nOPTIONS\nbob\n127.0.0.1\n") {
		t.Errorf("datagram:\n%s", buf[:n])
	}
	if r := phone.Recv(); r.Status != 202 {
		t.Fatalf("reply %q", siptest.Status(r))
	}
	if !strings.Contains(p.Log.Text(), "write_to_unixsock(): error in connect: No such file or directory") ||
		!strings.Contains(p.Log.Text(), "none failed") {
		t.Errorf("log:\n%s", p.Log.Text())
	}
}
