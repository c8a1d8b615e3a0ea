package proctest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

var (
	reReady = regexp.MustCompile(`^ready$`)
	reHup   = regexp.MustCompile(`^hup$`)
)

func TestStartSignalStop(t *testing.T) {
	bin := Build(t, "./testdata/child")
	if again := Build(t, "./testdata/child"); again != bin {
		t.Errorf("built twice: %s, %s", bin, again)
	}
	p := Start(t, bin, t.TempDir())
	p.WaitFor(reReady, 1, time.Minute)
	for i := 1; i <= 3; i++ {
		p.Signal(syscall.SIGHUP)
		p.WaitFor(reHup, i, time.Minute)
	}
	if n := p.Count(reHup); n != 3 {
		t.Errorf("%d hup lines", n)
	}
	if code := p.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if got := p.Log(); got != "ready\nhup\nhup\nhup" {
		t.Errorf("log %q", got)
	}
}

func TestAwaitExited(t *testing.T) {
	p := Start(t, Build(t, "./testdata/child"), "", "-exit", "3")
	err := p.Await(reReady, 1, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "exited (code 3)") {
		t.Errorf("got %v", err)
	}
	if code, ok := p.Wait(time.Minute); !ok || code != 3 {
		t.Errorf("exit %d %v", code, ok)
	}
}

func TestRun(t *testing.T) {
	out, code := Run(t, time.Minute, Build(t, "./testdata/child"), "", "-exit", "4")
	if code != 4 || !strings.Contains(out, "out\n") || !strings.Contains(out, "err\n") {
		t.Errorf("%d %q", code, out)
	}
}

func TestWriteFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "k.cfg")
	WriteFile(t, f, "one")
	WriteFile(t, f, "two")
	b, err := os.ReadFile(f)
	if err != nil || string(b) != "two" {
		t.Errorf("%q %v", b, err)
	}
	if _, err := os.Stat(f + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
}

func TestAddr(t *testing.T) {
	if a := Addr(t); !strings.HasPrefix(a, "127.0.0.1:") {
		t.Errorf("Addr %q", a)
	}
}
