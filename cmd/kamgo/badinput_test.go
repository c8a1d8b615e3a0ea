package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestUnreadableConfig: a main file that is not a readable regular file
// (a FIFO no one writes to, a character device, a directory, a missing
// file) makes check and run exit 2 with KC0008 at once: no hang, no
// unbounded read.
func TestUnreadableConfig(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.cfg")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"fifo":      fifo,
		"device":    "/dev/zero",
		"directory": dir,
		"missing":   filepath.Join(dir, "nothing.cfg"),
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		delete(inputs, "device")
	}
	for name, path := range inputs {
		for _, cmd := range []string{"check", "run"} {
			t.Run(name+"/"+cmd, func(t *testing.T) {
				var out, errb bytes.Buffer
				code := run([]string{cmd, path}, &out, &errb)
				if code != exitUsage {
					t.Errorf("exit %d, want %d\n%s%s", code, exitUsage, out.String(), errb.String())
				}
				if text := out.String() + errb.String(); !strings.Contains(text, "KC0008") {
					t.Errorf("no KC0008 in:\n%s", text)
				}
			})
		}
	}
}
