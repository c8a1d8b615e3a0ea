package corex_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/all"
	_ "github.com/kamgo/kamgo/modules/corex"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/spec/conformance"
)

// deviations are the recorded cases kamgo answers differently, with why
// (the README's "Not run yet" and "Differences from Kamailio").
var deviations = map[string]string{
	"003-msg-iflag-set-unknown": "Kamailio sets every flag for an unknown name; kamgo refuses it",
	"008-lsock":                 "a failed $lsock read prints <null> in kamgo, nothing in Kamailio",
}

// TestCases replays testdata/cases, recorded from Kamailio 5.6.3 with
// spec/conformance's recorder, against kamgo serving SIP on a real UDP
// socket, and compares the script's log lines.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := conformance.Parse(filepath.Base(f), data)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		t.Run(name, func(t *testing.T) {
			if c.SIP == nil {
				t.Skip("an evapi case (is_faked_msg in an evapi event): this runner sends SIP only")
			}
			got := replay(t, c, len(c.Log))
			why, dev := deviations[name]
			switch {
			case dev && slices.Equal(got, c.Log):
				t.Errorf("listed as a deviation (%s) but matches Kamailio", why)
			case !dev && !slices.Equal(got, c.Log):
				t.Errorf("log:\n got  %q\n want %q", got, c.Log)
			}
		})
	}
}

// scriptLog collects the script's log lines and signals each new one.
type scriptLog struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

func (l *scriptLog) hook(lv klog.Level, origin, msg string) {
	if origin != "script" {
		return
	}
	l.mu.Lock()
	// A message with newlines spans several lines, as the cases record it.
	parts := strings.Split(strings.TrimSuffix(msg, "\n"), "\n")
	parts[0] = lv.String() + ": " + parts[0]
	l.lines = append(l.lines, parts...)
	l.mu.Unlock()
	select {
	case l.more <- struct{}{}:
	default:
	}
}

func (l *scriptLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// replay serves the case's configuration with its SIP sockets open, sends
// its SIP message and returns the script log once it has want lines (or
// after a few seconds).
func replay(t *testing.T, c conformance.Case, want int) []string {
	t.Helper()
	var ports [2]int
	for i := range ports {
		p, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	text := c.Config(ports[0], ports[1])
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	logs := &scriptLog{more: make(chan struct{}, 1)}
	lg := klog.New(nil, klog.Text)
	lg.SetHook(logs.hook)
	var missing []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			if _, ok := module.Lookup(lm.Module()); !ok {
				missing = append(missing, lm.Module())
			}
		}
	}
	srv, ld := server.Load(cfg, server.Options{Log: lg, AllowMissing: missing})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(stop)
		_ = srv.Stop(stop)
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ports[0]}
	if _, err := pc.WriteTo([]byte(c.SIPMessage()), to); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for len(logs.get()) < want {
		select {
		case <-logs.more:
		case <-timeout:
			return logs.get()
		}
	}
	return logs.get()
}
