package preproc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// badInputs makes, in dir, one input of each kind ReadFile refuses and
// returns name -> (path, the text its error must contain).
func badInputs(t *testing.T, dir string) map[string][2]string {
	t.Helper()
	fifo := filepath.Join(dir, "fifo.cfg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir.cfg")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.cfg")
	if err := os.WriteFile(big, []byte(strings.Repeat("#\n", 600)), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file that cannot be read: mode 0 stops anyone but root; root can
	// read anything, but not /proc/self/mem at offset 0.
	unreadable := filepath.Join(dir, "secret.cfg")
	unreadableWhy := "permission denied"
	if os.Geteuid() == 0 {
		unreadable, unreadableWhy = "/proc/self/mem", "input/output error"
	} else if err := os.WriteFile(unreadable, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	return map[string][2]string{
		"fifo":       {fifo, "a named pipe (FIFO), not a regular file"},
		"chardev":    {"/dev/zero", "a character device, not a regular file"},
		"directory":  {sub, "a directory, not a regular file"},
		"unreadable": {unreadable, unreadableWhy},
		"too large":  {big, "larger than the limit of 1000 bytes"},
		// The size of a /proc file is 0 whatever it holds: the limit
		// stops the read.
		"proc": {"/proc/self/maps", "larger than the limit of 1000 bytes"},
	}
}

// within runs fn and fails the test when it takes more than a few
// seconds: a FIFO with no writer must not block.
func within(t *testing.T, name string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still reading after 10s", name)
	}
}

func TestReadFileRefuses(t *testing.T) {
	for name, in := range badInputs(t, t.TempDir()) {
		within(t, name, func() {
			b, err := ReadFile(in[0], 1000)
			if err == nil || b != nil {
				t.Fatalf("%s: read %d bytes, err %v", name, len(b), err)
			}
			if !strings.Contains(err.Error(), in[1]) {
				t.Errorf("%s: error %q, want it to say %q", name, err, in[1])
			}
			notRegular := name == "fifo" || name == "chardev" || name == "directory"
			if errors.Is(err, ErrNotRegular) != notRegular {
				t.Errorf("%s: errors.Is(ErrNotRegular) = %v", name, !notRegular)
			}
			if tooLarge := strings.Contains(in[1], "limit"); errors.Is(err, ErrTooLarge) != tooLarge {
				t.Errorf("%s: errors.Is(ErrTooLarge) = %v", name, !tooLarge)
			}
		})
	}
}

func TestReadFileReads(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ok.cfg")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, max := range []int64{10, 0} {
		b, err := ReadFile(p, max)
		if err != nil || string(b) != "0123456789" {
			t.Errorf("max %d: %q, %v", max, b, err)
		}
	}
	if _, err := ReadFile(p, 9); !errors.Is(err, ErrTooLarge) {
		t.Errorf("max 9: %v, want ErrTooLarge", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.cfg"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestBadMainFile: the main file is read by the same reader; each bad
// input gives exactly one KC0008 (which kamgo check and run turn into exit
// status 2) naming the reason.
func TestBadMainFile(t *testing.T) {
	for name, in := range badInputs(t, t.TempDir()) {
		within(t, name, func() {
			r := ProcessFile(in[0], Options{MaxFileSize: 1000})
			if len(r.Diags) != 1 || r.Diags[0].Code != "KC0008" || !strings.Contains(r.Diags[0].Summary, in[1]) {
				t.Errorf("%s: %v, want one KC0008 saying %q", name, r.Diags, in[1])
			}
			if len(r.Tokens) != 1 {
				t.Errorf("%s: %d tokens", name, len(r.Tokens))
			}
		})
	}
}

// TestBadIncludedFile: include_file and import_file read through the same
// reader; a bad input is an error at the directive (KC0007 when too
// large, else KC0160), also for import_file, which skips only a missing
// file.
func TestBadIncludedFile(t *testing.T) {
	dir := t.TempDir()
	for name, in := range badInputs(t, dir) {
		for _, kw := range []string{"include_file", "import_file"} {
			within(t, name, func() {
				main := filepath.Join(dir, "main.cfg")
				src := "#\n" + kw + " \"" + in[0] + "\"\n"
				if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
				r := ProcessFile(main, Options{MaxFileSize: 1000})
				want := "KC0160"
				if strings.Contains(in[1], "limit") {
					want = "KC0007"
				}
				if len(r.Diags) != 1 || r.Diags[0].Code != want || r.Diags[0].Subject.Start.Line != 2 || !strings.Contains(r.Diags[0].Summary, in[1]) {
					t.Errorf("%s %s: %v, want one %s at line 2 saying %q", kw, name, r.Diags, want, in[1])
				}
			})
		}
	}
	main := filepath.Join(dir, "main.cfg")
	if err := os.WriteFile(main, []byte("import_file \"nope.cfg\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := ProcessFile(main, Options{}); len(r.Diags) != 0 {
		t.Errorf("missing import_file: %v", r.Diags)
	}
}
