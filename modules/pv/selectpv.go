package pv

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// $sel(@name): Kamailio's select framework. kamgo knows the core selects
// about the request line and the common headers (the table below); any
// other name is refused at load time, as Kamailio refuses a name no loaded
// module provides. A select with no value reads null.

type selectFunc func(c *event.Context, m *sipmsg.Msg) (string, bool)

// uriSelects are the parts a URI select can end with.
var uriSelects = map[string]func(u *sipmsg.URI) (string, bool){
	"user": func(u *sipmsg.URI) (string, bool) { return u.User, u.User != "" },
	"host": func(u *sipmsg.URI) (string, bool) { return u.Host, u.Host != "" },
	"port": func(u *sipmsg.URI) (string, bool) { return u.Port, u.Port != "" },
	"pwd":  func(u *sipmsg.URI) (string, bool) { return u.Password, u.Password != "" },
	"params": func(u *sipmsg.URI) (string, bool) {
		return u.Params, u.Params != ""
	},
	"type": func(u *sipmsg.URI) (string, bool) { return strings.ToLower(u.Scheme), true },
	"hostport": func(u *sipmsg.URI) (string, bool) {
		if u.Port == "" {
			return u.Host, u.Host != ""
		}
		return u.Host + ":" + u.Port, u.Host != ""
	},
}

// headerSelect reads the whole value of a header.
func headerSelect(name string) selectFunc {
	return func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Header(name) }
}

// withURI extends a select that yields a URI with a URI part.
func withURI(base selectFunc, part string) selectFunc {
	f := uriSelects[part]
	return func(c *event.Context, m *sipmsg.Msg) (string, bool) {
		s, ok := base(c, m)
		if !ok {
			return "", false
		}
		u, err := sipmsg.ParseURI(strings.TrimSpace(s))
		if err != nil {
			return "", false
		}
		return f(u)
	}
}

// nameAddrSelect reads a part of the From or To header.
func nameAddrSelect(header, part string) selectFunc {
	return func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
		x, ok, err := parseXto(m, header)
		if !ok || err != nil {
			return "", false
		}
		switch part {
		case "uri":
			return x.na.URI, true
		case "tag":
			return x.na.Param("tag")
		case "name":
			return x.na.Display, x.na.Display != ""
		}
		return x.h.Value, true
	}
}

func selectTable() map[string]selectFunc {
	t := map[string]selectFunc{}
	ruri := func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
		if !m.IsRequest() {
			return "", false
		}
		return m.RequestURI(), true
	}
	for _, n := range []string{"ruri", "request_uri"} {
		t[n] = ruri
		for p := range uriSelects {
			t[n+"."+p] = withURI(ruri, p)
		}
	}
	t["dst_uri"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.DstURI, m.DstURI != "" }
	for _, h := range []struct{ header, long, short string }{{"from", "from", "f"}, {"to", "to", "t"}} {
		for _, n := range []string{h.long, h.short} {
			t[n] = nameAddrSelect(h.header, "")
			t[n+".tag"] = nameAddrSelect(h.header, "tag")
			t[n+".name"] = nameAddrSelect(h.header, "name")
			t[n+".uri"] = nameAddrSelect(h.header, "uri")
			for p := range uriSelects {
				t[n+".uri."+p] = withURI(nameAddrSelect(h.header, "uri"), p)
			}
		}
	}
	for sel, header := range map[string]string{
		"call_id": "call-id", "cseq": "cseq", "user_agent": "user-agent", "content_type": "content-type",
		"content_length": "content-length", "max_forwards": "max-forwards", "expires": "expires",
		"subject": "subject", "organization": "organization", "priority": "priority",
	} {
		t[sel] = headerSelect(header)
	}
	t["cseq.num"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
		n, _, ok := m.CSeq()
		return n, ok
	}
	t["cseq.method"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
		_, meth, ok := m.CSeq()
		return meth, ok
	}
	status := func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
		return fmt.Sprint(m.Status), !m.IsRequest()
	}
	t["status"], t["code"] = status, status
	t["reason"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Reason, !m.IsRequest() }
	t["method"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Method, m.IsRequest() }
	t["version"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Version, true }
	t["msg.len"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return fmt.Sprint(len(m.Buf)), true }
	t["msg.first_line"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.FirstLine(), true }
	t["msg.body"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Body, true }
	t["src.ip"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return m.Src.IP, true }
	t["src.port"] = func(_ *event.Context, m *sipmsg.Msg) (string, bool) { return fmt.Sprint(m.Src.Port), true }
	return t
}

var selects = selectTable()

func compileSelect(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	name := strings.TrimPrefix(strings.TrimSpace(p.Name.Text), "@")
	f, ok := selects[name]
	if !ok {
		return nil, fmt.Errorf("invalid select name [%s] (kamgo knows the core message selects only)", p.Name.Text)
	}
	return msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
		s, ok := f(c, m)
		return strOrNull(s, ok)
	}), nil
}
