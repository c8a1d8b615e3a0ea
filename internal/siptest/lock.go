package siptest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Lock serializes, across test processes, the tests that need one
// resource a port from freeport cannot stand for (a fixed port a
// shipped configuration names): it takes an exclusive lock on a file
// named for name in the temporary directory until the test ends.
func Lock(t testing.TB, name string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "kamgo-test-"+name+".lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
