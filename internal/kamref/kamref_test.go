package kamref

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
)

// TestWriteConfig: the ports replace the placeholders, and the directory
// name is the one recordings strip.
func TestWriteConfig(t *testing.T) {
	dir, file, err := writeConfig("check-", "listen=udp:127.0.0.1:"+SIPPortPlaceholder+"\nbind "+EvapiPortPlaceholder+"\n", 5060, 8448)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if !strings.HasPrefix(filepath.Base(dir), "kamref-check-") || file != filepath.Join(dir, "kamailio.cfg") {
		t.Errorf("dir %q, file %q", dir, file)
	}
	b, err := os.ReadFile(file)
	if err != nil || string(b) != "listen=udp:127.0.0.1:5060\nbind 8448\n" {
		t.Errorf("config %q, %v", b, err)
	}
}

// TestSync: Sync returns the frames received before the "#sync" echo.
func TestSync(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // relays each frame back, and "x" twice
		nc, err := l.Accept()
		if err != nil {
			return
		}
		s := netstring.NewConn(nc)
		defer s.Close()
		for {
			p, err := s.Recv(10 * time.Second)
			if err != nil {
				return
			}
			if p == "x" {
				s.Send(p)
			}
			s.Send(p)
		}
	}()
	c, err := Dial(l.Addr().(*net.TCPAddr).Port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.LocalPort() == 0 {
		t.Error("no local port")
	}
	if err := c.Send("x"); err != nil {
		t.Fatal(err)
	}
	got, err := c.Sync(10 * time.Second)
	if err != nil || !slices.Equal(got, []string{"x", "x"}) {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestParseLog(t *testing.T) {
	lines := []string{
		" 0(10) INFO: <core> [main.c:1]: main(): start",
		" 5(12) INFO: <script>: a=3",
		" 5(12) INFO: <script>: first 5(12) ERROR: <script>: second",
		"continued",
		" 5(12) WARNING: <core> [core/rvalue.c:12]: rval_get_int(): conv failed",
		"12(40) INFO: <script>: wide rank",
		" 1(41) INFO: {1 <null> cid-1} <script>: with: prefix",
		" 1(41) ERROR: {1 7 REGISTER c} registrar [save.c:356]: pack_ci(): failed",
	}
	got := ParseLog(lines)
	want := []LogLine{
		{Rank: 0, PID: 10, Level: "INFO", Origin: "<core>", Text: "main(): start"},
		{Rank: 5, PID: 12, Level: "INFO", Origin: "<script>", Text: "a=3"},
		{Rank: 5, PID: 12, Level: "INFO", Origin: "<script>", Text: "first"},
		{Rank: 5, PID: 12, Level: "ERROR", Origin: "<script>", Text: "second\ncontinued"},
		{Rank: 5, PID: 12, Level: "WARNING", Origin: "<core>", Text: "rval_get_int(): conv failed"},
		{Rank: 12, PID: 40, Level: "INFO", Origin: "<script>", Text: "wide rank"},
		{Rank: 1, PID: 41, Level: "INFO", Prefix: "{1 <null> cid-1} ", Origin: "<script>", Text: "with: prefix"},
		{Rank: 1, PID: 41, Level: "ERROR", Prefix: "{1 7 REGISTER c} ", Origin: "registrar", Text: "pack_ci(): failed"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestFirstError(t *testing.T) {
	out := []string{
		" 0(1) CRITICAL: <core> [core/cfg.y:3787]: yyerror_at(): parse error in config file /t/k.cfg, line 36, column 15-21: bad expression",
	}
	if line, msg := FirstError(out); line != 36 || msg != "bad expression" {
		t.Fatalf("got %d %q", line, msg)
	}
	out = []string{
		" 0(1) ERROR: <core> [core/route.c:1]: fix_actions(): route \"X\" not found at /t/k.cfg:40",
		" 0(1) ERROR: <core> [core/route.c:2]: fix_actions(): fixing failed at cfg:/t/k.cfg:40",
	}
	if line, msg := FirstError(out); line != 40 || msg != `fix_actions(): route "X" not found at /t/k.cfg:40` {
		t.Fatalf("got %d %q", line, msg)
	}
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil || p <= 0 || p > 65535 {
		t.Fatalf("got %d %v", p, err)
	}
}

// TestListeningOwner: a listener counts only for the process group that
// holds it, so a Kamailio that failed at start-up is never taken for one
// whose port someone else opened.
func TestListeningOwner(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no procfs")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	own := syscall.Getpgrp()
	if !listening(port, own) {
		t.Errorf("listener of this process group (%d) not found on port %d", own, port)
	}
	if listening(port, own+1_000_000) {
		t.Errorf("listener on port %d attributed to another process group", port)
	}
	ln.Close()
	if listening(port, own) {
		t.Errorf("closed listener on port %d still found", port)
	}
}

// TestRefused: the lines Kamailio prints when it refuses a configuration
// mark it as leaving.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  bool
	}{
		{[]string{" 0(1) ERROR: rr [rr_mod.c:262]: direction_fixup(): unknown direction 'x'", "error -6 while trying to fix configuration"}, true},
		{[]string{"ERROR: bad config file (1 errors) (parsing code: 0)"}, true},
		{[]string{" 0(1) INFO: <core> [main.c:3055]: main(): processes (at least): 7"}, false},
	} {
		if got := refused(tc.lines); got != tc.want {
			t.Errorf("refused(%q) = %v", tc.lines, got)
		}
	}
}
