package textopsx

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

const request = "INVITE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1\r\n" +
	"From: <sip:alice@example.com>;tag=1\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"Subject: hi\r\n" +
	"X-A: a, b\r\n" +
	"Call-ID: c1\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Content-Length: 8\r\n\r\n" +
	"l1\r\nl2\r\nl3"

func parse(t *testing.T, text string) *sipmsg.Msg { return siptest.Parse(t, text) }

func TestParseHExpr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		o    op
		want hexpr
		err  string
	}{
		{in: "X-A", o: opAppend, want: hexpr{name: "X-A", canon: "x-a", idx: -1}},
		{in: " x-a [ 2 ] ", o: opAppend, want: hexpr{name: "x-a", canon: "x-a", hasIdx: true, idx: 2}},
		{in: "X-A.p ", o: opRemove, err: "fixup_hname_param(): cannot parse header near ' '"},
		{in: "k[0]", o: opInsert, want: hexpr{name: "k", canon: "supported", hasIdx: true, idx: 1}},
		{in: "X-A[*].p", o: opRemove, want: hexpr{name: "X-A", canon: "x-a", all: true, hasIdx: true, idx: 1, param: "p"}},
		{in: "X-A[-3]", o: opRemove2, want: hexpr{name: "X-A", canon: "x-a", hasIdx: true, idx: -3}},
		{in: "X-A[*]", o: opAssign, err: "assign_hf_value_fixup(): asterisk not supported without param"},
		{in: "X-A[-11]", o: opRemove, err: "remove_hf_value_fixup(): index cannot be lower than -10"},
		{in: "X-A.", o: opRemove, err: "fixup_hname_param(): cannot parse header near ''"},
		{in: "[1]", o: opRemove, err: "fixup_hname_param(): cannot parse header near '[1]'"},
		{in: "X-A[1", o: opRemove, err: "fixup_hname_param(): cannot parse header near ''"},
		{in: "X-A.p", o: opInclude, err: "include_hf_value_fixup(): neither index nor param may be specified in 'X-A'"},
		{in: "X-A.p", o: opAppend, err: "append_hf_value_fixup(): param not supported"},
	} {
		e, err := parseHExpr(tc.in, tc.o)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		tc.want.op = tc.o
		if *e != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.in, *e, tc.want)
		}
	}
}

// TestParams: the parameter searches find what Kamailio's find, and the
// name=value search cannot loop on a byte it does not know.
func TestParams(t *testing.T) {
	buf := `<sip:a;p=1>;p = "x;y" ;q`
	at := skipToParams(buf, 0, len(buf))
	if buf[at:] != `;p = "x;y" ;q` {
		t.Fatalf("params at %q", buf[at:])
	}
	sp, ok := findParam(buf, at, len(buf), "P")
	if !ok || buf[sp.delAt:sp.delEnd] != `;p = "x;y"` || buf[sp.updAt:sp.updEnd] != ` = "x;y"` {
		t.Errorf("p: %v %q %q", ok, buf[sp.delAt:sp.delEnd], buf[sp.updAt:sp.updEnd])
	}
	if sp, ok := findParam(buf, at, len(buf), "r"); ok || sp.delAt != len(buf) {
		t.Errorf("r: %v %d", ok, sp.delAt)
	}
	buf2 := `Digest a=1;junk, b="2"`
	sp, delim, ok := findParam2(buf2, 0, len(buf2), "b")
	if !ok || delim != "," || buf2[sp.delAt:sp.delEnd] != `, b="2"` {
		t.Errorf("b: %v %q %q", ok, delim, buf2[sp.delAt:sp.delEnd])
	}
	if _, delim, ok := findParam2("Basic", 0, 5, "x"); ok || delim != " " {
		t.Errorf("lone scheme: %v %q", ok, delim)
	}
}

