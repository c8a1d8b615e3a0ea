package jsondoc

import (
	"strings"
	"testing"
)

// The expectations below are json-c 0.16's, as Kamailio 5.6.3 showed them
// in the json module's recorded cases (modules/json/testdata).

func TestParseJSONC(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":"x","b":{"c":1,"d":[1,"y"]}}`, `{ "a": "x", "b": { "c": 1, "d": [ 1, "y" ] } }`},
		{`{'a':'x'}`, `{ "a": "x" }`},
		{`{"a":1,} junk`, `{ "a": 1 }`},
		{"/* c */ {\"a\": // x\n TRUE}", `{ "a": true }`},
		{`{"a":1,"a":2,"b":3}`, `{ "a": 2, "b": 3 }`},
		{`{"a":007}`, `{ "a": 7 }`},
		{`{"a":1.50}`, `{ "a": 1.50 }`},
		{`{"a":1e+}`, `{ "a": 1 }`},
		{`{"a":NaN,"b":-infinity,"c":Infinity}`, `{ "a": NaN, "b": -Infinity, "c": Infinity }`},
		{`{"a":18446744073709551615}`, `{ "a": 18446744073709551615 }`},
		{`{"a":99999999999999999999999,"b":-99999999999999999999}`, `{ "a": 18446744073709551615, "b": -9223372036854775808 }`},
		{`{"a":"x\u0001/\u00e9"}`, "{ \"a\": \"x\\u0001\\/\u00e9\" }"},
		{`{"a":{},"b":[],"c":[null,true]}`, `{ "a": { }, "b": [ ], "c": [ null, true ] }`},
		{`{"a":1} /* open`, `{ "a": 1 }`},
		{`[1,]`, `[ 1 ]`},
		{`5`, `5`},
		{`12abc`, `12`},
		{`"text"`, `"text"`},
		{`-0`, `0`},
		{`{"k\u0000x":1}`, `{ "k": 1 }`},
		{"{\"a\":\"\xff\x01\"}", "{ \"a\": \"\xff\\u0001\" }"},
		{`["\ud83d\ude00","\ud83dx","\ude00","\ud83d\n"]`, "[ \"\U0001F600\", \"\uFFFDx\", \"\uFFFD\", \"\uFFFD\\n\" ]"},
		{"{\"a\":1}\x00/x", `{ "a": 1 }`},
	} {
		n, err := ParseJSONC(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := n.JSONC(); got != tc.want {
			t.Errorf("%q: got %s want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseJSONCErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", `{"a":1`, `{"a":[1 2]}`, `{"a":1} /x`, `{"a":1} /`, `{"a":"\q"}`,
		`{a:1}`, `[1,,2]`, `-`, `nul`, `tru`, `[12abc]`, `{"a" 1}`, "/* open", `"abc`,
		`{"a":1.-2}`, `-x`,
	} {
		if n, err := ParseJSONC(in); err == nil {
			t.Errorf("%q accepted: %s", in, n.JSONC())
		}
	}
}

func TestParseJSONCNull(t *testing.T) {
	for _, in := range []string{"null", " NULL ", "nullx"} {
		n, err := ParseJSONC(in)
		if err != nil || n.Kind != Null {
			t.Errorf("%q: %v %v", in, n, err)
		}
	}
}

func TestParseJSONCDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	if _, err := ParseJSONC(nest(32)); err != nil {
		t.Errorf("32 levels: %v", err)
	}
	if _, err := ParseJSONC(nest(33)); err == nil {
		t.Error("33 levels accepted")
	}
}

func TestJSONCString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"x/y"`, "x/y"},
		{`"a\u0000b"`, "a"},
		{`[1]`, "[ 1 ]"},
		{`1.50`, "1.50"},
	} {
		n, err := ParseJSONC(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.JSONCString(); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.in, got, tc.want)
		}
	}
}
