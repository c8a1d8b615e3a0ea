package json

import (
	"testing"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
)

// TestLookup follows tr_json_get_field_object's rules (recorded behaviour
// is in spec/conformance/modules/json/funcs, parse and parse-more).
func TestLookup(t *testing.T) {
	root, err := jsondoc.ParseJSONC(`{"a":{"b":[10,"x",{"c":true}],"n":null},"k":5,"d.e":1,"x":{"y":[7,8]},"w":{"w":[7,8]}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"k", "5"},
		{"a.b[1]", `"x"`},
		{"a.b[2].c", "true"},
		{"a.b[9]", ""},
		{"a.b[-1]", ""},
		{"a[0]", `{ "b": [ 10, "x", { "c": true } ], "n": null }`},
		{"a.b[x]", "10"},
		{"a.b[]", `[ 10, "x", { "c": true } ]`},
		{"a.b[ 2 ].c", "true"},
		{"a.n", "null"},
		{"d%e", "1"},
		{"zz", ""},
		{"[0]", ""},
		{"w.[1]", "[ 7, 8 ]"}, // a segment starting with '[' reuses the previous key, without its index
		{"..k..", "5"},
		{"", `{ "a": { "b": [ 10, "x", { "c": true } ], "n": null }, "k": 5, "d.e": 1, "x": { "y": [ 7, 8 ] }, "w": { "w": [ 7, 8 ] } }`},
	} {
		got := ""
		if n := lookup(root, tc.path, '.'); n != nil {
			got = n.JSONC()
		}
		if got != tc.want {
			t.Errorf("%q: got %s want %s", tc.path, got, tc.want)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "x": 0, "12": 12, " -3": -3, "+4z": 4, "2147483648": -2147483648, "99999999999999999999": -1,
	} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}
