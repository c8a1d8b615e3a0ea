package jsonrpcs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// fifoBufSize is the FIFO transport's request buffer: a document must be
// shorter than that (Kamailio keeps one byte for its NUL).
const fifoBufSize = 8192

// Reply FIFOs are opened without blocking; a client that has not opened
// its end yet gets replyRetries more tries, replyRetryWait apart, as in
// Kamailio.
const (
	replyRetries   = 4
	replyRetryWait = 80 * time.Millisecond
	// replyWriteTimeout bounds a reply write to a client that stopped
	// reading, so that one client cannot stall the transport for good
	// (Kamailio blocks in that case).
	replyWriteTimeout = 5 * time.Second
)

// fifoServer is the running FIFO transport: one goroutine reads request
// documents from the FIFO and writes each response to the reply FIFO the
// request names, one request at a time, as Kamailio's FIFO process does.
type fifoServer struct {
	m        *Module
	path     string
	replyDir string
	rd, wr   *os.File
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// startFIFO creates the FIFO and starts reading it. A FIFO left at the
// path by an earlier run is replaced; any other file there is an error
// (Kamailio would delete it).
func (m *Module) startFIFO() (*fifoServer, error) {
	path := m.inRunDir(m.fifoName)
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeNamedPipe == 0 {
			return nil, fmt.Errorf("%s exists and is not a FIFO", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("cannot delete old fifo (%s): %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("fifo stat failed: %w", err)
	}
	if m.fifoReplyDir == "" {
		return nil, errors.New("fifo_reply_dir parameter is empty")
	}
	st, err := os.Stat(m.fifoReplyDir)
	if err != nil {
		return nil, fmt.Errorf("fifo_reply_dir: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("fifo_reply_dir %s is not a directory", m.fifoReplyDir)
	}
	mode := m.fifoMode
	if mode == 0 {
		m.log.Log(klog.Warn, Name, "cannot specify fifo_mode = 0, forcing it to rw-------")
		mode = 0o600
	}
	uid, gid, err := ids(m.fifoUser, m.fifoGroup)
	if err != nil {
		return nil, err
	}
	if err := syscall.Mkfifo(path, uint32(mode)); err != nil {
		return nil, fmt.Errorf("cannot create FIFO %s: %w", path, err)
	}
	fail := func(err error) (*fifoServer, error) {
		os.Remove(path)
		return nil, err
	}
	if err := os.Chmod(path, os.FileMode(mode)&os.ModePerm); err != nil {
		return fail(fmt.Errorf("cannot chmod FIFO %s: %w", path, err))
	}
	if uid != -1 || gid != -1 {
		if err := os.Chown(path, uid, gid); err != nil {
			return fail(fmt.Errorf("cannot change the owner of %s to %d.%d: %w", path, uid, gid, err))
		}
	}
	// Opened without blocking: nobody writes yet. The write end is kept
	// open so that the read end sees no end of file between clients.
	rd, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fail(fmt.Errorf("cannot open fifo %s for reading: %w", path, err))
	}
	wr, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		rd.Close()
		return fail(fmt.Errorf("cannot open fifo %s for writing: %w", path, err))
	}
	f := &fifoServer{m: m, path: path, replyDir: m.fifoReplyDir, rd: rd, wr: wr, done: make(chan struct{})}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	go f.serve()
	return f, nil
}

// stop closes the FIFO, waits for the reader and removes the file.
func (f *fifoServer) stop() {
	f.stopOnce.Do(func() {
		f.cancel()
		f.rd.Close()
		<-f.done
		f.wr.Close()
		if st, err := os.Lstat(f.path); err == nil && st.Mode()&os.ModeNamedPipe != 0 {
			if err := os.Remove(f.path); err != nil {
				f.m.log.Logf(klog.Err, Name, "cannot delete the fifo (%s): %v", f.path, err)
			}
		}
	})
}

func (f *fifoServer) serve() {
	defer close(f.done)
	br := bufio.NewReader(f.rd)
	for {
		doc, err := readDocument(br, fifoBufSize)
		if errors.Is(err, errTooLarge) {
			f.m.log.Logf(klog.Warn, Name, "input data too large (%d)", fifoBufSize-1)
			continue
		}
		if err != nil {
			return // the FIFO was closed: the module stops
		}
		doc = bytes.Trim(doc, " \t\r\n")
		if len(doc) == 0 {
			continue
		}
		res := f.m.exec(f.ctx, doc, true)
		if !res.parsed {
			f.m.log.Logf(klog.Err, Name, "failed to execute the json document from fifo stream: invalid json doc [[%s]]", doc)
			continue
		}
		if res.noReply {
			f.m.log.Log(klog.Err, Name, "missing, empty or too long reply_name field in request: no reply sent")
			continue
		}
		if err := f.reply(res.replyName, res.Body); err != nil {
			f.m.log.Logf(klog.Err, Name, "cannot write the reply to fifo %s: %v", res.replyName, err)
		}
	}
}

var errTooLarge = errors.New("input data too large")

// readDocument reads one request document from the FIFO stream as
// Kamailio does: bytes up to the '}' that closes the first '{', braces
// inside single or double quotes not counted (a quote preceded by a
// backslash does not end a string). What comes before the first '{' is
// part of the document. A document of max-1 bytes or more is dropped with
// errTooLarge; reading resumes after it.
func readDocument(r io.ByteReader, max int) ([]byte, error) {
	var doc []byte
	inStr, strType := false, 0
	depth, found := 0, false
	for {
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		switch {
		case c == '"' && (!inStr || strType == 1):
			if len(doc) == 0 || doc[len(doc)-1] != '\\' {
				inStr, strType = !inStr, 1
			}
		case c == '\'' && (!inStr || strType == 2):
			if len(doc) == 0 || doc[len(doc)-1] != '\\' {
				inStr, strType = !inStr, 2
			}
		case c == '{' && !inStr:
			found = true
			depth++
		case c == '}' && !inStr:
			depth--
		}
		doc = append(doc, c)
		if len(doc) >= max-1 {
			return nil, errTooLarge
		}
		if found && depth == 0 {
			return doc, nil
		}
	}
}

// reply writes body to the reply FIFO name in the reply directory. The
// name is appended to fifo_reply_dir as it is (Kamailio adds no '/'), and
// may not contain '.', '/' or '\'. The file must be a FIFO that is
// neither a symbolic link nor hard-linked, and a client must have it open
// for reading.
func (f *fifoServer) reply(name, body string) error {
	if strings.ContainsAny(name, `./\`) {
		return fmt.Errorf("forbidden reply fifo filename: %s", name)
	}
	if len(f.replyDir)+len(name)+1 > maxReplyName {
		return fmt.Errorf("reply fifo filename too long %d", len(f.replyDir)+len(name))
	}
	path := f.replyDir + name
	var fd int
	for try := 0; ; try++ {
		var err error
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.ENXIO) {
			return fmt.Errorf("open error (%s): %w", path, err)
		}
		if try == replyRetries {
			return fmt.Errorf("no client at %s", path)
		}
		select {
		case <-f.ctx.Done():
			return f.ctx.Err()
		case <-time.After(replyRetryWait):
		}
	}
	if err := checkReplyFIFO(fd, path); err != nil {
		syscall.Close(fd)
		return err
	}
	out := os.NewFile(uintptr(fd), path)
	defer out.Close()
	// The descriptor is non-blocking, so the file is pollable and the
	// deadline bounds the write.
	_ = out.SetWriteDeadline(time.Now().Add(replyWriteTimeout))
	if _, err := io.WriteString(out, body); err != nil {
		return fmt.Errorf("failed to write the reply to fifo: %w", err)
	}
	return nil
}

// checkReplyFIFO refuses a reply file that is not a FIFO, is hard-linked,
// is a symbolic link, or is no longer the file that was opened.
func checkReplyFIFO(fd int, path string) error {
	var fst, lst syscall.Stat_t
	if err := syscall.Fstat(fd, &fst); err != nil {
		return fmt.Errorf("security: fstat on %s failed: %w", path, err)
	}
	if fst.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return fmt.Errorf("security: %s is not a fifo", path)
	}
	if fst.Nlink > 1 {
		return fmt.Errorf("security: %s is hard-linked %d times", path, fst.Nlink)
	}
	if err := syscall.Lstat(path, &lst); err != nil {
		return fmt.Errorf("security: lstat on %s failed: %w", path, err)
	}
	if lst.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		return fmt.Errorf("security: %s is a soft link", path)
	}
	if lst.Dev != fst.Dev || lst.Ino != fst.Ino {
		return fmt.Errorf("security: inode/dev number differ for %s", path)
	}
	return nil
}
