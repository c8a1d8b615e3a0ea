package tm

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	rpv "github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// t_write_req and t_write_unix hand the request to an application (a
// voicemail server, say) through a FIFO or a unix datagram socket, in the
// line format of Kamailio's t_fifo.c (version 0.3): twenty lines, the
// request's parts and the transaction's hash and label, so that the
// application can answer it later. A blind branch then waits for that
// answer; fr_timer answers 408 when none comes.

// twriteVersion is the first line of what is written.
const twriteVersion = "0.3"

// twAppend is one tw_append parameter: a name and what to add to the
// request's data (AVP values and header bodies, each as "title: value",
// and whether the body goes along whatever the method).
type twAppend struct {
	name    string
	addBody bool
	elems   []twElem
}

// twElem is one element of a tw_append: an AVP or a header.
type twElem struct {
	title string
	avp   *rpv.Ref // nil for a header
	hdr   string   // the header name as written
}

// parseTWAppend reads "name:element[;element]" where an element is
// "[title=]avp[spec]", "[title=]hdr[name]" or "msg[body]". AVP specs are
// compiled with h.
func parseTWAppend(h module.Host, text string) (twAppend, error) {
	var a twAppend
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	s := strings.TrimLeft(text, " \t\r\n")
	bad := func() (twAppend, error) {
		return a, fmt.Errorf("parse error in <%s> around position %d", text, len(text)-len(s))
	}
	i := 0
	for i < len(s) && s[i] != ':' && !isSpace(s[i]) {
		i++
	}
	if i == 0 || i == len(s) {
		return bad()
	}
	a.name = s[:i]
	s = strings.TrimLeft(s[i:], " \t\r\n")
	if !strings.HasPrefix(s, ":") {
		return bad()
	}
	s = strings.TrimLeft(s[1:], " \t\r\n")
	if s == "" {
		return bad()
	}
	for s != "" {
		i = 0
		for i < len(s) && !strings.ContainsRune("[=;", rune(s[i])) && !isSpace(s[i]) {
			i++
		}
		if i == 0 || i == len(s) {
			return bad()
		}
		word := s[:i]
		s = s[i:]
		var e twElem
		kind := word
		if s[0] != '[' {
			s = strings.TrimLeft(s, " \t\r\n")
			if !strings.HasPrefix(s, "=") {
				return bad()
			}
			s = strings.TrimLeft(s[1:], " \t\r\n")
			e.title = word
			i = 0
			for i < len(s) && !strings.ContainsRune("[];", rune(s[i])) && !isSpace(s[i]) {
				i++
			}
			if i == 0 || i == len(s) || s[i] != '[' {
				return bad()
			}
			kind, s = s[:i], s[i:]
		}
		s = s[1:]
		i = 0
		for i < len(s) && s[i] != ']' && s[i] != ';' && !isSpace(s[i]) {
			i++
		}
		if i == 0 || i == len(s) || s[i] != ']' {
			return bad()
		}
		name := s[:i]
		s = s[i+1:]
		switch strings.ToLower(kind) {
		case "avp":
			r, title, err := compileAVPSpec(h, name)
			if err != nil {
				return a, fmt.Errorf("bad alias spec <%s>", name)
			}
			e.avp = r
			if e.title == "" {
				e.title = title
			}
			a.elems = append(a.elems, e)
		case "hdr":
			e.hdr = name
			if e.title == "" {
				e.title = name
			}
			a.elems = append(a.elems, e)
		case "msg":
			if !strings.EqualFold(name, "body") {
				return a, fmt.Errorf("unsupported value <%s> for msg type", name)
			}
			a.addBody = true
		default:
			return a, fmt.Errorf("unknown type <%s>", kind)
		}
		s = strings.TrimLeft(s, " \t\r\n")
		if s != "" && s[0] != ';' {
			return bad()
		}
		if s != "" {
			s = strings.TrimLeft(s[1:], " \t\r\n")
			if s == "" {
				return bad()
			}
		}
	}
	return a, nil
}

// compileAVPSpec compiles an AVP named as tw_append names it ("i:12",
// "s:name" or "name") and returns the title it gets by default: the
// name, or the number of an integer name.
func compileAVPSpec(h module.Host, spec string) (*rpv.Ref, string, error) {
	title := spec
	switch {
	case strings.HasPrefix(spec, "i:"):
		n, err := strconv.ParseUint(spec[2:], 10, 32)
		if err != nil {
			return nil, "", err
		}
		title = strconv.FormatUint(n, 10)
	case strings.HasPrefix(spec, "s:"):
		title = spec[2:]
	}
	if title == "" {
		return nil, "", errors.New("empty name")
	}
	r, err := h.CompilePV("$avp("+spec+")", diag.Range{})
	return r, title, err
}

