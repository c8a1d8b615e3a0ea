package pv

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The message text and first line: $mb, $mbu, $ml, $rb, $bs, $msg(...),
// $msgbuf(n), $mt, $mts, $rv, $rs, $rsi, $rr, $rm and $rmid.

// methodIDs are Kamailio's method numbers ($rmid).
var methodIDs = map[string]int{
	"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32, "SUBSCRIBE": 64,
	"NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024, "UPDATE": 2048, "REFER": 4096,
	"PUBLISH": 8192, "KDMQ": 16384, "GET": 32768, "POST": 65536, "PUT": 131072, "DELETE": 262144,
}

func methodID(method string) int {
	if id, ok := methodIDs[strings.ToUpper(method)]; ok {
		return id
	}
	return 524288 // METHOD_OTHER
}

// method returns the request's method, or a reply's CSeq method.
func method(c *event.Context, m *sipmsg.Msg) (string, bool) {
	if m.IsRequest() {
		return m.Method, true
	}
	_, meth, ok := m.CSeq()
	if !ok {
		logf(c, klog.Err, "no CSEQ header")
	}
	return meth, ok
}

// msgAttr is $msg(name).
func msgAttr(name string) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		switch name {
		case "len":
			return uintValue(int64(len(m.Buf)))
		case "buf":
			return value.MakeStr(m.Buf)
		case "body":
			return value.MakeStr(m.Body)
		case "body_len":
			return intValue(len(m.Body))
		case "hdrc":
			return intValue(len(m.Headers))
		case "fline":
			return value.MakeStr(m.FirstLine())
		case "hdrs":
			return strOrNull(m.HeaderText())
		case "hdrs_len":
			s, _ := m.HeaderText()
			return intValue(len(s))
		case "fpart":
			return strOrNull(m.HeadText())
		}
		return strOrNull(m.TailText())
	})
}

// msgbufIndex is the byte position of $msgbuf(n): a number, or a
// pseudo-variable read as an integer.
func compileMsgbuf(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("missing index")
	}
	var idx func(c *event.Context) int
	if strings.HasPrefix(p.Name.Text, "$") {
		r, err := compileNamePV(t, p.Name.Text)
		if err != nil {
			return nil, err
		}
		idx = func(c *event.Context) int { return int(r.Get(c).I) }
	} else {
		n, ok := value.Str2Sint(p.Name.Text)
		if !ok {
			return nil, fmt.Errorf("bad index value: [%s]", p.Name.Text)
		}
		idx = func(*event.Context) int { return int(n) }
	}
	return msgVar{
		// The byte comes with the NUL Kamailio keeps after it: the value
		// is two bytes long.
		get: func(c *event.Context, m *sipmsg.Msg) value.Value {
			n := idx(c)
			if n < 0 || n >= len(m.Buf) {
				logf(c, klog.Err, "index out of range")
				return value.NullValue
			}
			return value.MakeStr(string([]byte{m.Buf[n], 0}))
		},
		// Writing changes the message text in place; what reads the
		// text ($rm ...) sees the change.
		set: func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
			n := idx(c)
			if n < 0 || n >= len(m.Buf) {
				logf(c, klog.Err, "index out of range")
				return fmt.Errorf("index %d out of range", n)
			}
			if v.IsNull() {
				logf(c, klog.Err, "null value - skipping")
				return nil
			}
			if v.K != value.Str || v.S == "" {
				logf(c, klog.Err, "error - str value required")
				return errStrRequired
			}
			m.SetBufByte(n, v.S[0])
			return nil
		},
	}, nil
}

func textClasses() []*pv.Class {
	attrs := map[string]pv.Spec{}
	for _, n := range []string{"len", "buf", "body", "body_len", "hdrc", "fline", "hdrs", "hdrs_len", "fpart", "lpart"} {
		attrs[n] = msgAttr(n)
	}
	return []*pv.Class{
		specClass("mb", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Buf) })),
		// $mbu is the message as it would be sent: with the new
		// Request-URI and the header changes made by assignments.
		specClass("mbu", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Rebuilt()) })),
		specClass("ml", msg(func(m *sipmsg.Msg) value.Value { return uintValue(int64(len(m.Buf))) })),
		specClass("rb", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Body) })),
		specClass("bs", msg(func(m *sipmsg.Msg) value.Value { return intValue(len(m.Body)) })),
		namedClass("msg", attrs),
		{Name: "msgbuf", Module: "pv", Compile: compileMsgbuf},
		specClass("mt", msg(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return uintValue(1)
			}
			return uintValue(2)
		})),
		specClass("mts", msg(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return value.MakeStr("rq")
			}
			return value.MakeStr("rp")
		})),
		specClass("rv", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Version) })),
		specClass("rs", msg(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return value.NullValue
			}
			return intValue(m.Status)
		})),
		specClass("rsi", msg(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return intValue(0)
			}
			return intValue(m.Status)
		})),
		specClass("rr", msg(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return value.NullValue
			}
			return value.MakeStr(m.Reason)
		})),
		specClass("rm", msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			meth, ok := method(c, m)
			if !ok {
				return value.NullValue
			}
			return strInt(meth, methodID(meth))
		})),
		specClass("rmid", msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			meth, ok := method(c, m)
			if !ok {
				return value.NullValue
			}
			return uintValue(int64(methodID(meth)))
		})),
	}
}

// compileNamePV compiles a pseudo-variable written as a class's name
// ($msgbuf($var(i))).
func compileNamePV(t *pv.Table, s string) (*pv.Ref, error) {
	x, err := parseIndex(t, s)
	if err != nil {
		return nil, err
	}
	if x.ref == nil {
		return nil, fmt.Errorf("invalid variable [%s]", s)
	}
	return x.ref, nil
}
