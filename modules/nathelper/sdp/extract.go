package sdp

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// BodyError is why Extract found no SDP body: the text Kamailio's
// extract_body logs (Warning is logged first, at warning level, when not
// empty).
type BodyError struct{ Text string }

func (e *BodyError) Error() string { return e.Text }

// Extract returns the SDP text of m as Kamailio's nathelper and rtpproxy
// extract_body find it, and its offset in m.Buf: the body, Content-Length
// bytes of it, must be application/sdp (a message without Content-Type
// is taken as one, with a warning) or multipart/mixed with an SDP part;
// trailing line ends are left out. warn is the warning to log, "" when
// none.
func Extract(m *sipmsg.Msg) (body string, at int, warn string, err error) {
	start := m.BodyStart()
	cl, ok := m.Header("content-length")
	if !ok {
		return "", 0, "", &BodyError{"failed to get the content length in message"}
	}
	n, convErr := strconv.Atoi(strings.TrimSpace(cl))
	if convErr != nil || n == 0 {
		return "", 0, "", &BodyError{"message body has length zero"}
	}
	if start+n > len(m.Buf) {
		return "", 0, "", &BodyError{"content-length exceeds packet-length by " + strconv.Itoa(start+n-len(m.Buf))}
	}
	body, at = m.Buf[start:start+n], start
	ct, hasCT := m.Header("content-type")
	switch {
	case !hasCT:
		warn = "the header Content-TYPE is absent!let's assume the content is text/plain ;-)"
	case isMultipart(ct):
		part, off, ok := MixedPart(body, ct)
		if !ok {
			return "", 0, warn, &BodyError{"content type mismatching"}
		}
		body, at = part, at+off
	default:
		if msg := checkType(ct); msg != "" {
			return "", 0, warn, &BodyError{msg}
		}
	}
	trimmed := strings.TrimRight(body, "\r\n")
	if trimmed == "" {
		return "", 0, warn, &BodyError{"empty body"}
	}
	return trimmed, at, warn, nil
}

func isMultipart(ct string) bool {
	t := strings.TrimSpace(ct)
	return len(t) >= 15 && strings.EqualFold(t[:15], "multipart/mixed")
}

// checkType checks a Content-Type is application/sdp (white space allowed
// around the '/'); "" when it is, else the error Kamailio logs.
func checkType(ct string) string {
	t := strings.TrimSpace(ct)
	if len(t) < 11 || !strings.EqualFold(t[:11], "application") {
		return "invalid type for a message"
	}
	rest := strings.TrimLeft(t[11:], " \t")
	if !strings.HasPrefix(rest, "/") {
		return "no / found after primary type"
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	if len(rest) < 3 {
		return "body ended :-(!"
	}
	if !strings.EqualFold(rest[:3], "sdp") {
		return "invalid type for a message"
	}
	if len(rest) > 3 && !strings.ContainsRune("; \t\r\n", rune(rest[3])) {
		return "bad end for type!"
	}
	return ""
}

// FromMsg parses the SDP of m as Kamailio's parse_sdp does: the whole
// text after the headers, by the Content-Type. ErrNoBody when the body is
// empty.
func FromMsg(m *sipmsg.Msg) (*SDP, error) {
	start := m.BodyStart()
	ct, _ := m.Header("content-type")
	return Parse(m.Buf[start:], start, ct)
}
