package jsondoc

import (
	"math"
	"testing"
)

// The expectations below are jansson 2.14's, as Kamailio 5.6.3 showed
// them in the modules' recorded cases (modules/jansson/testdata).

func TestParseJanssonDumps(t *testing.T) {
	for _, tc := range []struct{ in, compact, spaced string }{
		{`{"a":{"b":[10,"x",{"c":true}],"f":1.50,"n":null}}`,
			`{"a":{"b":[10,"x",{"c":true}],"f":1.5,"n":null}}`,
			`{"a": {"b": [10, "x", {"c": true}], "f": 1.5, "n": null}}`},
		{` [1] `, `[1]`, `[1]`},
		{`{"s":"a\u00e9\ud83d\ude00\n\/"}`, "{\"s\":\"a\u00e9\U0001F600\\n/\"}", "{\"s\": \"a\u00e9\U0001F600\\n/\"}"},
		{`{"z":"\u0001\u001f\"\\\b\f\r\t"}`, `{"z":"\u0001\u001F\"\\\b\f\r\t"}`, `{"z": "\u0001\u001F\"\\\b\f\r\t"}`},
		{`[-0,1E2,2.0,1e-7]`, `[0,100.0,2.0,9.9999999999999995e-8]`, `[0, 100.0, 2.0, 9.9999999999999995e-8]`},
		{`{}`, `{}`, `{}`},
		{`[]`, `[]`, `[]`},
		{"{\"a\":1}\x00garbage", `{"a":1}`, `{"a": 1}`},
	} {
		n, err := ParseJansson(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := n.Jansson(true); got != tc.compact {
			t.Errorf("%s compact: got %s want %s", tc.in, got, tc.compact)
		}
		if got := n.Jansson(false); got != tc.spaced {
			t.Errorf("%s spaced: got %s want %s", tc.in, got, tc.spaced)
		}
	}
}

func TestParseJanssonErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "'[' or '{' expected near end of file"},
		{"not json", "'[' or '{' expected near 'not'"},
		{"5", "'[' or '{' expected near '5'"},
		{"{} x", "end of file expected near 'x'"},
		{`{"a":1,"a":2}`, `duplicate object key near '"a"'`},
		{"[01]", "invalid token near '0'"},
		{"[1.]", "invalid token near '1.'"},
		{"[1,]", "unexpected token near ']'"},
		{"['a']", "invalid token near '''"},
		{`["\u0000"]`, `\u0000 is not allowed without JSON_ALLOW_NUL near '"\u0000"'`},
		{`["\ud800"]`, `invalid Unicode '\uD800' near '"\ud800"'`},
		{`["\udc00"]`, `invalid Unicode '\uDC00' near '"\udc00"'`},
		{`["\ud800\u0041"]`, `invalid Unicode '\uD800\u0041' near '"\ud800\u0041"'`},
		{"[99999999999999999999]", "too big integer near '99999999999999999999'"},
		{"[-99999999999999999999]", "too big negative integer"},
		{"[1e400]", "real number overflow near '1e400'"},
		{"[TRUE]", "invalid token near 'TRUE'"},
		{`{"a":/*c*/1}`, "invalid token near '/'"},
		{"{bad", "string or '}' expected near 'bad'"},
		{`{"a" 1}`, "':' expected near '1'"},
		{`{"a":1 "b":2}`, `'}' expected near '"b"'`},
		{`[1 2]`, "']' expected near '2'"},
		{"[\"a\nb\"]", "unexpected newline near '\"a'"},
		{"[\"a\x01\"]", "control character 0x1 near '\"a'"},
		{`["\x"]`, `invalid escape near '"\x'`},
		{`["abc`, `premature end of input near '"abc'`},
		{"[\"\xff\"]", "unable to decode byte 0xff"},
	} {
		_, err := ParseJansson(tc.in)
		je, ok := err.(*JanssonError)
		if !ok {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
			continue
		}
		if je.Text != tc.want {
			t.Errorf("%q: got %q want %q", tc.in, je.Text, tc.want)
		}
	}
}

func TestParseJanssonDepth(t *testing.T) {
	deep := func(n int) string {
		s := ""
		for i := 0; i < n; i++ {
			s += "["
		}
		for i := 0; i < n; i++ {
			s += "]"
		}
		return s
	}
	if _, err := ParseJansson(deep(2048)); err != nil {
		t.Errorf("2048 levels: %v", err)
	}
	if _, err := ParseJansson(deep(2049)); err == nil {
		t.Error("2049 levels accepted")
	}
}

func TestJanssonReal(t *testing.T) {
	for _, tc := range []struct {
		in       float64
		dump, ui string
	}{
		{0.1, "0.10000000000000001", "0.1"},
		{1e300, "1.0000000000000001e300", "1e+300"},
		{2, "2.0", "2"},
		{1e-7, "9.9999999999999995e-8", "1e-07"},
		{16, "16.0", "16"},
		{0, "0.0", "0"},
		{-0.5, "-0.5", "-0.5"},
		{123456789012345678, "1.2345678901234568e17", "1.23456789012346e+17"},
		{1.5, "1.5", "1.5"},
		{100, "100.0", "100"},
		{math.Copysign(0, -1), "-0.0", "-0"},
	} {
		if got := JanssonReal(tc.in); got != tc.dump {
			t.Errorf("JanssonReal(%v) = %s, want %s", tc.in, got, tc.dump)
		}
		if got := Real15(tc.in); got != tc.ui {
			t.Errorf("Real15(%v) = %s, want %s", tc.in, got, tc.ui)
		}
	}
}
