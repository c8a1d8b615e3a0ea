package pv

import (
	"errors"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The From and To headers ($fu $fU $fd $fn $ft $fUl, $tu ... and their
// long names $from, $from.user ...). Assigning one changes the message
// that would be sent ($mbu) but not what the script reads back: Kamailio
// records the change as a lump and keeps the parsed header.

// xto is a parsed From or To header with the position of its value.
type xto struct {
	h   sipmsg.Header
	na  *sipmsg.NameAddr
	uri *sipmsg.URI
}

// parseXto parses the first header named name; ok is false when the
// message has none, err when it does not parse.
func parseXto(m *sipmsg.Msg, name string) (x *xto, ok bool, err error) {
	for _, h := range m.Headers {
		if !h.Is(name) {
			continue
		}
		na, err := sipmsg.ParseNameAddr(h.Value)
		if err != nil {
			return nil, true, err
		}
		x := &xto{h: h, na: na}
		x.uri, _ = sipmsg.ParseURI(na.URI)
		return x, true, nil
	}
	return nil, false, nil
}

// xtoAttr reads one attribute of the From or To header.
func xtoAttr(header string, attr string) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		x, ok, err := parseXto(m, header)
		if !ok {
			return value.NullValue
		}
		if err != nil {
			logf(c, klog.Err, "cannot parse %s header", header)
			return value.NullValue
		}
		switch attr {
		case "uri":
			return value.MakeStr(x.na.URI)
		case "tag":
			v, _ := x.na.Param("tag")
			return nonEmpty(v)
		case "display":
			return nonEmpty(x.na.Display)
		}
		if x.uri == nil {
			logf(c, klog.Err, "cannot parse %s URI", header)
			return value.NullValue
		}
		switch attr {
		case "user":
			return attrUser(x.uri)
		case "host":
			return attrHost(x.uri)
		}
		return attrUserLen(x.uri)
	}
}

// positions of the URI parts inside the header value.
func (x *xto) uriAt() int {
	if strings.Contains(x.h.Value[:x.na.Len], "<") {
		return len(x.na.Name) + 1
	}
	return 0
}

func (x *xto) userAt() int { return x.uriAt() + len(x.uri.Scheme) + 1 }

func (x *xto) hostAt() int {
	at := x.userAt()
	if x.uri.User != "" {
		at += len(x.uri.User) + 1
		if x.uri.Password != "" {
			at += len(x.uri.Password) + 1
		}
	}
	return at
}

var errNotEditable = errors.New("the header cannot be changed")

// setXto records the change of one attribute of the From or To header as
// an edit of the message text.
func setXto(header, attr string) func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	return func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
		x, ok, err := parseXto(m, header)
		if !ok || err != nil || x.uri == nil {
			logf(c, klog.Err, "cannot parse %s header URI", header)
			return errors.New("cannot parse the header")
		}
		if x.h.At < 0 {
			return errNotEditable
		}
		if !v.IsNull() && v.K != value.Str {
			logf(c, klog.Err, "attempt to assign non-str value to %s header", header)
			return errStrRequired
		}
		edit := func(at, n int, text string) {
			m.Edits = append(m.Edits, sipmsg.Edit{At: x.h.At + at, Len: n, Text: text})
		}
		switch attr {
		case "uri", "host":
			if v.IsNull() {
				logf(c, klog.Warn, "%s header URI cannot be deleted", header)
				return nil
			}
			if attr == "uri" {
				edit(x.uriAt(), len(x.na.URI), v.S)
			} else {
				edit(x.hostAt(), len(x.uri.Host), v.S)
			}
		case "user":
			switch {
			case v.IsNull() && x.uri.User == "":
			case v.IsNull():
				edit(x.userAt(), len(x.uri.User)+1, "")
			case x.uri.User == "":
				edit(x.hostAt(), 0, v.S+"@")
			default:
				edit(x.userAt(), len(x.uri.User), v.S)
			}
		case "display":
			d := x.na.Display
			switch {
			case v.IsNull() && d == "":
			case v.IsNull():
				n := len(d)
				if n < len(x.h.Value) && x.h.Value[n] == ' ' {
					n++
				}
				edit(0, n, "")
			case d == "":
				edit(0, 0, v.S+" ")
			default:
				edit(0, len(d), v.S)
			}
		}
		return nil
	}
}

// accUser is $AU and $Au: the user (and domain) the accounting modules
// record. kamgo has no authentication module, so no credentials are ever
// authorized and, as Kamailio does then, they come from the From URI.
func accUser(withDomain bool) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		x, ok, err := parseXto(m, "from")
		if !ok || err != nil {
			logf(c, klog.Err, "cannot parse FROM header")
			return value.NullValue
		}
		if x.uri == nil {
			logf(c, klog.Err, "bad From URI")
			return value.NullValue
		}
		if withDomain {
			return value.MakeStr(x.uri.User + "@" + x.uri.Host)
		}
		return value.MakeStr(x.uri.User)
	}
}

func fromToClasses() []*pv.Class {
	var out []*pv.Class
	for _, h := range []struct{ header, short, long string }{{"from", "f", "from"}, {"to", "t", "to"}} {
		v := func(attr string) msgVar {
			return msgVar{get: xtoAttr(h.header, attr), set: setXto(h.header, attr)}
		}
		out = append(out, specAliases(v("uri"), h.short+"u", h.long)...)
		out = append(out, specAliases(v("user"), h.short+"U", h.long+".user")...)
		out = append(out, specAliases(v("host"), h.short+"d", h.long+".domain")...)
		out = append(out,
			specClass(h.short+"n", v("display")),
			specClass(h.short+"t", xtoAttr(h.header, "tag")))
	}
	// $tUl is writable in Kamailio (it sets the To user); $fUl is not.
	out = append(out,
		specClass("fUl", xtoAttr("from", "ulen")),
		specClass("tUl", msgVar{get: xtoAttr("to", "ulen"), set: setXto("to", "user")}),
		specClass("Au", accUser(true)),
		specClass("AU", accUser(false)))
	return out
}
