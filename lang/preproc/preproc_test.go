package preproc

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/token"
)

func kinds(r *Result) string {
	var b []string
	for _, t := range r.Tokens[:len(r.Tokens)-1] {
		b = append(b, kindTag[t.Kind]+":"+t.Text)
	}
	return strings.Join(b, " ")
}

func codes(r *Result) string {
	var b []string
	for _, d := range r.Diags {
		b = append(b, d.Code)
	}
	return strings.Join(b, " ")
}

func TestTokens(t *testing.T) {
	tests := []struct{ src, want string }{
		{`a_1 _b`, `Ident:a_1 Ident:_b`},
		{`if else switch case default while`, `Keyword:if Keyword:else Keyword:switch Keyword:case Keyword:default Keyword:while`},
		{`yes no on off true false enable disable`, `Int:yes Int:no Int:on Int:off Int:true Int:false Int:enable Int:disable`},
		{`0 12 0x1f 010 101b 089 0x1fz 5060abc`, `Int:0 Int:12 Int:0x1f Int:010 Int:101b NumID:089 NumID:0x1fz NumID:5060abc`},
		{`1.2.3.4 10.0.0.255:5060`, `Addr:1.2.3.4 Addr:10.0.0.255 Punct:: Int:5060`},
		{`::1 :: fe80::1 1:2:3:4:5:6:7:8 2001:db8::`, `Addr:::1 Addr::: Addr:fe80::1 Addr:1:2:3:4:5:6:7:8 Addr:2001:db8::`},
		{`beef a:b`, `Ident:beef Ident:a Punct:: Ident:b`},
		{`"a\nb\r\a\t\"\\"`, "String:a\nb\r\a\t\"\\"},
		{`"\x41\x4a\101\12\1\q\."`, "String:AJA\n\\1\\q\\."},
		{"\"a\\\nb\"", `String:ab`},
		{"\"multi\nline\"", "String:multi\nline"},
		{`"a" "b"` + "\n\t \"c\"", `String:abc`},
		{`"a" # c` + "\n" + `"b"`, `String:a String:b`},
		{`'raw\n"'`, `String:raw\n"`},
		{`$? $rc $retcode $rcx $fU $var(x) $(ru{uri.user}) $xavp(a=>b[0]) $hdr(X(1))`, `PVar:$? PVar:$rc PVar:$retcode PVar:$rc Ident:x PVar:$fU PVar:$var(x) PVar:$(ru{uri.user}) PVar:$xavp(a=>b[0]) PVar:$hdr(X(1))`},
		{`$var(x){s.len}`, `PVar:$var(x) Punct:{ Ident:s Punct:. Ident:len Punct:}`},
		{`%attr %t.x`, `PVar:%attr PVar:%t.x`},
		{`(int)$x (str)"1" ( int )`, `Punct:(int) PVar:$x Punct:(str) String:1 Punct:( Ident:int Punct:)`},
		{`== != =~ <= >= << >> && || += -= = + - * / < > ! ~ & | ^ : . @ , ; { } [ ] ( )`, `Punct:== Punct:!= Punct:=~ Punct:<= Punct:>= Punct:<< Punct:>> Punct:&& Punct:|| Punct:+= Punct:-= Punct:= Punct:+ Punct:- Punct:* Punct:/ Punct:< Punct:> Punct:! Punct:~ Punct:& Punct:| Punct:^ Punct:: Punct:. Punct:@ Punct:, Punct:; Punct:{ Punct:} Punct:[ Punct:] Punct:( Punct:)`},
		{`event_route[xhttp:request] event_route [ evapi:message-received ]`, `Keyword:event_route Punct:[ EventName:xhttp:request Punct:] Keyword:event_route Punct:[ EventName:evapi:message-received Punct:]`},
		{`route[a:b]`, `Keyword:route Punct:[ Ident:a Punct:: Ident:b Punct:]`},
		{`a \` + "\n" + `b`, `Ident:a Ident:b`},
		{`a /* x /* y */ z */ b`, `Ident:a Ident:b`},
		{`a // c` + "\n" + `b # c` + "\n" + `c`, `Ident:a Ident:b Ident:c`},
		{`msg:len uri:host uri:port uri`, `Keyword:msg:len Keyword:uri:host Keyword:uri:port Ident:uri`},
		{`!!x`, `Punct:! Punct:! Ident:x`},
		{`#!substx "/a/b/"`, `Ident:x String:/a/b/`},
	}
	for _, tc := range tests {
		r := Process("t.cfg", []byte(tc.src), Options{Version: [3]int{5, 8, 0}})
		if got := kinds(r); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

func TestDirectives(t *testing.T) {
	tests := []struct{ src, want, codes string }{
		{"#!define X 1\nX", `Int:1`, ``},
		{"#!def X 1\nX", `Int:1`, ``},
		{"!!define X 1\nX", `Int:1`, ``},
		{"#!define\tX 1\nX", `Int:1`, ``},
		{"#!defineX 1\nX", `Ident:X`, ``},
		{"#!define X 1\n#!define X 2\nX", `Int:1`, `KC0103`},
		{"#!define X-Y 1\nX", `Ident:X`, `KC0102`},
		{"#!define 1X\nX", `Ident:X`, `KC0101`},
		{"#!trydef X 1\n#!trydefine X 2\nX", `Int:1`, ``},
		{"#!define X 1\n#!redefine X 2\nX", `Int:2`, ``},
		{"#!redef X 2\nX", `Int:2`, ``},
		{"#!define X 1\n#!undef X\nX", `Ident:X`, ``},
		{"#!tryundef X\nX", `Ident:X`, ``},
		{"#!define X 1", `Ident:X`[:0], ``},
		{"#!ifdef KAMAILIO_5\na\n#!else\nb\n#!endif\n", `Ident:a`, ``},
		{"#!ifdef KAMAILIO_5_8\na\n#!endif\n", `Ident:a`, ``},
		{"#!ifdef KAMAILIO_5_6\na\n#!endif\n", ``, ``},
		{"#!ifndef KAMAILIO_5\na\n#!else\nb\n#!endif\n", `Ident:b`, ``},
		{"#!ifdef NO\n\"open $x(\n#!endif\nc", `Ident:c`, ``},
		{"#!ifdef KAMAILIO_5\na\n#!endif", `Ident:a`, `KC0127 KC0120`},
		{"#!ifdef KAMAILIO_5\na\n#!endif # c\n", `Ident:a`, `KC0125 KC0120`},
		{"#!ifdef KAMAILIO_5\na\n#!endif  \t\n", `Ident:a`, ``},
		{"#!else\n#!endif\n", ``, `KC0121 KC0122 KC0126`},
		{"#!ifexp 1 + 1 == 2\na\n#!endif\n", `Ident:a`, ``},
		{"#!ifexp KAMAILIO_5 && !NOPE\na\n#!endif\n", `Ident:a`, ``},
		{"#!defexp X 2*3\nX", `Int:6`, ``},
		{"#!defexps X 2*3\nX", `String:6`, ``},
		{"#!KAMAILIO\n$f.x", `PVar:$f Punct:. Ident:x`, ``},
		{"#!SER\n$f.x", `PVar:$f.x`, ``},
		{"//!KAMAILIO\n$f.x", `PVar:$f Punct:. Ident:x`, ``},
		{"a\x00b", `Ident:a Ident:b`, `KC0002`},
		{"a\xffb", `Ident:a Ident:b`, `KC0001`},
		{"#!subst \"/a/b/\"\nx = \"a\"", `Ident:x Punct:= String:b`, ``},
		{"#!subst \"/a/b/\"\n\"a\"", ``, `KC0141`},
		{"include_file \"\"", ``, `KC0165`},
		{"include_file x", ``, `KC0162`},
		{"include_file \"x\"", ``, `KC0160`},
		{"import_file \"x\"", ``, ``},
		{"#!define A B\n#!define B C\nA", `Ident:C`, ``},
	}
	for _, tc := range tests {
		r := Process("t.cfg", []byte(tc.src), Options{Version: [3]int{5, 8, 0}, ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }})
		if got := kinds(r); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, got, tc.want)
		}
		if got := codes(r); got != tc.codes {
			t.Errorf("%q: codes %q, want %q", tc.src, got, tc.codes)
		}
	}
}

