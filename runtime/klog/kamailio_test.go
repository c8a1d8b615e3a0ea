//go:build kamailio

package klog_test

// Compares where the log_prefix goes in a line with Kamailio 5.6.3's:
// both run a configuration with log_prefix and xlog, get the same
// OPTIONS, and the script's lines must read the same after Kamailio's
// process number and pid. Needs kamailio and its modules:
//
//	go test -tags kamailio ./runtime/klog

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

const prefixConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
log_prefix="{$mt $ci} "
listen=udp:127.0.0.1:%%SIP_PORT%%
listen=tcp:127.0.0.1:%%SIP_PORT%%
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
	xlog("L_INFO", "hello $rm\n");
	xlog("L_ERR", "[$ci] an error\n");
	sl_send_reply("404", "No");
}
`

// pidRE is what Kamailio writes before the level on stderr.
var pidRE = regexp.MustCompile(`^\s*\d+\(\d+\) `)

// options sends an OPTIONS to port and waits for the reply.
func options(t *testing.T, port int) {
	t.Helper()
	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lp := c.LocalAddr().(*net.UDPAddr).Port
	msg := fmt.Sprintf("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-p1\r\nMax-Forwards: 70\r\n"+
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: prefix-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", lp)
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
}

// scriptLines are the lines of log that carry <script>, without
// Kamailio's process number and pid.
func scriptLines(log []string) []string {
	var out []string
	for _, l := range log {
		if strings.Contains(l, "<script>") {
			out = append(out, pidRE.ReplaceAllString(l, ""))
		}
	}
	return out
}

// syncBuf is a buffer the logger writes to while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

func TestKamailioLogPrefix(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.StartSIP(ctx, prefixConfig, kamref.Options{}) // on a free port
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	kport := in.SIPPort
	options(t, kport)
	var want []string
	for i := 0; len(want) < 2; i++ {
		if i == 500 {
			t.Fatalf("Kamailio logged %q", in.Lines())
		}
		time.Sleep(10 * time.Millisecond)
		want = scriptLines(in.Lines())
	}

	gport, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(prefixConfig, kamref.SIPPortPlaceholder, strconv.Itoa(gport))
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	out := &syncBuf{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(out, klog.Text)})
	if ld.HasErrors() {
		t.Fatal(ld.Error())
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.StopSIP(context.Background()) })
	options(t, gport)
	got := scriptLines(out.lines())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("script lines:\n kamgo    %q\n Kamailio %q", got, want)
	}
}
