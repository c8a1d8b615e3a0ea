package tm

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// buildHopRequest is a request kamgo makes for one branch, hop by hop: the
// CANCEL of a branch, or the ACK of a negative reply to an INVITE. With
// reparse_invite (the default) it is made from the request as sent on the
// branch (Kamailio's build_local_reparse), else from the request as
// received (build_local). toLine is the To header line to use (the
// request's for a CANCEL, the reply's for an ACK); reason is the Reason
// line of a CANCEL.
func (x *txn) buildHopRequest(b *branch, method, toLine, reason string) string {
	if x.m.conf().reparseInvite != 0 {
		if s, ok := fromSent(b.buf, method, toLine, reason); ok {
			return s
		}
	}
	return x.fromReceived(b, method, toLine, reason)
}

// fromSent builds the request from the branch's request text: its
// Request-URI, its first Via, From, To (replaced by toLine), Call-ID,
// CSeq (with the new method), Route and Max-Forwards headers in their
// order, Content-Length 0, the Reason line, and nothing else.
func fromSent(buf, method, toLine, reason string) (string, bool) {
	nl := strings.Index(buf, "\r\n")
	if nl < 0 {
		return "", false
	}
	first := buf[:nl]
	sp := strings.IndexByte(first, ' ')
	if sp < 0 {
		return "", false
	}
	var sb strings.Builder
	sb.WriteString(method + first[sp:] + "\r\n")
	rest := buf[nl+2:]
	firstVia := true
	for rest != "" {
		end := lineEnd(rest)
		line := rest[:end]
		rest = rest[end:]
		if line == "\r\n" || line == "\n" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		switch sipmsg.CanonName(name) {
		case "cseq":
			num := strings.TrimLeft(value, " \t")
			num = num[:len(num)-len(strings.TrimLeft(num, "0123456789"))]
			sb.WriteString(line[:len(line)-len(value)] + value[:strings.Index(value, num)+len(num)] + " " + method + "\r\n")
		case "via":
			if firstVia {
				sb.WriteString(line)
				firstVia = false
			}
		case "to":
			sb.WriteString(toLine)
		case "from", "call-id", "route", "max-forwards":
			sb.WriteString(line)
		case "content-length":
			sb.WriteString(name + ": 0\r\n")
		}
	}
	sb.WriteString(reason)
	sb.WriteString("\r\n")
	return sb.String(), true
}

// lineEnd is the length of the first header line of s with its
// continuation lines and line end.
func lineEnd(s string) int {
	i := 0
	for {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return len(s)
		}
		i += j + 1
		if i >= len(s) || (s[i] != ' ' && s[i] != '\t') {
			return i
		}
	}
}

// fromReceived builds the request from the request as received: the
// branch's Request-URI and Via, the request's From, Call-ID and CSeq
// number, toLine, Max-Forwards 70, the request's Route headers, kamgo's
// User-Agent, Content-Length 0 and the Reason line.
func (x *txn) fromReceived(b *branch, method, toLine, reason string) string {
	req := x.request()
	var sb strings.Builder
	sb.WriteString(method + " " + b.uri + " SIP/2.0\r\n")
	sb.WriteString(topViaLine(b.buf))
	var routes []string
	for _, h := range req.Headers {
		field := req.Buf[h.Start:h.End]
		switch sipmsg.CanonName(h.Name) {
		case "from", "call-id":
			sb.WriteString(field)
		case "route":
			routes = append(routes, field)
		}
	}
	sb.WriteString(toLine)
	sb.WriteString(cseqNumberText(req) + " " + method + "\r\n")
	sb.WriteString("Max-Forwards: 70\r\n")
	for _, r := range routes {
		sb.WriteString(r)
	}
	if ua := x.tr.UserAgent(); ua != "" {
		sb.WriteString(ua + "\r\n")
	}
	sb.WriteString("Content-Length: 0\r\n")
	sb.WriteString(reason)
	sb.WriteString("\r\n")
	return sb.String()
}

// topViaLine is the first Via header line (with its CRLF) of a request
// text kamgo built: its own.
func topViaLine(buf string) string {
	i := strings.Index(buf, "\r\n")
	if i < 0 {
		return ""
	}
	rest := buf[i+2:]
	for rest != "" {
		j := strings.Index(rest, "\r\n")
		if j < 0 {
			return ""
		}
		line := rest[:j+2]
		name, _, _ := strings.Cut(line, ":")
		if c := sipmsg.CanonName(name); c == "via" {
			return line
		}
		rest = rest[j+2:]
	}
	return ""
}

// headerLine is the whole field (name to CRLF) of the first header of m
// named name, "" when none.
func headerLine(m *sipmsg.Msg, name string) string {
	want := sipmsg.CanonName(name)
	for _, h := range m.Headers {
		if h.Is(want) {
			return m.Buf[h.Start:h.End]
		}
	}
	return ""
}

// cseqNumberText is the CSeq header of req up to its number, as written
// ("CSeq: 101"): what Kamailio copies into the requests it builds.
func cseqNumberText(req *sipmsg.Msg) string {
	for _, h := range req.Headers {
		if !h.Is("cseq") {
			continue
		}
		line := strings.TrimRight(req.Buf[h.Start:h.End], "\r\n")
		num, _, _ := req.CSeq()
		if h.At >= 0 {
			if k := strings.Index(req.Buf[h.At:h.End], num); k >= 0 {
				return req.Buf[h.Start : h.At+k+len(num)]
			}
		}
		name, _, _ := strings.Cut(line, ":")
		return name + ": " + num
	}
	return "CSeq: 0"
}

// reasonLine is the Reason header of a CANCEL kamgo sends for a final
// reply code (local_cancel_reason): "Reason: SIP;cause=200;text=..." as
// Kamailio writes it for the reasons it names.
func reasonLine(code int, text string) string {
	if code <= 0 {
		return ""
	}
	l := "Reason: SIP;cause=" + strconv.Itoa(code)
	if text != "" {
		l += ";text=\"" + text + "\""
	}
	return l + "\r\n"
}
