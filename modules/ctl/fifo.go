package ctl

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// The FIFO protocol is ctl's older text protocol. A request is a command
// line ":method:reply_file", one parameter per line, and an empty line (a
// request ends at the first two consecutive line ends, \n or \r). The
// reply is "code reason\n" and then the reply values, one per line;
// structure members are "name:value" joined by commas. Over a FIFO file
// the reply goes to the FIFO reply_file names in fifoReplyDir; over a
// socket it goes back on the socket.

// Kamailio's fixed FIFO settings.
const (
	fifoReplyDir     = "/tmp/"
	fifoReplyRetries = 4
	fifoReplyWait    = 80 * time.Millisecond
	fifoTxTimeout    = 200 * time.Millisecond
	fifoMinRequest   = 6
	fifoReasonMax    = 1023
)

// fifoServer is an open FIFO file: r is read, w is held open so that the
// reader never sees the end of the file between clients.
type fifoServer struct {
	path string
	r, w *os.File
}

// openFIFO creates the FIFO file path (replacing what was there), applies
// mode and owner (the owner when user or group is set, as Kamailio does
// for fifos) and opens it.
func (m *Module) openFIFO(path string) (*fifoServer, error) {
	if path == "" {
		return nil, errors.New("empty fifo: fifo disabled")
	}
	if _, err := os.Lstat(path); err == nil {
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("cannot delete old fifo (%s): %w", path, err)
		}
	}
	if err := syscall.Mkfifo(path, uint32(m.mode)&0o777); err != nil {
		return nil, fmt.Errorf("can't create FIFO %s: %w (mode=%d)", path, err, m.mode)
	}
	if err := os.Chmod(path, os.FileMode(m.mode)&os.ModePerm); err != nil {
		return nil, fmt.Errorf("can't chmod FIFO %s: %w (mode=%d)", path, err, m.mode)
	}
	if m.uid != -1 || m.gid != -1 {
		if err := os.Chown(path, m.uid, m.gid); err != nil {
			return nil, fmt.Errorf("failed to change the owner/group for %s to %d.%d: %w", path, m.uid, m.gid, err)
		}
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("fifo %s: read side did not open: %w", path, err)
	}
	w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("fifo %s: write side did not open: %w", path, err)
	}
	return &fifoServer{path: path, r: r, w: w}, nil
}

func (f *fifoServer) close() {
	f.r.Close()
	f.w.Close()
}

// serveFIFO reads requests from a FIFO file until it is closed.
func (m *Module) serveFIFO(s *ctrlSocket) {
	defer m.wg.Done()
	buf := make([]byte, bufSize)
	end := 0
	for {
		if end == len(buf) {
			m.log.Logf(klog.Err, Name, "buffer overrun on fifo %s: discarding %d bytes without a request end", s.id.name, end)
			end = 0
		}
		n, err := s.fifo.r.Read(buf[end:])
		end += n
		proc := 0
		for proc < end {
			res, file := m.processFIFO(buf[proc:end], true)
			if len(res.reply) > 0 && file != "" {
				if werr := writeReplyFIFO(file, res.reply); werr != nil {
					m.log.Logf(klog.Err, Name, "fifo reply to %s: %v", file, werr)
				}
			}
			if res.n == 0 {
				break
			}
			proc += res.n
		}
		copy(buf, buf[proc:end])
		end -= proc
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				return
			}
			m.log.Logf(klog.Err, Name, "error reading fifo %s: %v", s.id.name, err)
			return
		}
	}
}