// compileWrite compiles t_write_req(fifo, info) and t_write_unix(socket,
// info), info being "action" or "action/append", the append a tw_append
// parameter's name.
func (m *Module) compileWrite(unix bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		dest, ok := args[0].Literal()
		if !ok {
			return nil, fmt.Errorf("the FIFO or socket must be a constant")
		}
		info, ok := args[1].Literal()
		if !ok {
			return nil, fmt.Errorf("the action must be a constant")
		}
		action, appName, hasApp := strings.Cut(info, "/")
		if hasApp && action == "" {
			return nil, fmt.Errorf("empty action name")
		}
		if hasApp && appName == "" {
			return nil, fmt.Errorf("empty append name")
		}
		var app *twAppend
		var names []string
		for _, text := range m.conf().twAppend {
			if strings.TrimSpace(text) == "" {
				continue
			}
			a, err := parseTWAppend(h, text)
			if err != nil {
				return nil, fmt.Errorf("tw_append: %v", err)
			}
			for _, n := range names {
				if strings.EqualFold(n, a.name) {
					return nil, fmt.Errorf("duplicated tw_append name <%s>", a.name)
				}
			}
			names = append(names, a.name)
			if hasApp && strings.EqualFold(a.name, appName) {
				app = &a
			}
		}
		if hasApp && app == nil {
			return nil, fmt.Errorf("unknown append name <%s>", appName)
		}
		return func(c *event.Context) int { return m.write(c, unix, dest, action, app) }, nil
	}
}

// write is t_write_req and t_write_unix.
func (m *Module) write(c *event.Context, unix bool, dest, action string, app *twAppend) int {
	fn := "t_write_req"
	if unix {
		fn = "t_write_unix"
	}
	data, x, ok := m.assembleRequest(c, action, app)
	if !ok {
		if unix {
			m.log.Log(klog.Err, Name, fn+"(): error in assemble_msg")
		} else {
			m.log.Log(klog.Err, Name, fn+"(): error int assemble_msg")
		}
		return -1
	}
	if unix {
		if !m.writeUnix(dest, data) {
			m.log.Log(klog.Err, Name, fn+"(): write_to_unixsock failed")
			return -1
		}
	} else if !m.writeFIFO(dest, data) {
		m.log.Log(klog.Err, Name, fn+"(): write_to_fifo failed")
		return -1
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if !x.addBlind() {
		m.log.Log(klog.Err, Name, fn+"(): add_blind failed")
		return -1
	}
	return 1
}

// addBlind adds a branch that stands for the application the request was
// handed to: no request is sent on it, and fr_timer gives it a 408 when
// no answer comes (Kamailio's add_blind_uac). x.mu must be held.
func (x *txn) addBlind() bool {
	if len(x.branches) >= sipmsg.MaxBranches+1 {
		x.logf(klog.Err, "add_blind_uac(): maximum number of branches exceeded")
		return false
	}
	b := &branch{idx: len(x.branches), onFailure: x.onFailure, onReply: x.onReply, onBranchFailure: x.onBranchFailure}
	x.branches = append(x.branches, b)
	x.blind = b.idx
	x.flags |= flagNoisyCTimer
	x.start(&b.fr, x.frTimeout, workBranchTimeout, b)
	return true
}

// assembleRequest builds the twenty lines for the request of c and
// returns them with the request's transaction.
func (m *Module) assembleRequest(c *event.Context, action string, app *twAppend) (string, *txn, bool) {
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		m.log.Log(klog.Err, Name, "assemble_msg(): called for something else thena SIP request")
		return "", nil, false
	}
	x, res := m.lookup(c)
	if x == nil || res != matched {
		m.log.Log(klog.Err, Name, "t_get_trans_ident(): no transaction found")
		m.log.Log(klog.Err, Name, "assemble_msg(): assemble_msg: t_get_trans_ident failed")
		return "", nil, false
	}
	fromV, _ := msg.Header("from")
	from, err := sipmsg.ParseNameAddr(fromV)
	if err != nil {
		m.log.Log(klog.Err, Name, "assemble_msg(): while parsing <From:> header")
		return "", nil, false
	}
	ruri, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		m.log.Log(klog.Err, Name, "assemble_msg(): uri has not been parsed")
		return "", nil, false
	}
	// The URI later requests go to: the caller's Contact, else From.
	target := ""
	if cv, ok := msg.Header("contact"); ok {
		if list := sipmsg.SplitList(cv); len(list) > 0 {
			if na, err := sipmsg.ParseNameAddr(list[0]); err == nil {
				target = na.URI
			}
		}
	}
	if target == "" {
		target = from.URI
	}
	// The route set from Record-Route: when the nearest proxy routes
	// loosely, every entry, and it is the next hop; otherwise the first
	// entry is the target and the Contact ends the route.
	var route []string
	nextHop := "."
	if rr := msg.Bodies("record-route"); len(rr) > 0 {
		first := routeURI(rr[0])
		lr := strings.Contains(first, ";") && !strings.HasSuffix(first, ";") && hasLR(first)
		for i, e := range rr {
			if i > 0 || lr {
				route = append(route, "<"+routeURI(e)+">")
			}
		}
		if lr {
			nextHop = first
		} else {
			route = append(route, "<"+target+">")
			target = first
		}
	}
	body := "."
	if isMethod(msg, "INVITE") || isMethod(msg, "INFO") || (app != nil && app.addBody) {
		body = msg.Body
	}
	var ab strings.Builder
	ab.WriteString("P-MsgFlags: " + revHex(msgFlags(msg)) + "\n")
	if app != nil {
		for _, e := range app.elems {
			if v, ok := e.value(c, msg); ok {
				ab.WriteString(e.title + ": " + v + "\n")
			}
		}
	}
	ab.WriteString(".")
	dstIP, port := "", "."
	if msg.Rcv != nil {
		dstIP = msg.Rcv.IP
		if msg.Dst.Port != sip.SIPPort {
			port = strconv.Itoa(msg.Rcv.Port)
		}
	}
	// From without its parameters, as Kamailio's parsed From body.
	fromBody := strings.TrimSpace(fromV[:from.Len])
	if !strings.Contains(fromBody, "<") {
		fromBody = from.URI
	}
	toV, _ := msg.Header("to")
	callID, _ := msg.Header("call-id")
	fromTag, _ := from.Param("tag")
	num, _, _ := msg.CSeq()
	orDot := func(s string) string {
		if s == "" {
			return "."
		}
		return s
	}
	lines := []string{
		twriteVersion, "sip_request." + action, msg.Method, ruri.User, ruri.Host, dstIP, port,
		msg.RURI, orDot(target), fromBody, toV, callID, fromTag, toTagOf(msg), num,
		fmt.Sprintf("%d:%d", x.index, x.label), orDot(strings.Join(route, ",")), nextHop, ab.String(), body,
	}
	return strings.Join(lines, "\n") + "\n", x, true
}

