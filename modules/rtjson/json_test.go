package rtjson

import "testing"

// TestParseDoc checks the reader's leniency, which decides what
// rtjson_init_routes accepts, against the rules of Kamailio's reader.
func TestParseDoc(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		ok      bool
		routing string // the routing member's string value, "-" for none
	}{
		{`{"routing": "serial"}`, true, "serial"},
		{` {"routing":"serial"} trailing text`, true, "serial"},
		{`{"ROUTING": "parallel"}`, true, "parallel"},
		{`{"routing": "a", "routing": "b"}`, true, "a"},
		{`{"routing": "ser\u0069al"}`, true, "serial"},
		{`{"routing": "x\u0000y"}`, true, "xy"},
		{`{"routing": "\q"}`, true, "q"},
		{"{\"routing\": \"serial\"}\x00garbage", true, "serial"},
		{`{"routing": 1}`, true, "-"},
		{`"unterminated`, true, "-"},
		{`[]`, true, "-"},
		{`{"routing": "serial"`, false, ""},
		{`{routing: "serial"}`, false, ""},
		{`{"routing" "serial"}`, false, ""},
		{`{"routes": [1, 2,]}`, false, ""},
		{``, false, ""},
		{`   `, false, ""},
		{`nul`, false, ""},
		{"\x00{}", false, ""},
	} {
		n, ok := parseDoc(tc.doc)
		if ok != tc.ok {
			t.Errorf("parseDoc(%q) ok = %v, want %v", tc.doc, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		r, isStr := n.member("routing").text()
		if !isStr {
			r = "-"
		}
		if r != tc.routing {
			t.Errorf("parseDoc(%q): routing %q, want %q", tc.doc, r, tc.routing)
		}
	}
}

// TestNumbers checks how numbers read and convert to the unsigned values
// the timers and branch flags take.
func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		text string
		want uint32
	}{
		{"1000", 1000}, {"012", 12}, {"1.9", 1}, {"1e3", 1000}, {"2E+2", 200},
		{"5e-1", 0}, {"-", 0}, {"-0.5", 0}, {"4294967295", 4294967295},
		{"4294967296", 0}, {"-1", 4294967295}, {"1e400", 0},
	} {
		n, ok := parseDoc(`{"v": ` + tc.text + `}`)
		if !ok {
			t.Errorf("%s: does not parse", tc.text)
			continue
		}
		got, isNum := n.member("v").uint()
		if !isNum || got != tc.want {
			t.Errorf("%s: %d (number %v), want %d", tc.text, got, isNum, tc.want)
		}
	}
}

// TestDeepDocument checks that a document nested beyond the bound is
// refused instead of exhausting the stack.
func TestDeepDocument(t *testing.T) {
	deep := ""
	for range maxDepth + 1 {
		deep += "["
	}
	if _, ok := parseDoc(deep); ok {
		t.Error("a document nested too deeply parsed")
	}
}

// FuzzParseDoc checks that no document makes the reader fail other than
// by refusing it.
func FuzzParseDoc(f *testing.F) {
	for _, s := range []string{`{"routing": "serial", "routes": [{"uri": "sip:a@b"}]}`, `"\ud83d\ude00`, `{"a": "\u12`, `[1e99999, -0.5e-3]`, `{"a":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		n, ok := parseDoc(doc)
		if ok {
			n.member("routing").text()
			n.member("routes").uint()
		}
	})
}
