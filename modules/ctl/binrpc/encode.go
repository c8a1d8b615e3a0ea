package binrpc

import (
	"fmt"
	"math"

	"github.com/kamgo/kamgo/runtime/rpc"
)

func tag(t Type, end bool) byte {
	if end {
		return 0x80 | byte(t)
	}
	return byte(t)
}

// AppendInt appends an integer record of type t (Int): its size nibble
// counts the value bytes, 0 for 0.
func AppendInt(dst []byte, t Type, i int32) []byte {
	u := uint32(i)
	n := intSize(u)
	dst = append(dst, byte(n)<<4|byte(t))
	return appendUint(dst, uint64(u), n)
}

// AppendDouble appends a double record: the value times 1000, truncated,
// as a 64-bit integer on as few bytes as it needs. Values beyond its range
// are clamped; NaN is 0.
func AppendDouble(dst []byte, f float64) []byte {
	var ll int64
	x := f * 1000
	switch {
	case math.IsNaN(x):
	case x >= math.MaxInt64:
		ll = math.MaxInt64
	case x <= math.MinInt64:
		ll = math.MinInt64
	default:
		ll = int64(x)
	}
	u := uint64(ll)
	n := llongSize(u)
	dst = append(dst, byte(n)<<4|byte(Double))
	return appendUint(dst, u, n)
}

// AppendStr appends a string-like record: Str and AVP get a terminating 0
// that the length counts, Bytes none. A length of 8 or more is written in
// separate bytes.
func AppendStr(dst []byte, t Type, s string) []byte {
	l := len(s)
	if t == Str || t == AVP {
		l++
	}
	if l < 8 {
		dst = append(dst, byte(l)<<4|byte(t))
	} else {
		n := intSize(uint32(l))
		dst = append(dst, byte(n|8)<<4|byte(t))
		dst = appendUint(dst, uint64(uint32(l)), n)
	}
	dst = append(dst, s...)
	if t == Str || t == AVP {
		dst = append(dst, 0)
	}
	return dst
}

// Limits are ctl's reply buffer sizes: Body bytes for the values of the
// reply itself, Struct bytes for each structure's or array's own members
// (binrpc_max_body_size and binrpc_struct_max_body_size, in bytes).
type Limits struct {
	Body, Struct int
	// Printf is binrpc_buffer_size: a string made by Call.Printf longer
	// than this is left out, one exactly this long loses its last byte to
	// the terminator, as Kamailio's vsnprintf into that buffer does. 0
	// means no limit.
	Printf int
}

// NullString stands for a value Kamailio would print from a NULL string.
const NullString = "<null string>"

// EncodeReply encodes a reply's values as Kamailio's ctl does. Each value
// of the reply goes into a body of lim.Body bytes; a structure or an array
// costs its two tags there, and its members go into a buffer of its own of
// lim.Struct bytes. Arrays are sent as structures whose members have no
// name, as Kamailio's rpc->add("[") does (items added with a name are
// named members). An integer beyond 32 bits is
// sent as a double, as Kamailio's 64-bit formats are. A reply value that
// does not fit faults the call (code 500); a member that does not fit is
// left out, as Kamailio's struct_add fails and its handlers carry on.
func EncodeReply(vals []*rpc.Value, lim Limits) ([]byte, *rpc.Fault) {
	top := &frame{max: lim.Body}
	for _, v := range vals {
		if v != nil && v.Printed && v.Kind == rpc.Str && lim.Printf > 0 {
			switch {
			case len(v.Str) > lim.Printf:
				continue
			case len(v.Str) == lim.Printf:
				v = rpc.NewStr(v.Str[:lim.Printf-1] + "\x00")
			}
		}
		if !top.addValue("", v, lim, false) {
			return nil, &rpc.Fault{Code: 500, Text: fmt.Sprintf("Internal server error processing '%c': %s (%s)",
				formatChar(v), ErrOverflow.Error(), ErrOverflow.Code())}
		}
	}
	return top.out, nil
}

// frame is one buffer being filled: own counts the bytes that sit in it
// (nested containers' members are in their own buffers), out is the reply
// bytes in wire order.
type frame struct {
	own, max int
	out      []byte
}

