package textops

import (
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func TestSubst(t *testing.T) {
	m, err := sipmsg.Parse("INVITE sip:bob@x.org SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ expr, in, want, err string }{
		{"/a(b+)c/<\\1>/", "xabbcabc", "x<bb>abc", ""},
		{"/a(b+)c/<\\1>/g", "xabbcabc", "x<bb><b>", ""},
		{"/ABC/z/i", "xabc", "xz", ""},
		{"#a#\\u#", "a", "sip:bob@x.org", ""},
		{"/a|ab/X/", "ab", "X", ""}, // leftmost-longest, as POSIX
		{"/^b/X/g", "b\nb", "X\nX", ""},
		{"/x*/X/", "abc", "", "matched string is empty"},
		{"/a/b/q", "", "", "unknown flag q in /a/b/q"},
		{"/ab", "", "", "no separator found: /ab"},
		{"/a/b", "", "", "missing separator: /b"},
	} {
		se, err := parseSubst(nil, tc.expr)
		if err == nil {
			var out string
			out, _, err = se.apply(&event.Context{}, m, tc.in)
			if err == nil && out != tc.want {
				t.Errorf("%s on %q: got %q, want %q", tc.expr, tc.in, out, tc.want)
			}
		}
		if got := errText(err); got != tc.err {
			t.Errorf("%s: error %q, want %q", tc.expr, got, tc.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"in_list", inList("b", " a , b ,c", ','), 1},
		{"in_list last", inList("c", "a,b, c \n", ','), 1},
		{"in_list miss", inList("d", "a,b", ','), -1},
		{"in_list_prefix", inListPrefix("abc", "x, ab", ','), 1},
		{"in_list_prefix empty element", inListPrefix("abc", ",x", ','), -1},
		{"cmp_str less", cmpStr("ab", "abc"), -2},
		{"cmp_istr", cmpIStr("AbC", "aBc"), 1},
		{"ends_with", endsWith("abc", "bd"), -2},
		{"str_find", strFind("abcabc", "ca"), 3},
		{"str_ifind", strIFind("ABCABC", "ca"), 3},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestAppendTime(t *testing.T) {
	m := &Module{now: func() time.Time { return time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC) }}
	if got, want := m.date(), "Date: Sat, 03 Feb 2024 04:05:06 GMT\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestKEMIExports: every function Kamailio 6.1's textops exports to KEMI
// (59: 5.6.3's 54, subst_v, set_body_hex, set_reply_body_hex, str_any_in
// and str_all_in), each once.
func TestKEMIExports(t *testing.T) {
	fs := new(Module).KEMI()
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.Name] {
			t.Errorf("%s twice", f.Name)
		}
		seen[f.Name] = true
	}
	if len(fs) != 59 {
		t.Errorf("%d KEMI functions, want 59", len(fs))
	}
}
