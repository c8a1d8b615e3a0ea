package selects

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The core's message selects: the request line, the From and To headers
// and their parts, the common headers by name, the first line and body of
// the message, its source.

// msgFunc reads a select on the event's message.
type msgFunc func(m *sipmsg.Msg) (string, bool)

func onMsg(f msgFunc) Func {
	return func(c *event.Context) (string, bool) { return f(sipmsg.FromContext(c)) }
}

// uriParts are the parts a URI select can end with (select_any_uri).
var uriParts = map[string]func(u *sipmsg.URI) (string, bool){
	"user":   func(u *sipmsg.URI) (string, bool) { return u.User, u.User != "" },
	"host":   func(u *sipmsg.URI) (string, bool) { return u.Host, u.Host != "" },
	"port":   func(u *sipmsg.URI) (string, bool) { return u.Port, u.Port != "" },
	"pwd":    func(u *sipmsg.URI) (string, bool) { return u.Password, u.Password != "" },
	"params": func(u *sipmsg.URI) (string, bool) { return u.Params, u.Params != "" },
	"type":   func(u *sipmsg.URI) (string, bool) { return strings.ToLower(u.Scheme), true },
	"hostport": func(u *sipmsg.URI) (string, bool) {
		if u.Port == "" {
			return u.Host, u.Host != ""
		}
		return u.Host + ":" + u.Port, u.Host != ""
	},
}

// uriPart reads part of the URI in text; false when it does not parse.
func uriPart(text, part string) (string, bool) {
	f, ok := uriParts[part]
	if !ok {
		return "", false
	}
	u, err := sipmsg.ParseURI(strings.TrimSpace(text))
	if err != nil {
		return "", false
	}
	return f(u)
}

// withURI extends a select that yields a URI with a URI part.
func withURI(base msgFunc, part string) msgFunc {
	return func(m *sipmsg.Msg) (string, bool) {
		s, ok := base(m)
		if !ok {
			return "", false
		}
		return uriPart(s, part)
	}
}

// nameAddrPart reads a part of a name-addr: the whole text (""), "uri",
// "name" or "tag".
func nameAddrPart(text, part string) (string, bool) {
	na, err := sipmsg.ParseNameAddr(text)
	if err != nil {
		return "", false
	}
	switch part {
	case "uri":
		return na.URI, true
	case "tag":
		return na.Param("tag")
	case "name":
		return na.Display, na.Display != ""
	}
	return text, true
}

// headerNameAddr reads a part of the first header called name (its
// canonical form).
func headerNameAddr(name, part string) msgFunc {
	return func(m *sipmsg.Msg) (string, bool) {
		for _, h := range m.Headers {
			if h.Is(name) {
				if part == "" {
					return h.Value, true
				}
				return nameAddrPart(h.Value, part)
			}
		}
		return "", false
	}
}

func header(name string) msgFunc {
	return func(m *sipmsg.Msg) (string, bool) { return m.Header(name) }
}

var msgSelects = func() map[string]Func {
	t := map[string]msgFunc{}
	ruri := func(m *sipmsg.Msg) (string, bool) {
		if !m.IsRequest() {
			return "", false
		}
		return m.RequestURI(), true
	}
	for _, n := range []string{"ruri", "request_uri"} {
		t[n] = ruri
		for p := range uriParts {
			t[n+"."+p] = withURI(ruri, p)
		}
	}
	t["dst_uri"] = func(m *sipmsg.Msg) (string, bool) { return m.DstURI, m.DstURI != "" }
	for _, h := range []struct{ header, long, short string }{{"from", "from", "f"}, {"to", "to", "t"}} {
		for _, n := range []string{h.long, h.short} {
			t[n] = headerNameAddr(h.header, "")
			t[n+".tag"] = headerNameAddr(h.header, "tag")
			t[n+".name"] = headerNameAddr(h.header, "name")
			t[n+".uri"] = headerNameAddr(h.header, "uri")
			for p := range uriParts {
				t[n+".uri."+p] = withURI(headerNameAddr(h.header, "uri"), p)
			}
		}
	}
	for sel, h := range map[string]string{
		"call_id": "call-id", "cseq": "cseq", "user_agent": "user-agent", "content_type": "content-type",
		"content_length": "content-length", "max_forwards": "max-forwards", "expires": "expires",
		"subject": "subject", "organization": "organization", "priority": "priority",
	} {
		t[sel] = header(h)
	}
	t["cseq.num"] = func(m *sipmsg.Msg) (string, bool) {
		n, _, ok := m.CSeq()
		return n, ok
	}
	t["cseq.method"] = func(m *sipmsg.Msg) (string, bool) {
		_, meth, ok := m.CSeq()
		return meth, ok
	}
	status := func(m *sipmsg.Msg) (string, bool) { return strconv.Itoa(m.Status), !m.IsRequest() }
	t["status"], t["code"] = status, status
	t["reason"] = func(m *sipmsg.Msg) (string, bool) { return m.Reason, !m.IsRequest() }
	t["method"] = func(m *sipmsg.Msg) (string, bool) { return m.Method, m.IsRequest() }
	t["version"] = func(m *sipmsg.Msg) (string, bool) { return m.Version, true }
	t["msg.len"] = func(m *sipmsg.Msg) (string, bool) { return strconv.Itoa(len(m.Buf)), true }
	t["msg.first_line"] = func(m *sipmsg.Msg) (string, bool) { return m.FirstLine(), true }
	t["msg.body"] = func(m *sipmsg.Msg) (string, bool) { return m.Body, true }
	t["src.ip"] = func(m *sipmsg.Msg) (string, bool) { return m.Src.IP, true }
	t["src.port"] = func(m *sipmsg.Msg) (string, bool) { return strconv.Itoa(m.Src.Port), true }
	out := make(map[string]Func, len(t))
	for n, f := range t {
		out[n] = onMsg(f)
	}
	return out
}()
