package binrpc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/rpc"
)

func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		typ    MsgType
		blen   int
		cookie uint32
		want   []byte
	}{
		{Request, 0, 0, []byte{0xA1, 0x00, 0x00, 0x00}},
		{Reply, 5, 0x12, []byte{0xA1, 0x10, 0x05, 0x12}},
		{Fault, 0x1234, 0x0102, []byte{0xA1, 0x35, 0x12, 0x34, 0x01, 0x02}},
		{Request, 70000, 0xdeadbeef, []byte{0xA1, 0x0B, 0x01, 0x11, 0x70, 0xde, 0xad, 0xbe, 0xef}},
	} {
		got := AppendHeader(nil, tc.typ, tc.blen, tc.cookie)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("AppendHeader(%d, %d, %#x) = % x, want % x", tc.typ, tc.blen, tc.cookie, got, tc.want)
		}
		h, err := ParseHeader(got)
		if err != nil || h.Type != tc.typ || h.BodyLen != uint32(tc.blen) || h.Cookie != tc.cookie || h.Size != len(got) {
			t.Errorf("ParseHeader(% x) = %+v, %v", got, h, err)
		}
	}
}

func TestParseHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want error
	}{
		{nil, ErrMoreData},
		{[]byte{0xA1, 0x00, 0x00}, ErrMoreData},
		{[]byte{0xA2, 0x00, 0x00, 0x00}, ErrBadPkt},         // version 2
		{[]byte{0xB1, 0x00, 0x00, 0x00}, ErrBadPkt},         // magic
		{[]byte{0xA1, 0x20, 0x00, 0x00}, ErrBadPkt},         // type 2
		{[]byte{0xA1, 0xF0, 0x00, 0x00}, ErrBadPkt},         // type 15
		{[]byte{0xA1, 0x0F, 0x00, 0x00, 0x00}, ErrMoreData}, // 4+4 length and cookie bytes
	} {
		if _, err := ParseHeader(tc.in); err != tc.want {
			t.Errorf("ParseHeader(% x) = %v, want %v", tc.in, err, tc.want)
		}
	}
}

// The record encodings binrpc.h documents.
func TestRecords(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"int 0x1234", AppendInt(nil, Int, 0x1234), []byte{0x20, 0x12, 0x34}},
		{"int 7", AppendInt(nil, Int, 7), []byte{0x10, 0x07}},
		{"int 0", AppendInt(nil, Int, 0), []byte{0x00}},
		{"int -1", AppendInt(nil, Int, -1), []byte{0x40, 0xff, 0xff, 0xff, 0xff}},
		{"str abcdef", AppendStr(nil, Str, "abcdef"), append([]byte{0x71}, "abcdef\x00"...)},
		{"str abcdefhij", AppendStr(nil, Str, "abcdefhij"), append([]byte{0x91, 0x0A}, "abcdefhij\x00"...)},
		{"str empty", AppendStr(nil, Str, ""), []byte{0x11, 0x00}},
		{"bytes abcdef", AppendStr(nil, Bytes, "abcdef"), append([]byte{0x66}, "abcdef"...)},
		{"bytes 65535", AppendStr(nil, Bytes, strings.Repeat("x", 65535))[:3], []byte{0xA6, 0xff, 0xff}},
		{"avp test", AppendStr(nil, AVP, "test"), append([]byte{0x55}, "test\x00"...)},
		{"double 2.5", AppendDouble(nil, 2.5), []byte{0x22, 0x09, 0xC4}},
		{"double 0", AppendDouble(nil, 0), []byte{0x02}},
		{"double -1.5", AppendDouble(nil, -1.5), []byte{0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfa, 0x24}},
		{"array param", AppendParam(nil, &rpc.Value{Kind: rpc.Array, Items: []*rpc.Value{rpc.NewInt(1), rpc.NewInt(2)}}),
			[]byte{0x04, 0x10, 0x01, 0x10, 0x02, 0x84}},
		{"struct param", AppendParam(nil, rpc.NewStruct().Set("intval", rpc.NewInt(3)).Set("s", rpc.NewStr("abc"))),
			append(append(append([]byte{0x03, 0x75}, "intval\x00"...), 0x10, 0x03, 0x25, 's', 0, 0x41), "abc\x00\x83"...)},
	} {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s: % x, want % x", tc.name, tc.got, tc.want)
		}
	}
}

func TestReaderValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []byte
		loose bool
		want  string
		err   error
	}{
		{"scalars", cat(AppendInt(nil, Int, -5), AppendStr(nil, Str, "hi"), AppendDouble(nil, 1.25), AppendStr(nil, Bytes, "b")),
			false, "[-5, hi, 1.25, b]", nil},
		{"struct", AppendParam(nil, rpc.NewStruct().Set("a", rpc.NewInt(1)).Set("b", rpc.NewStruct().Set("c", rpc.NewStr("x")))),
			false, "[{a: 1, b: {c: x}}]", nil},
		{"array", AppendParam(nil, &rpc.Value{Kind: rpc.Array, Items: []*rpc.Value{rpc.NewInt(1), rpc.NewStr("z")}}),
			false, "[[1, z]]", nil},
		{"reply array as struct", []byte{0x03, 0x10, 0x01, 0x10, 0x02, 0x83}, true, "[[1, 2]]", nil},
		{"plain value in struct, strict", []byte{0x03, 0x10, 0x01, 0x83}, false, "[]", ErrRecord},
		{"avp outside struct", append([]byte{0x25}, "a\x00\x10\x01"...), false, "[]", ErrType},
		{"avp with array value", append([]byte{0x03, 0x25}, "a\x00\x04\x84\x83"...), false, "[]", ErrRecord},
		{"struct end without start", []byte{0x10, 0x01, 0x83}, false, "[1]", ErrRecord},
		{"array end without start", []byte{0x84}, false, "[]", ErrRecord},
		{"unclosed struct", []byte{0x10, 0x01, 0x03}, false, "[1]", ErrMoreData},
		{"truncated string", []byte{0x71, 'a', 'b'}, false, "[]", ErrMoreData},
		{"truncated length", []byte{0x91}, false, "[]", ErrMoreData},
		{"huge length", []byte{0xC1, 0xff, 0xff, 0xff, 0xff}, false, "[]", ErrMoreData},
		{"unknown type", []byte{0x10, 0x02, 0x07}, false, "[2]", ErrType},
		{"unknown type in struct", []byte{0x03, 0x07}, false, "[]", ErrRecord},
		{"mismatched end", []byte{0x04, 0x83}, false, "[]", ErrRecord},
		{"int over 4 bytes keeps low 32 bits", []byte{0x90, 0x05, 1, 0, 0, 0, 7}, false, "[7]", nil},
		{"zero-length string", []byte{0x01}, false, "[]", nil},
	} {
		r := NewReader(tc.in)
		r.Loose = tc.loose
		vals, err := r.Values()
		if got := (&rpc.Value{Kind: rpc.Array, Items: vals}).String(); got != tc.want || err != tc.err {
			t.Errorf("%s: Values(% x) = %s, %v; want %s, %v", tc.name, tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestReaderNextType(t *testing.T) {
	r := NewReader(AppendInt(nil, Int, 3))
	if _, err := r.Next(Str); err != ErrType {
		t.Fatalf("Next(Str) on an int: %v", err)
	}
	if rec, err := r.Next(Int); err != nil || rec.Int != 3 {
		t.Fatalf("Next(Int) = %+v, %v", rec, err)
	}
	if _, err := r.Next(All); err != ErrEOP {
		t.Fatalf("Next at the end: %v", err)
	}
}

func TestMaxDepth(t *testing.T) {
	in := bytes.Repeat([]byte{0x04}, MaxDepth+1)
	if _, err := NewReader(in).Values(); err != ErrRecord {
		t.Fatalf("nesting beyond MaxDepth: %v", err)
	}
}

func TestEncodeReply(t *testing.T) {
	st := rpc.NewStruct().Set("now", rpc.NewStr("x")).Set("n", rpc.NewInt(5)).
		Set("arr", rpc.NewArray().Append(rpc.NewInt(1)))
	body, f := EncodeReply([]*rpc.Value{rpc.NewStr("a"), st, rpc.NewBool(true), rpc.NewInt(1 << 40)}, Limits{Body: 100, Struct: 100})
	if f != nil {
		t.Fatal(f)
	}
	want := cat(AppendStr(nil, Str, "a"),
		[]byte{0x03}, AppendStr(nil, AVP, "now"), AppendStr(nil, Str, "x"),
		AppendStr(nil, AVP, "n"), AppendInt(nil, Int, 5),
		AppendStr(nil, AVP, "arr"), []byte{0x03, 0x10, 0x01, 0x83}, []byte{0x83},
		AppendInt(nil, Int, 1), AppendDouble(nil, 1<<40))
	if !bytes.Equal(body, want) {
		t.Fatalf("body\n % x\nwant\n % x", body, want)
	}
	r := NewReader(body)
	r.Loose = true
	vals, err := r.Values()
	if got := (&rpc.Value{Kind: rpc.Array, Items: vals}).String(); err != nil || got != "[a, {now: x, n: 5, arr: [1]}, 1, 1099511627776]" {
		t.Fatalf("decoded %s, %v", got, err)
	}
}

func TestEncodeReplyNamedItems(t *testing.T) {
	arr := rpc.NewArray().Append(rpc.NewInt(1)).AppendNamed("socket", rpc.NewStruct().Set("proto", rpc.NewStr("udp")))
	body, f := EncodeReply([]*rpc.Value{arr}, Limits{Body: 100, Struct: 100})
	if f != nil {
		t.Fatal(f)
	}
	want := cat([]byte{0x03}, AppendInt(nil, Int, 1), AppendStr(nil, AVP, "socket"), []byte{0x03},
		AppendStr(nil, AVP, "proto"), AppendStr(nil, Str, "udp"), []byte{0x83, 0x83})
	if !bytes.Equal(body, want) {
		t.Fatalf("body\n % x\nwant\n % x", body, want)
	}
}

func TestEncodeReplyLimits(t *testing.T) {
	// The body holds exactly what fits; one byte more faults.
	v := rpc.NewStr("abcdef") // 8 bytes
	if _, f := EncodeReply([]*rpc.Value{v}, Limits{Body: 8, Struct: 8}); f != nil {
		t.Fatalf("exact fit: %v", f)
	}
	_, f := EncodeReply([]*rpc.Value{v}, Limits{Body: 7, Struct: 8})
	if f == nil || f.Code != 500 || f.Text != "Internal server error processing 's': buffer too small (overflow) (-2)" {
		t.Fatalf("overflow fault = %v", f)
	}
	// A structure costs two bytes of the body; its members are counted
	// in its own buffer, where what does not fit is left out.
	st := rpc.NewStruct().Set("a", rpc.NewInt(1)).Set("long", rpc.NewStr("0123456789")).Set("b", rpc.NewInt(2))
	body, f := EncodeReply([]*rpc.Value{st}, Limits{Body: 2, Struct: 10})
	if f != nil {
		t.Fatal(f)
	}
	r := NewReader(body)
	r.Loose = true
	vals, _ := r.Values()
	if got := vals[0].String(); got != "{a: 1, b: 2}" {
		t.Fatalf("struct with a member too long: %s", got)
	}
	if _, f := EncodeReply([]*rpc.Value{st}, Limits{Body: 1, Struct: 100}); f == nil || !strings.Contains(f.Text, "'{'") {
		t.Fatalf("struct tags beyond the body: %v", f)
	}
}

func TestEncodeReplyPrintf(t *testing.T) {
	mk := func(s string) *rpc.Value { v := rpc.NewStr(s); v.Printed = true; return v }
	body, _ := EncodeReply([]*rpc.Value{mk("abc"), mk("abcd"), mk("abcde"), rpc.NewStr("plain string")}, Limits{Body: 100, Struct: 100, Printf: 4})
	vals, _ := NewReader(body).Values()
	got := []string{}
	for _, v := range vals {
		got = append(got, v.Str)
	}
	if strings.Join(got, "|") != "abc|abc\x00|plain string" {
		t.Fatalf("printf limit: %q", got)
	}
}

func TestFault(t *testing.T) {
	body, ok := FaultBody(500, "command x not found")
	code, text, err := ParseFault(body)
	if !ok || err != nil || code != 500 || text != "command x not found" {
		t.Fatalf("ParseFault = %d %q %v", code, text, err)
	}
	body, ok = FaultBody(1, strings.Repeat("y", 300))
	if _, text, _ := ParseFault(body); !ok || len(text) != 255 {
		t.Fatalf("long fault text kept %d bytes", len(text))
	}
	// What Kamailio's 5-byte fault buffer cannot hold is never sent.
	for _, tc := range []struct {
		code int
		n    int
		ok   bool
	}{{500, 254, true}, {500, 255, false}, {500, 300, false}, {255, 255, true}, {-1, 0, false}} {
		if _, ok := FaultBody(tc.code, strings.Repeat("z", tc.n)); ok != tc.ok {
			t.Errorf("FaultBody(%d, %d bytes) ok = %v", tc.code, tc.n, ok)
		}
	}
}

func TestErrorText(t *testing.T) {
	for e, want := range map[Error]string{ErrBadPkt: "corrupted packet", ErrEOP: "end of packet encountered", Error(-42): "unknown/invalid error code"} {
		if e.Error() != want {
			t.Errorf("%d: %q", e, e.Error())
		}
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestEncodeUnsigned: an unsigned integer ('u') travels as its 32 bits in
// a signed integer record, as Kamailio's binrpc_addint gets it: all bits
// set is -1, also inside a structure.
func TestEncodeUnsigned(t *testing.T) {
	st := rpc.NewStruct().Set("Methods", rpc.NewUint(4294967295))
	body, f := EncodeReply([]*rpc.Value{rpc.NewUint(4294967295), rpc.NewUint(7), st}, Limits{Body: 100, Struct: 100})
	if f != nil {
		t.Fatal(f)
	}
	want := cat(AppendInt(nil, Int, -1), AppendInt(nil, Int, 7),
		[]byte{0x03}, AppendStr(nil, AVP, "Methods"), AppendInt(nil, Int, -1), []byte{0x83})
	if !bytes.Equal(body, want) {
		t.Fatalf("body\n % x\nwant\n % x", body, want)
	}
}