// addValue adds v, named when member; it reports whether it fitted.
func (f *frame) addValue(name string, v *rpc.Value, lim Limits, member bool) bool {
	var head []byte
	if member {
		head = AppendStr(nil, AVP, name)
	}
	if v == nil {
		v = &rpc.Value{Kind: rpc.Null}
	}
	switch v.Kind {
	case rpc.Struct, rpc.Array:
		head = append(head, tag(Struct, false))
		if f.max >= 0 && f.own+len(head)+1 > f.max {
			return false
		}
		child := &frame{max: lim.Struct}
		if v.Kind == rpc.Struct {
			for _, m := range v.Members {
				child.addValue(m.Name, m.Value, lim, true)
			}
		} else {
			for i, it := range v.Items {
				// An item added with a name (Kamailio's struct_add on an
				// array handle) is a named member.
				name := v.ItemName(i)
				child.addValue(name, it, lim, name != "")
			}
		}
		f.own += len(head) + 1
		f.out = append(f.out, head...)
		f.out = append(f.out, child.out...)
		f.out = append(f.out, tag(Struct, true))
		return true
	}
	rec := appendScalar(head, v)
	if f.max >= 0 && f.own+len(rec) > f.max {
		return false
	}
	f.own += len(rec)
	f.out = append(f.out, rec...)
	return true
}

// appendScalar appends the record of a value that is not a container.
func appendScalar(dst []byte, v *rpc.Value) []byte {
	switch v.Kind {
	case rpc.Int:
		if v.Unsigned {
			// Kamailio passes a 'u' to binrpc_addint as an int: the
			// same 32 bits, read signed.
			return AppendInt(dst, Int, int32(uint32(v.Int)))
		}
		if v.Int < math.MinInt32 || v.Int > math.MaxInt32 {
			return AppendDouble(dst, float64(v.Int))
		}
		return AppendInt(dst, Int, int32(v.Int))
	case rpc.Bool:
		if v.Bool {
			return AppendInt(dst, Int, 1)
		}
		return AppendInt(dst, Int, 0)
	case rpc.Double:
		return AppendDouble(dst, v.Double)
	case rpc.Str:
		return AppendStr(dst, Str, v.Str)
	}
	return AppendStr(dst, Str, NullString)
}

// formatChar is the rpc->add format character Kamailio's handler would
// have used for v; its overflow fault names it.
func formatChar(v *rpc.Value) byte {
	if v == nil {
		return 's'
	}
	switch v.Kind {
	case rpc.Int:
		if v.Unsigned {
			return 'u'
		}
		if v.Int < math.MinInt32 || v.Int > math.MaxInt32 {
			return 'L'
		}
		return 'd'
	case rpc.Bool:
		return 'b'
	case rpc.Double:
		return 'f'
	case rpc.Struct:
		return '{'
	case rpc.Array:
		return '['
	}
	return 's'
}

// faultPrefixMax is the buffer Kamailio writes a fault's code record and
// its text's string header into: 3 bytes for the code and 2 for the header.
const faultPrefixMax = 5

// FaultBody is the body of a fault packet: the code, then the text as a
// string. Kamailio formats fault texts into 256 bytes, so longer texts are
// cut to 255. ok is false when Kamailio sends no fault at all: when the
// code's record and the text's string header overflow its small fault
// buffer (a text of 255 bytes with a code above 255, or any negative
// code).
func FaultBody(code int, text string) (body []byte, ok bool) {
	if len(text) > 255 {
		text = text[:255]
	}
	b := AppendInt(nil, Int, int32(code))
	hdr := 1
	if l := len(text) + 1; l >= 8 {
		hdr += intSize(uint32(l))
	}
	if len(b)+hdr > faultPrefixMax {
		return nil, false
	}
	return AppendStr(b, Str, text), true
}

// Packet returns a whole packet: the header for body, then body.
func Packet(t MsgType, cookie uint32, body []byte) []byte {
	p := AppendHeader(make([]byte, 0, MaxHeaderSize+len(body)), t, len(body), cookie)
	return append(p, body...)
}

// AppendParam appends a request parameter: an integer (32 bits), a
// double, a string, a boolean (as an integer), or a structure or array
// (tags around the members).
func AppendParam(dst []byte, v *rpc.Value) []byte {
	switch v.Kind {
	case rpc.Int:
		return AppendInt(dst, Int, int32(v.Int))
	case rpc.Struct:
		dst = append(dst, tag(Struct, false))
		for _, m := range v.Members {
			dst = AppendStr(dst, AVP, m.Name)
			dst = AppendParam(dst, m.Value)
		}
		return append(dst, tag(Struct, true))
	case rpc.Array:
		dst = append(dst, tag(Array, false))
		for _, it := range v.Items {
			dst = AppendParam(dst, it)
		}
		return append(dst, tag(Array, true))
	}
	return appendScalar(dst, v)
}

// NewRequest returns a request packet calling method with params.
func NewRequest(cookie uint32, method string, params ...*rpc.Value) []byte {
	body := AppendStr(nil, Str, method)
	for _, p := range params {
		body = AppendParam(body, p)
	}
	return Packet(Request, cookie, body)
}
