package preproc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrTooLarge is wrapped by ReadFile's error for a file over the size limit.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped by ReadFile's error for what is not a regular
// file: a directory, a FIFO, a device, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads a configuration file the way kamgo reads every config
// and included file: only a regular file, at most max bytes (max <= 0
// means DefaultMaxFileSize). It never blocks on a FIFO without a writer
// (the file is opened non-blocking and refused after a stat) and never
// reads more than max+1 bytes, so a device such as /dev/zero or a file
// that grows while it is read cannot exhaust memory.
func ReadFile(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &fileError{ErrNotRegular, "it is " + fileKind(fi.Mode()) + ", not a regular file"}}
	}
	if fi.Size() > max {
		return nil, tooLarge(path, max)
	}
	// The size can lie (files under /proc say 0) or change: read to the
	// end, at most one byte past the limit to know it was passed, into a
	// buffer the stat sizes, so that a file that does not lie is read
	// into one allocation.
	r := io.LimitReader(f, max+1)
	b := make([]byte, 0, min(fi.Size(), max)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
	if int64(len(b)) > max {
		return nil, tooLarge(path, max)
	}
	return b, nil
}

func tooLarge(path string, max int64) error {
	return &fs.PathError{Op: "read", Path: path, Err: &fileError{ErrTooLarge, fmt.Sprintf("it is larger than the limit of %d bytes", max)}}
}

// fileError is a reason ReadFile refuses a file: its text for messages,
// and ErrTooLarge or ErrNotRegular for errors.Is.
type fileError struct {
	kind error
	text string
}

func (e *fileError) Error() string { return e.text }
func (e *fileError) Unwrap() error { return e.kind }

// fileKind names what a non-regular file is, for the message.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}