func TestPositions(t *testing.T) {
	r := Process("t.cfg", []byte("#!define P 5060\n  x = P;\n\"a\"\n \"b\""), Options{})
	want := []string{
		`t.cfg:2:3-2:4 "x" ""`, `t.cfg:2:5-2:6 "=" ""`, `t.cfg:2:7-2:8 "5060" "P"`,
		`t.cfg:2:8-2:9 ";" ""`, `t.cfg:3:1-4:5 "ab" ""`, `t.cfg:4:5-4:5 "" ""`,
	}
	for i, tk := range r.Tokens {
		got := tk.File + ":" + tk.Pos.String() + "-" + tk.End.String() + " " + quote(tk.Text) + " " + quote(tk.Via)
		if i >= len(want) || got != want[i] {
			t.Errorf("token %d: %s", i, got)
		}
	}
	if r.Tokens[2].Pos.Offset != 22 {
		t.Errorf("offset %d", r.Tokens[2].Pos.Offset)
	}
}

func quote(s string) string { return `"` + s + `"` }

func TestIntValue(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "12": 12, "0x1f": 31, "010": 8, "101b": 5, "yes": 1, "off": 0} {
		if v, ok := IntValue(in); !ok || v != want {
			t.Errorf("IntValue(%q) = %d, %v", in, v, ok)
		}
	}
	if _, ok := IntValue("09"); ok {
		t.Error("09 accepted")
	}
}

