package pvsyntax

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// dump renders a PVar compactly for table tests.
func dump(p *ast.PVar) string {
	var b strings.Builder
	b.WriteString(p.Class)
	if p.Name != nil {
		fmt.Fprintf(&b, "(%s", p.Name.Text)
		if p.Name.Dyn != nil {
			b.WriteString(" dyn")
		}
		b.WriteString(")")
	}
	if p.Index != nil {
		switch {
		case p.Index.All:
			b.WriteString("[*]")
		case p.Index.PV != nil:
			fmt.Fprintf(&b, "[%s]", dump(p.Index.PV))
		default:
			fmt.Fprintf(&b, "[%d]", p.Index.N)
		}
	}
	for _, t := range p.Trans {
		fmt.Fprintf(&b, "{%s.%s", t.Class, t.Op)
		for _, a := range t.Params {
			if a.PV != nil {
				fmt.Fprintf(&b, ",pv:%s", dump(a.PV))
			} else {
				fmt.Fprintf(&b, ",%q", a.Text)
			}
		}
		b.WriteString("}")
	}
	return b.String()
}

func TestParsePV(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"$fU", "fU", ""},
		{"$var(x)", "var(x)", ""},
		{"$?", "rc", ""},
		{"$rc", "rc", ""},
		{"$retcode", "rc", ""},
		{"$evapi(msg)", "evapi(msg)", ""},
		{"$T(id_index)", "T(id_index)", ""},
		{"$(ru{uri.user})", "ru{uri.user}", ""},
		{"$(hdr(Via)[0])", "hdr(Via)[0]", ""},
		{"$(avp(x)[*])", "avp(x)[*]", ""},
		{"$(avp(x)[-1])", "avp(x)[-1]", ""},
		{"$(avp(x)[$var(i)])", "avp(x)[var(i)]", ""},
		{"$(var(x){s.substr,1,2}{s.len})", `var(x){s.substr,"1","2"}{s.len}`, ""},
		{"$(var(x){s.substr,$var(i),1})", `var(x){s.substr,pv:var(i),"1"}`, ""},
		{"$(var(x){s.select,1,,})", `var(x){s.select,"1",","}`, ""},
		{"$(var(x){s.encode.hexa})", `var(x){s.encode.hexa}`, ""},
		{"$(var(x){uri.param,transport})", `var(x){uri.param,"transport"}`, ""},
		{"$(var(x){re.subst,/a,b/c/g})", `var(x){re.subst,"/a,b/c/g"}`, ""},
		{"$hdr($var(h))", "hdr($var(h) dyn)", ""},
		{"$xavp(a=>b)", "xavp(a=>b)", ""},
		{"$avp(s:name)", "avp(s:name)", ""},
		{"$t.did", "attr(t.did)", ""},
		{"$tu.uid", "attr(tu.uid)", ""},
		{"%subscription_status", "attr(subscription_status)", ""},
		{"$(var(x)", "", "missing ')'"},
		{"$var(x", "", "unbalanced '('"},
		{"$(var(x){s.len)", "", "unbalanced '{'"},
		{"$(var(x){len})", "", "class.name"},
		{"$(avp(x)[a])", "", "bad index"},
		{"$", "", "expected a pseudo-variable name"},
		{"$var(x)y", "", "unexpected"},
	}
	for _, c := range cases {
		p, d := ParsePV(c.in, diag.Range{File: "f", Start: diag.Pos{Line: 1, Col: 1}})
		if c.err != "" {
			if d == nil || !strings.Contains(d.Summary, c.err) {
				t.Errorf("ParsePV(%q): error %v, want containing %q", c.in, d, c.err)
			}
			if p == nil {
				t.Errorf("ParsePV(%q): nil node on error", c.in)
			}
			continue
		}
		if d != nil {
			t.Errorf("ParsePV(%q): unexpected error %v", c.in, d)
			continue
		}
		if got := dump(p); got != c.want {
			t.Errorf("ParsePV(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text\n", `"plain text\n"`},
		{"from $fU to $(ru{uri.host})\n", `"from " fU " to " ru{uri.host} "\n"`},
		{"cost $$5", `"cost $5"`},
		{"$var(a)$var(b)", `var(a) var(b)`},
		{"x=$var(x).", `"x=" var(x) "."`},
		{"$evapi(msg)", `evapi(msg)`},
	}
	for _, c := range cases {
		f, diags := ParseFormat(c.in, diag.Range{File: "f", Start: diag.Pos{Line: 1, Col: 1}})
		if len(diags) != 0 {
			t.Errorf("ParseFormat(%q): %v", c.in, diags)
		}
		var parts []string
		for _, p := range f.Parts {
			if p.PV != nil {
				parts = append(parts, dump(p.PV))
			} else {
				parts = append(parts, fmt.Sprintf("%q", p.Lit))
			}
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("ParseFormat(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFormatLoneDollar(t *testing.T) {
	for _, in := range []string{"cost $ 5", "end $", "a$-b"} {
		_, diags := ParseFormat(in, diag.Range{})
		if len(diags) != 1 || diags[0].Code != CodeLoneDollar {
			t.Errorf("ParseFormat(%q) = %v, want one %s", in, diags, CodeLoneDollar)
		}
	}
}

func TestFormatPositions(t *testing.T) {
	f, _ := ParseFormat("ab $var(x)", diag.Range{File: "f", Start: diag.Pos{Line: 3, Col: 10, Offset: 100}})
	pv := f.Parts[1].PV
	// The string literal starts with its quote at col 10; "$" is at col 14.
	if pv.Rng.Start.Col != 14 || pv.Rng.End.Col != 21 {
		t.Errorf("range = %v..%v, want cols 14..21", pv.Rng.Start, pv.Rng.End)
	}
}

func FuzzParsePV(f *testing.F) {
	for _, s := range []string{"$var(x)", "$(ru{uri.user}{s.len})", "$(avp(x)[$var(i)])", "$((((", "${{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParsePV(s, diag.Range{})
		ParseFormat(s, diag.Range{})
	})
}
