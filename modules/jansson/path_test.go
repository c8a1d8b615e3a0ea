package jansson

import (
	"testing"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
)

func doc(t *testing.T, s string) *jsondoc.Node {
	t.Helper()
	n, err := jsondoc.ParseJansson(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPathGet follows json_path_get's rules (recorded behaviour is in
// spec/conformance/modules/jansson/funcs, get-path and get-field-path).
func TestPathGet(t *testing.T) {
	root := doc(t, `{"a":[1,2,[3,4]],"b":{"c":{"d":"deep"}},"":"empty","e.f":5}`)
	for _, tc := range []struct{ path, want string }{
		{"", `{"a":[1,2,[3,4]],"b":{"c":{"d":"deep"}},"":"empty","e.f":5}`},
		{"a[-1]", ""},
		{"a[0x1]", "2"},
		{"a[]", "1"},
		{"a[ 1]", "2"},
		{"a[+1]", "2"},
		{"a[2][1]", "4"},
		{"a[2]x", ""},
		{"a[2].x", ""},
		{"a[1", ""},
		{"a.", `[1,2,[3,4]]`},
		{"b.c.d", `"deep"`},
		{"b..c", ""},
		{".", `"empty"`},
		{"e.f", ""},
		{"a[x]", ""},
		{"a[08]", ""},
		{"a[0x]", ""},
		{"zz", ""},
		{"b.c.d.e", ""},
	} {
		got := ""
		if n := pathGet(root, tc.path); n != nil {
			got = n.Jansson(true)
		}
		if got != tc.want {
			t.Errorf("%q: got %s want %s", tc.path, got, tc.want)
		}
	}
	if got := pathGet(doc(t, `[[0,1,2,3,4,5,6,7,8,9]]`), "[0][010]"); got == nil || got.Int != 8 {
		t.Errorf("octal index: %v", got)
	}
}

// TestPathSet follows json_path_set's rules (recorded in
// spec/conformance/modules/jansson/funcs, set-paths and append-modes).
func TestPathSet(t *testing.T) {
	const start = `{"a":[1,2],"o":{"x":1},"n":5}`
	nine := &jsondoc.Node{Kind: jsondoc.Int, Int: 9}
	obj := doc(t, `{"y":2,"x":3}`)
	for _, tc := range []struct {
		path   string
		v      *jsondoc.Node
		append bool
		want   string // "" for an error
	}{
		{"a[1]", nine, false, `{"a":[1,9],"o":{"x":1},"n":5}`},
		{"a[5]", nine, false, ""},
		{"a[-1]", nine, false, ""},
		{"z[0]", nine, false, ""},
		{"p.q.r", nine, false, `{"a":[1,2],"o":{"x":1},"n":5,"p":{"q":{"r":9}}}`},
		{"n.m", nine, false, ""},
		{"n.m.k", nine, false, ""},
		{"", nine, false, ""},
		{"o.", nine, false, ""},
		{"o..x", nine, false, ""},
		{"a[0]x", nine, false, `{"a":[9,2],"o":{"x":1},"n":5}`},
		{"a[0", nine, false, ""},
		{"[0]", nine, false, ""},
		{"o", obj, true, `{"a":[1,2],"o":{"x":3,"y":2},"n":5}`},
		{"o", nine, true, ""},
		{"n", nine, true, ""},
		{"a", nine, true, `{"a":[1,2,9],"o":{"x":1},"n":5}`},
		{"a[0]", nine, true, `{"a":[9,2],"o":{"x":1},"n":5}`},
		{"a.", nine, true, `{"a":[1,2,9],"o":{"x":1},"n":5}`},
		{"", obj, true, `{"a":[1,2],"o":{"x":1},"n":5,"y":2,"x":3}`},
		{"", nine, true, ""},
		{"missing", nine, true, ""},
	} {
		root := doc(t, start)
		err := pathSet(root, tc.path, tc.v, tc.append)
		got := ""
		if err == nil {
			got = root.Jansson(true)
		}
		if got != tc.want {
			t.Errorf("%q append=%v: got %s (%v) want %s", tc.path, tc.append, got, err, tc.want)
		}
	}
	arr := doc(t, `[[1],2]`)
	if err := pathSet(arr, "[0][0]", nine, false); err != nil || arr.Jansson(true) != `[[9],2]` {
		t.Errorf("root array: %s %v", arr.Jansson(true), err)
	}
}

func TestStrtol0(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		rest string
	}{
		{"", 0, ""}, {"12", 12, ""}, {"0x1f", 31, ""}, {"010", 8, ""}, {"08", 0, "8"},
		{" -3", -3, ""}, {"+4z", 4, "z"}, {"0x", 0, "x"}, {"x", 0, "x"}, {"-", 0, "-"},
		{"99999999999999999999", 1<<63 - 1, ""}, {"-99999999999999999999", -1 << 63, ""},
	} {
		n, rest := strtol0(tc.in)
		if n != tc.n || rest != tc.rest {
			t.Errorf("strtol0(%q) = %d, %q; want %d, %q", tc.in, n, rest, tc.n, tc.rest)
		}
	}
}

// TestNewValue checks the value jansson_set builds for each type, with
// the errors Kamailio logs (recorded in
// spec/conformance/modules/jansson/funcs, set-types).
func TestNewValue(t *testing.T) {
	for _, tc := range []struct{ typ, in, want, err string }{
		{"integer", " 12", "12", ""},
		{"int", "", "0", ""},
		{"int", "99999999999999999999", "9223372036854775807", ""},
		{"int", "12 ", "", `parsing int failed for "p" - "12 "`},
		{"int", "0x10", "", `parsing int failed for "p" - "0x10"`},
		{"real", "0x10", "16.0", ""},
		{"real", "", "0.0", ""},
		{"real", "1e400", "", `value to add is not a real "p"`},
		{"real", "nan", "", `value to add is not a real "p"`},
		{"real", "1.5x", "", `parsing real failed for "p" - "1.5x"`},
		{"str", "a\x00b", `"a"`, ""},
		{"string", "\xff", "", `value to add is not a string - "p"`},
		{"object", "[1]", "", `value to add is not an object - "p"`},
		{"array", "{}", "", `value to add is not an array - "p"`},
		{"obj", "{bad", "", `parsing failed for "{bad"; value error at line 1: string or '}' expected near 'bad'`},
		{"array", "[1,{}]", `[1,{}]`, ""},
		{"true", "x", "true", ""},
		{"false", "", "false", ""},
		{"null", "", "null", ""},
		{"Int", "1", "", "unrecognized input type"},
	} {
		n, err := newValue(tc.typ, tc.in, "p")
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%s %q: error %v, want %q", tc.typ, tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s %q: %v", tc.typ, tc.in, err)
		case tc.err == "" && n.Jansson(true) != tc.want:
			t.Errorf("%s %q: got %s want %s", tc.typ, tc.in, n.Jansson(true), tc.want)
		}
	}
}
