package siputils

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/value"
)

// TestTel2SIP2 checks tel2sip2's conversion: separators, lower case, the
// order of the parameters, phone-context and the return codes.
func TestTel2SIP2(t *testing.T) {
	for _, tc := range []struct {
		uri, host string
		want      string
		rc        int
	}{
		{"tel:+(34)-999-888-777", "foo.com", "sip:+34999888777@foo.com;user=phone", 1},
		{"TEL:+12-(34)-56-78;Ext=200;ISUB=+123-456", "foo.com", "sip:+12345678;ext=200;isub=+123-456@foo.com;user=phone", 1},
		// isdn-subaddress first, post-dial next, then by name.
		{"tel:+1-2;z=1;Post-Dial=p1;a=2;Isdn-Subaddress=9", "h", "sip:+12;isdn-subaddress=9;post-dial=p1;a=2;z=1@h;user=phone", 1},
		// Equal names keep their order.
		{"tel:12;b=2;a=1;b=1", "h", "sip:12;a=1;b=2;b=1@h;user=phone", 1},
		// A phone-context number loses its separators, a domain goes.
		{"tel:7042;phone-context=+1-(212)-555", "h", "sip:7042;phone-context=+1212555@h;user=phone", 1},
		{"tel:7042;Phone-Context=Example.COM;x=1", "h", "sip:7042;x=1@h;user=phone", 1},
		// A parameter without a value is written with '='.
		{"tel:+123;foo", "h", "sip:+123;foo=@h;user=phone", 1},
		// Ten parameters are split; the tenth keeps the rest.
		{"tel:1;a=1;b;c;d;e;f;g;h;i;j;k=2", "h", "sip:1;a=1;b=;c=;d=;e=;f=;g=;h=;i=;j;k=2@h;user=phone", 1},
		// Nothing to convert: 1, not 2 as tel2sip.
		{"sip:bob@example.com", "h", "", 1},
		{"tel", "h", "", 1},
		{"", "h", "", 1},
		// The result does not parse (no host).
		{"tel:+123", "", "", -1},
	} {
		if s, rc := tel2SIP2(tc.uri, tc.host); s != tc.want || rc != tc.rc {
			t.Errorf("tel2SIP2(%q, %q) = %q %d, want %q %d", tc.uri, tc.host, s, rc, tc.want, tc.rc)
		}
	}
}

// TestTel2SIP2Call runs tel2sip2 as a script calls it: the result goes to
// the pseudo-variable only when there is one.
func TestTel2SIP2Call(t *testing.T) {
	for _, tc := range []struct {
		fn, uri string
		rc      int
		out     string
	}{
		{"tel2sip2", "tel:+1-555-0100;ext=7", 1, "sip:+15550100;ext=7@example.net;user=phone"},
		{"tel2sip2", "sip:alice@example.com", 1, "unchanged"},
		{"tel2sip", "sip:alice@example.com", 2, "unchanged"},
		{"tel2sip2", "tel:+1;phone-context=example.com", 1, "sip:+1@example.net;user=phone"},
	} {
		m := newModule()
		h := newPVHost(t, m)
		c := h.Context()
		setVar(t, h, c, "$var(u)", value.MakeStr(tc.uri))
		setVar(t, h, c, "$var(out)", value.MakeStr("unchanged"))
		rc := mustCall(t, h, m, tc.fn, `"$var(u)"`, `"example.net"`, `"$var(out)"`)(c)
		if out := getVar(t, h, c, "$var(out)").S; rc != tc.rc || out != tc.out {
			t.Errorf("%s(%q) = %d, $var(out) %q; want %d, %q", tc.fn, tc.uri, rc, out, tc.rc, tc.out)
		}
		if l := h.Lines(); len(l) != 0 {
			t.Errorf("%s(%q) logged %q", tc.fn, tc.uri, l)
		}
	}
}