// processFIFO answers the FIFO request at the start of b. It returns the
// reply and, for a request that names one, the reply FIFO's path. A
// command line that is not ":method:file" is consumed and answered
// "200 OK" with no reply file, as Kamailio does.
func (m *Module) processFIFO(b []byte, stream bool) (result, string) {
	if len(b) < fifoMinRequest {
		return result{}, ""
	}
	size := -1
	for r := 1; r < len(b); r++ {
		if (b[r] == '\n' || b[r] == '\r') && (b[r-1] == '\n' || b[r-1] == '\r') {
			size = r
			break
		}
	}
	if size < 0 {
		if !stream {
			m.log.Logf(klog.Dbg, Name, "dropping a fifo datagram without a request end")
		}
		return result{}, ""
	}
	res := result{n: size + 1}
	// The command is the first line; the parameters are the lines that
	// end at or before the request's final line end.
	req := string(b[:size+1])
	cmd, rest, _ := strings.Cut(req, "\n")
	var lines []string
	if rest != "" {
		lines = strings.Split(rest, "\n")
		lines = lines[:len(lines)-1]
	}
	ok := func() (result, string) {
		res.reply = []byte("200 OK\n")
		return res, ""
	}
	switch {
	case cmd == "":
		m.log.Logf(klog.Dbg, Name, "empty fifo command")
		return ok()
	case len(cmd) < 3:
		m.log.Logf(klog.Err, Name, "fifo command must have at least 3 chars")
		return ok()
	case cmd[0] != ':':
		m.log.Logf(klog.Err, Name, "fifo command must begin with ':': %s", cmd)
		return ok()
	}
	method, file, found := strings.Cut(cmd[1:], ":")
	switch {
	case !found:
		m.log.Logf(klog.Err, Name, "fifo file separator missing")
		return ok()
	case method == "":
		m.log.Logf(klog.Err, Name, "empty fifo command")
		return ok()
	}
	if file != "" {
		if strings.ContainsAny(file, "./\\") {
			m.log.Logf(klog.Err, Name, "forbidden fifo reply file name: %s", file)
			return ok()
		}
		file = fifoReplyDir + file
	}
	// Kamailio cuts the method at a 0 byte.
	if i := strings.IndexByte(method, 0); i >= 0 {
		method = method[:i]
	}
	// Every line after the command is a parameter, the empty line that
	// ends the request too: Kamailio's handlers read lines until they
	// have what they asked for or the buffer ends.
	var params []*rpc.Value
	for _, l := range lines {
		s, err := fifoUnescape(l)
		if err != nil {
			s = l
		}
		params = append(params, rpc.NewStr(s))
	}
	call := &rpc.Call{Method: method, Params: params, Convert: true}
	if !m.registry().Run(withCtl(m.ctx, m), call) {
		res.reply = fifoReply(500, fmt.Sprintf("Command '%s' not found", method), nil)
		return res, file
	}
	vals, fault := call.Reply()
	if fault != nil {
		res.reply = fifoReply(fault.Code, fault.Text, nil)
	} else {
		res.reply = fifoReply(200, "OK", vals)
	}
	return res, file
}

// chunk is one piece of a FIFO reply body and what follows it.
type chunk struct {
	text string
	kind int
}

const (
	chunkNone = iota
	chunkPositional
	chunkName
	chunkValue
)

// fifoReply renders a FIFO reply. A reply value is a line; a structure is
// its members, the last added first (Kamailio inserts each new member
// right after the structure), "name:value" joined by commas; a structure
// member that is a structure follows as "name:" and its own members.
func fifoReply(code int, reason string, vals []*rpc.Value) []byte {
	if len(reason) > fifoReasonMax {
		reason = reason[:fifoReasonMax]
	}
	var chunks []chunk
	for _, v := range vals {
		chunks = appendChunks(chunks, v)
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(code))
	b.WriteByte(' ')
	b.WriteString(reason)
	b.WriteByte('\n')
	for i, c := range chunks {
		b.WriteString(c.text)
		switch c.kind {
		case chunkPositional:
			b.WriteByte('\n')
		case chunkName:
			b.WriteByte(':')
		case chunkValue:
			if i+1 < len(chunks) && chunks[i+1].kind == chunkName {
				b.WriteByte(',')
			} else {
				b.WriteByte('\n')
			}
		}
	}
	return []byte(b.String())
}

// appendChunks appends the chunks of a reply value.
func appendChunks(cs []chunk, v *rpc.Value) []chunk {
	switch v.Kind {
	case rpc.Struct:
		cs = append(cs, chunk{kind: chunkNone})
		return appendMembers(cs, v)
	case rpc.Array:
		if v.Names != nil {
			// Items added with a name are structure members.
			return appendChunks(cs, namedItems(v))
		}
		cs = append(cs, chunk{kind: chunkNone})
		for _, it := range v.Items {
			cs = appendChunks(cs, it)
		}
		return cs
	}
	return append(cs, chunk{text: fifoScalar(v, false), kind: chunkPositional})
}