func TestValues(t *testing.T) {
	buf := `X: "a,\"b" <sip:x>, c ,`
	f := field{body: 3, end: len(buf)}
	vs := values(buf, &f)
	if len(vs) != 2 || buf[vs[0].at:vs[0].end] != `"a,\"b" <sip:x>` || buf[vs[1].at:vs[1].end] != "c" {
		t.Fatalf("%+v", vs)
	}
	if d := vs[1].forDelete(); buf[d.lumpAt:d.lumpEnd] != ", c ," {
		t.Errorf("last value with the comma it ends in: %q", buf[d.lumpAt:d.lumpEnd])
	}
}

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"a*", "abc", true}, {"*c", "abc", true}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
		{"?", "", false}, {"[a-c]x", "bx", true}, {"[!a-c]x", "bx", false}, {"[^a]", "b", true},
		{"[]a]", "]", true}, {"[[:alpha:]]", "5", false}, {"a\\*", "a*", true}, {"a\\*", "ab", false},
		{"[ab", "[ab", true}, {"*", ".x/y", true}, {"a", "A", false},
	} {
		if got := fnmatch(tc.pat, tc.s); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v", tc.pat, tc.s, got)
		}
	}
}

// TestKeepHFAll: keep_hf() without an expression keeps only the headers
// it always keeps.
func TestKeepHFAll(t *testing.T) {
	m := parse(t, request)
	if keepHF(m, nil) != -1 {
		t.Error("keep_hf returns -1")
	}
	want := "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1\r\n" +
		"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n" +
		"Content-Length: 8\r\n\r\nl1\r\nl2\r\nl3"
	if got := m.Rebuilt(); got != want {
		t.Errorf("got %q", got)
	}
}

// TestApplyKeepsState: a re-parsed message keeps what belongs to the
// event, and reads see the changes.
func TestApplyKeepsState(t *testing.T) {
	m := parse(t, request)
	m.Src = sipmsg.Addr{IP: "10.0.0.1", Port: 5062}
	m.Proto = "tcp"
	m.ConnID = 7
	m.DstURI = "sip:10.0.0.9"
	m.Ruid = "r1"
	m.ReplyHeaders = "X-R: 1\r\n"
	m.SetRequestURI("sip:carol@example.net")
	m.Insert(m.HeadersEnd(), "X-New: 1\r\n")
	id := m.ID
	c := &event.Context{Route: routetype.Request}
	sipmsg.Set(c, m)
	mod := &Module{}
	if rc := mod.applyChanges(c); rc != 1 {
		t.Fatalf("rc %d", rc)
	}
	if m.ID != id || m.Src.Port != 5062 || m.Proto != "tcp" || m.ConnID != 7 || m.DstURI != "sip:10.0.0.9" {
		t.Errorf("lost the event's state: %+v", m)
	}
	if m.Ruid != "" || m.ReplyHeaders != "" || m.NewURI != "" || len(m.Edits) != 0 {
		t.Errorf("kept what the re-parse drops: %+v", m)
	}
	if v, ok := m.Header("x-new"); !ok || v != "1" || m.RURI != "sip:carol@example.net" {
		t.Errorf("reads do not see the changes: %q %v %q", v, ok, m.RURI)
	}
	c.Route = routetype.Failure
	if rc := mod.applyChanges(c); rc != -1 {
		t.Errorf("a request outside request_route: %d", rc)
	}
	if rc := mod.setBuffer(&event.Context{Route: routetype.Request}, "not sip"); rc != 0 {
		t.Errorf("a text that does not parse ends the script: %d", rc)
	}
}

// TestBodyLines: the last line of a body without a line end ends with the
// body; positions do not survive a re-parse.
func TestBodyLines(t *testing.T) {
	m := parse(t, request)
	c := &event.Context{Route: routetype.Request, Worker: event.NewWorker(1)}
	sipmsg.Set(c, m)
	mod := &Module{}
	mod.blStart(c, "b")
	var lines []string
	for mod.blNext(c, "b") > 0 {
		lines = append(lines, mod.blValue(c, "b").S)
	}
	if len(lines) != 3 || lines[0] != "l1\r\n" || lines[2] != "l3" {
		t.Errorf("lines %q", lines)
	}
	mod.hfStart(c, "h")
	mod.hfNext(c, "h")
	if v := mod.hfName(c, "h"); v.S != "Via" {
		t.Errorf("first header %v", v)
	}
	mod.applyChanges(c)
	if v := mod.hfName(c, "h"); v != value.NullValue {
		t.Errorf("position kept over a re-parse: %v", v)
	}
}

// TestKEMIExports: every function Kamailio 5.6.3's textopsx exports to
// KEMI (34), each once.
func TestKEMIExports(t *testing.T) {
	fs := new(Module).KEMI()
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.Name] {
			t.Errorf("%s twice", f.Name)
		}
		seen[f.Name] = true
	}
	if len(fs) != 34 {
		t.Errorf("%d KEMI functions, want 34", len(fs))
	}
}