// msgFlags are the Kamailio message flags a request with a transaction
// has: FL_HASH_INDEX (its hash was computed), and FL_FORCE_RPORT after
// force_rport.
func msgFlags(msg *sipmsg.Msg) uint32 {
	const flForceRport, flHashIndex = 1, 1 << 7
	f := uint32(flHashIndex)
	if msg.Send.ForceRport {
		f |= flForceRport
	}
	return f
}

// value is the element's value for the request: the first AVP of the
// name, or the body of the first header of the name.
func (e twElem) value(c *event.Context, msg *sipmsg.Msg) (string, bool) {
	if e.avp != nil {
		v := e.avp.Get(c)
		if v.IsNull() {
			return "", false
		}
		return value.ToStr(v), true
	}
	want := sipmsg.CanonName(e.hdr)
	for _, h := range msg.Headers {
		if h.Is(want) {
			return strings.TrimSpace(h.Value), true
		}
	}
	return "", false
}

// errnoText is the C library's text for the error under err, as
// Kamailio's strerror prints it.
func errnoText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		s := en.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// writeFIFO writes data to the FIFO in one write, without waiting for a
// reader: with nobody reading it fails.
func (m *Module) writeFIFO(path, data string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ENXIO) {
			m.log.Logf(klog.Err, Name, "write_to_fifo(): cannot open fifo file - nobody listening for reading [%s] (%s)", path, errnoText(err))
		} else {
			m.log.Logf(klog.Err, Name, "write_to_fifo(): failed to open [%s] fifo: %s", path, errnoText(err))
		}
		return false
	}
	defer f.Close()
	if _, err := f.Write([]byte(data)); err != nil {
		m.log.Logf(klog.Err, Name, "write_to_fifo(): writev failed: %s", errnoText(err))
		return false
	}
	return true
}

// writeUnix sends data as one datagram to the unix socket at path,
// waiting at most unix_tx_timeout for room to send it.
func (m *Module) writeUnix(path, data string) bool {
	switch {
	case path == "":
		return false
	case len(path) > 107:
		m.log.Log(klog.Err, Name, "write_to_unixsock(): Socket name too long")
		return false
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		m.log.Logf(klog.Err, Name, "write_to_unixsock(): error in connect: %s", errnoText(err))
		return false
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(ms(m.conf().unixTxTimeout)))
	if _, err := conn.Write([]byte(data)); err != nil {
		m.log.Logf(klog.Err, Name, "write_to_unixsock(): writev failed: %s", errnoText(err))
		return false
	}
	return true
}