// namedItems is an array whose items have names as a structure.
func namedItems(v *rpc.Value) *rpc.Value {
	st := rpc.NewStruct()
	for i, it := range v.Items {
		st.Set(v.ItemName(i), it)
	}
	return st
}

// appendMembers appends a structure's members: scalars last-first, then
// each structure-valued member as its name and its members.
func appendMembers(cs []chunk, v *rpc.Value) []chunk {
	for i := len(v.Members) - 1; i >= 0; i-- {
		mb := v.Members[i]
		if mb.Value != nil && (mb.Value.Kind == rpc.Struct || mb.Value.Kind == rpc.Array) {
			continue
		}
		cs = append(cs, chunk{text: fifoEscape(mb.Name, true), kind: chunkName},
			chunk{text: fifoScalar(mb.Value, true), kind: chunkValue})
	}
	for _, mb := range v.Members {
		if mb.Value == nil || (mb.Value.Kind != rpc.Struct && mb.Value.Kind != rpc.Array) {
			continue
		}
		cs = append(cs, chunk{text: fifoEscape(mb.Name, true), kind: chunkName})
		switch {
		case mb.Value.Kind == rpc.Struct:
			cs = appendMembers(cs, mb.Value)
		case mb.Value.Names != nil:
			cs = appendMembers(cs, namedItems(mb.Value))
		default:
			for _, it := range mb.Value.Items {
				cs = appendChunks(cs, it)
			}
		}
	}
	return cs
}

// fifoScalar is a value's text: integers in decimal, doubles with six
// decimals (C's %f), booleans 0 or 1, strings escaped.
func fifoScalar(v *rpc.Value, all bool) string {
	if v == nil {
		return fifoEscape("<null string>", all)
	}
	switch v.Kind {
	case rpc.Int:
		return strconv.FormatInt(v.Int, 10)
	case rpc.Double:
		return strconv.FormatFloat(v.Double, 'f', 6, 64)
	case rpc.Bool:
		if v.Bool {
			return "1"
		}
		return "0"
	case rpc.Str:
		return fifoEscape(v.Str, all)
	}
	return fifoEscape("<null string>", all)
}

// fifoEscape escapes line ends, tabs, backslashes and 0 bytes; with all,
// also ':' (as "\o") and ',' (as "\c"), the structure delimiters.
func fifoEscape(s string, all bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case ':':
			if all {
				b.WriteString(`\o`)
			} else {
				b.WriteByte(c)
			}
		case ',':
			if all {
				b.WriteString(`\c`)
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fifoUnescape undoes the escapes of a parameter line: \\ \n \r \t \0,
// and \c for ':' and \o for ',' (the reverse of what fifoEscape writes for
// them, as in Kamailio). Any other escape is an error.
func fifoUnescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			return "", errors.New("escape at the end of the line")
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '0':
			b.WriteByte(0)
		case 'c':
			b.WriteByte(':')
		case 'o':
			b.WriteByte(',')
		default:
			return "", fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

// writeReplyFIFO writes a reply to the client's FIFO: it must exist (a few
// tries, as the client may not have opened it yet), be a FIFO, not be a
// link and have one name; a client that does not read gets
// fifoTxTimeout.
func writeReplyFIFO(path string, reply []byte) error {
	var fd int
	var err error
	for try := 0; ; try++ {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == nil {
			break
		}
		if err != syscall.ENXIO || try >= fifoReplyRetries {
			if err == syscall.ENXIO {
				return errors.New("no client at " + path)
			}
			return fmt.Errorf("open error (%s): %w", path, err)
		}
		time.Sleep(fifoReplyWait)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st, lst syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return fmt.Errorf("%s is not a fifo", path)
	}
	if st.Nlink > 1 {
		return fmt.Errorf("%s is hard-linked %d times", path, st.Nlink)
	}
	if err := syscall.Lstat(path, &lst); err != nil {
		return err
	}
	if lst.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		return fmt.Errorf("%s is a soft link", path)
	}
	if lst.Dev != st.Dev || lst.Ino != st.Ino {
		return fmt.Errorf("%s: inode/dev number differ", path)
	}
	_ = f.SetWriteDeadline(time.Now().Add(fifoTxTimeout))
	_, err = f.Write(reply)
	return err
}