// TestCodesTable checks that every code the sources report is declared by
// this package, inside its range.
func TestCodesTable(t *testing.T) {
	for _, c := range diagCodes {
		if err := diag.InRange("lang/preproc", c.ID); err != nil {
			t.Error(err)
		}
	}
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if strings.HasSuffix(f.Name(), "_test.go") || !strings.HasSuffix(f.Name(), ".go") {
			continue
		}
		src, _ := os.ReadFile(f.Name())
		for _, part := range strings.Split(string(src), `"KC0`)[1:] {
			code := "KC0" + part[:3]
			if c, ok := diag.Lookup(code); !ok || c.Owner != "lang/preproc" {
				t.Errorf("%s: code %s is not declared by this package", f.Name(), code)
			}
		}
	}
}

func TestRobustness(t *testing.T) {
	deadline := func(name string, src []byte, opts Options) *Result {
		t.Helper()
		start := time.Now()
		r := Process(name, src, opts)
		if d := time.Since(start); d > 60*time.Second { // a hang detector, not a benchmark
			t.Errorf("%s took %v", name, d)
		}
		if n := len(r.Tokens); n == 0 || r.Tokens[n-1].Kind != token.EOF {
			t.Errorf("%s: no EOF token", name)
		}
		return r
	}
	// 10 000 nested #!ifdef.
	r := deadline("nest", []byte(strings.Repeat("#!ifdef KAMAILIO_5\n", 10000)+"x;\n"+strings.Repeat("#!endif\n", 10000)), Options{})
	if codes(r) != "KC0123" || kinds(r) != "Ident:x Punct:;" {
		t.Errorf("nest: %s / %s", codes(r), kinds(r))
	}
	// A 1 MB line.
	deadline("line", bytes.Repeat([]byte("a "), 1<<19), Options{})
	deadline("pvline", append([]byte("$x("), bytes.Repeat([]byte("("), 1<<20)...), Options{})
	// Too big.
	r = deadline("big", make([]byte, 100), Options{MaxFileSize: 10})
	if codes(r) != "KC0007" {
		t.Errorf("big: %s", codes(r))
	}
	// Binary garbage gives a bounded number of diagnostics.
	garbage := make([]byte, 1<<20)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i>>8)
	}
	r = deadline("garbage", garbage, Options{})
	if len(r.Diags) > maxErrors+1 {
		t.Errorf("garbage: %d diagnostics", len(r.Diags))
	}
	// Define chains that blow up exponentially are cut by the depth guard.
	var b strings.Builder
	b.WriteString("#!define D0 x\n")
	for i := 1; i < 30; i++ {
		b.WriteString("#!define D" + itoa(i) + " D" + itoa(i-1) + " D" + itoa(i-1) + "\n")
	}
	b.WriteString("D29\n")
	deadline("chain", []byte(b.String()), Options{})
}

func itoa(i int) string {
	return strings.TrimLeft(string([]byte{byte('0' + i/10), byte('0' + i%10)}), "0")
}

var _ = diag.Error

// TestNewerDirectivesFollowVersion checks that Kamailio 5.6 reads the
// directives added in 5.7 as comments, with a warning.
func TestNewerDirectivesFollowVersion(t *testing.T) {
	src := "#!define A 1\n#!undef A\n#!ifdef A\nkept;\n#!endif\n#!ifexp 0\nx;\n"
	r := Process("t.cfg", []byte(src), Options{Version: [3]int{5, 6, 3}})
	var warned, kept int
	for _, d := range r.Diags {
		if d.Code == "KC0128" {
			warned++
		}
	}
	for _, tk := range r.Tokens {
		if tk.Text == "kept" || tk.Text == "x" {
			kept++
		}
	}
	if warned != 2 || kept != 2 {
		t.Errorf("warnings=%d kept=%d, want 2 and 2: %v", warned, kept, r.Diags)
	}
}
