package pv

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The xavp functions of Kamailio 5.7 to 6.1. No Kamailio of those
// releases runs here: the expectations are what pv.c, pv_xavp.c and
// core/xavp.c do at the tag that added each.

// rootNames lists a family's root list as name=value, index 0 first.
func rootNames(f *xfamily) string {
	var out []string
	for _, it := range f.root {
		switch it.kind {
		case xInt:
			out = append(out, it.name+"="+strconv.FormatInt(it.i, 10))
		case xStr:
			out = append(out, it.name+"="+it.s)
		default:
			out = append(out, it.name+"=<list>")
		}
	}
	return strings.Join(out, " ")
}

// children lists the child list of the first root item named name.
func children(f *xfamily, name string) string {
	r := f.get(name, nil, 0)
	if r == nil || r.kind != xList {
		return "<none>"
	}
	var out []string
	for _, it := range r.sub {
		out = append(out, it.name+"="+it.s)
	}
	return strings.Join(out, "|")
}

func pushValues(t *testing.T, h *pvtest.Host, c *event.Context, name string, vals ...value.Value) {
	t.Helper()
	for _, v := range vals {
		h.MustSet(t, c, "$xavp("+name+")", v)
	}
}

func TestXavpRmAll(t *testing.T) {
	h, m := newHost(t)
	c := h.Context()
	pushValues(t, h, c, "n", value.MakeInt(1), value.MakeInt(2), value.MakeInt(3))
	pushValues(t, h, c, "o", value.MakeInt(9))
	rmAll := h.MustCall(t, m, "xavp_rm_all", `"n"`)
	if got := rmAll(c); got != 3 {
		t.Errorf("xavp_rm_all(n) = %d, want 3 (the number removed)", got)
	}
	if got := rootNames(&eventXavps(c).xavp); got != "o=9" {
		t.Errorf("root after xavp_rm_all(n): %s", got)
	}
	if got := rmAll(c); got != 1 {
		t.Errorf("xavp_rm_all(n) with none left = %d, want 1", got)
	}
	h.MustSet(t, c, "$xavi(WhatEver)", value.MakeInt(1))
	h.MustSet(t, c, "$xavi(whatever)", value.MakeInt(2))
	if got := h.MustCall(t, m, "xavi_rm_all", `"WHATEVER"`)(c); got != 2 {
		t.Errorf("xavi_rm_all(WHATEVER) = %d, want 2", got)
	}
	if got := h.MustCall(t, m, "xavp_rm_all", `""`)(c); got != 1 {
		t.Errorf("xavp_rm_all(\"\") = %d, want 1", got)
	}
}

func TestXavpLshift(t *testing.T) {
	for _, tc := range []struct {
		idx  string
		rc   int
		root string
	}{
		{"1", 1, "n=20 n=10 n=30 o=1"},
		{"2", 1, "n=10 n=30 n=20 o=1"},
		{"4", 1, "n=20 n=10 n=30 o=1"},
		{"-1", 1, "n=10 n=30 n=20 o=1"},
		{"-5", 1, "n=20 n=10 n=30 o=1"},
		{"0", 1, "o=1 n=30 n=20 n=10"},
		{"3", 1, "o=1 n=30 n=20 n=10"},
	} {
		h, m := newHost(t)
		c := h.Context()
		// Newest first: n=30 n=20 n=10, then o=1 on top.
		pushValues(t, h, c, "n", value.MakeInt(10), value.MakeInt(20), value.MakeInt(30))
		pushValues(t, h, c, "o", value.MakeInt(1))
		if got := h.MustCall(t, m, "xavp_lshift", `"n"`, tc.idx)(c); got != tc.rc {
			t.Errorf("xavp_lshift(n, %s) = %d, want %d", tc.idx, got, tc.rc)
		}
		if got := rootNames(&eventXavps(c).xavp); got != tc.root {
			t.Errorf("xavp_lshift(n, %s): root %s, want %s", tc.idx, got, tc.root)
		}
		if got := mustRef(t, h, "$xavp(n)").Get(c); tc.idx == "1" && got != value.MakeInt(20) {
			t.Errorf("$xavp(n) after the shift = %+v", got)
		}
	}
	h, m := newHost(t)
	c := h.Context()
	if got := h.MustCall(t, m, "xavp_lshift", `"none"`, "1")(c); got != -2 {
		t.Errorf("xavp_lshift of a missing xavp = %d, want -2", got)
	}
	h.MustSet(t, c, "$var(i)", value.MakeStr("x"))
	pushValues(t, h, c, "n", value.MakeInt(1))
	if got := h.MustCall(t, m, "xavp_lshift", `"n"`, "$var(i)")(c); got != -1 {
		t.Errorf("xavp_lshift with a string index = %d, want -1", got)
	}
}

func TestXavpPushDst(t *testing.T) {
	h, m := newHost(t)
	c := h.Context()
	msg, err := sipmsg.Parse("INVITE sip:bob@b.org SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID: x\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	sipmsg.Set(c, msg)
	push := h.MustCall(t, m, "xavp_push_dst", `"dst"`)
	if got := push(c); got != -1 {
		t.Errorf("xavp_push_dst without the xavp = %d, want -1", got)
	}
	h.MustSet(t, c, "$xavp(dst)", value.MakeStr("not a list"))
	if got := push(c); got != -1 {
		t.Errorf("xavp_push_dst on a value = %d, want -1", got)
	}
	h.MustSet(t, c, "$xavp(dst=>uri)", value.MakeStr("sip:alice@server.com"))
	h.MustSet(t, c, "$xavp(dst[0]=>dsturi)", value.MakeStr("sip:proxy.com;transport=tcp"))
	h.MustSet(t, c, "$xavp(dst[0]=>socket)", value.MakeStr("udp:192.0.2.1:5060"))
	if got := push(c); got != 1 {
		t.Errorf("xavp_push_dst = %d, want 1", got)
	}
	if msg.RequestURI() != "sip:alice@server.com" || msg.DstURI != "sip:proxy.com;transport=tcp" {
		t.Errorf("R-URI %q, dst URI %q", msg.RequestURI(), msg.DstURI)
	}
	// No transport listens here: the socket is not found and not set.
	if msg.ForceSocket != nil {
		t.Errorf("force socket %v set without a listening socket", msg.ForceSocket)
	}
	// An integer field is not a URI: it is skipped.
	h.MustSet(t, c, "$xavp(d2=>uri)", value.MakeInt(5))
	h.MustSet(t, c, "$xavp(d2[0]=>dsturi)", value.MakeStr("sip:other.org"))
	if got := h.MustCall(t, m, "xavp_push_dst", `"d2"`)(c); got != 1 {
		t.Errorf("xavp_push_dst(d2) = %d", got)
	}
	if msg.RequestURI() != "sip:alice@server.com" || msg.DstURI != "sip:other.org" {
		t.Errorf("after d2: R-URI %q, dst URI %q", msg.RequestURI(), msg.DstURI)
	}
}

func TestXavpParamsImplodeQval(t *testing.T) {
	h, m := newHost(t)
	c := h.Context()
	h.MustSet(t, c, "$xavp(x=>e)", value.MakeStr("f"))
	h.MustSet(t, c, "$xavp(x[0]=>c)", value.MakeInt(5))
	h.MustSet(t, c, "$xavp(x[0]=>a)", value.MakeStr("b"))
	h.MustSet(t, c, "$xavp(x[0]=>z)", value.MakeStr(""))
	h.MustSet(t, c, "$xavp(x[0]=>n)", value.MakeInt(-1))
	if got := h.MustCall(t, m, "xavp_params_implode_qval", `"x"`, `"$var(out)"`)(c); got != 1 {
		t.Fatalf("xavp_params_implode_qval = %d", got)
	}
	if got := mustRef(t, h, "$var(out)").Get(c).String(); got != `n=4294967295;z;a="b";c=5;e="f";` {
		t.Errorf("$var(out) = %s", got)
	}
	if got := h.MustCall(t, m, "xavp_params_implode", `"x"`, `"$var(out)"`)(c); got != 1 {
		t.Fatalf("xavp_params_implode = %d", got)
	}
	if got := mustRef(t, h, "$var(out)").Get(c).String(); got != `n=4294967295;z;a=b;c=5;e=f;` {
		t.Errorf("without quotes: $var(out) = %s", got)
	}
	if got := h.MustCall(t, m, "xavp_params_implode_qval", `"none"`, `"$var(out)"`)(c); got != -1 {
		t.Errorf("xavp_params_implode_qval of a missing xavp = %d, want -1", got)
	}
}

func TestXavpXparamsExplode(t *testing.T) {
	for _, tc := range []struct {
		params, sep string
		rc          int
		children    string
	}{
		{"a=b,c=d,e=f", ",", 1, "a=b|c=d|e=f"},
		{"a=b;c=d", ";", 1, "a=b|c=d"},
		{"a=b;c=d;", ";", 1, "a=b|c=d"},
		{"a=b|c|d=", "|", 1, "a=b|c=|d="},
		{"a = 'x y' | b=\"q,r\"", "|", 1, "a=x y|b=q,r"},
		{"a=1,b=2;", ",", 1, "a=1|b=2"},    // the trailing ';' goes whatever the separator
		{"a=1;b=2,c=3", ";", 1, "a=1|b=2"}, // a ',' ends a ';' list
		{"a=1,b=2,", ",", -1, "<none>"},    // a trailing separator has no name after it
		{"a=1 b=2", ";", -1, "<none>"},
		{"a=\"open", ";", -1, "<none>"},
		{"a=;b=1", ";", -1, "<none>"},
		{";", ";", -1, "<none>"},
		{"", ",", -1, "<none>"},
	} {
		h, m := newHost(t)
		c := h.Context()
		h.MustSet(t, c, "$var(p)", value.MakeStr(tc.params))
		h.MustSet(t, c, "$var(s)", value.MakeStr(tc.sep))
		if got := h.MustCall(t, m, "xavp_xparams_explode", `"$var(p)"`, `"$var(s)"`, `"x"`)(c); got != tc.rc {
			t.Errorf("xavp_xparams_explode(%q, %q) = %d, want %d", tc.params, tc.sep, got, tc.rc)
		}
		if got := children(&eventXavps(c).xavp, "x"); got != tc.children {
			t.Errorf("xavp_xparams_explode(%q, %q): children %s, want %s", tc.params, tc.sep, got, tc.children)
		}
	}
	h, m := newHost(t)
	c := h.Context()
	if h.MustCall(t, m, "xavp_xparams_explode", `"a=b,c=d"`, `","`, `"x"`)(c) != 1 {
		t.Fatal("xavp_xparams_explode failed")
	}
	if got := mustRef(t, h, "$xavp(x=>c)").Get(c); got != value.MakeStr("d") {
		t.Errorf("$xavp(x=>c) = %+v", got)
	}
}

// TestNewerKEMI: KSR.pvx functions of Kamailio 5.7 to 6.1, marked with
// the release that exported each.
func TestNewerKEMI(t *testing.T) {
	h, m := newHost(t)
	c := h.Context()
	funcs := map[string]module.KEMIFunc{}
	for _, f := range m.KEMI() {
		funcs[f.Name] = f
	}
	for name, rel := range map[string]string{
		"shvinc_get": "5.7", "xavp_lshift": "5.7", "xavp_push_dst": "5.7",
		"xavp_params_implode_qval": "5.8", "xavp_xparams_explode": "6.0",
		"xavp_rm_all": "6.1", "xavi_rm_all": "6.1",
	} {
		if f, ok := funcs[name]; !ok || f.Ext != "Kamailio "+rel {
			t.Errorf("KSR.pvx.%s: present %v, Ext %q, want Kamailio %s", name, ok, f.Ext, rel)
		}
	}
	call := func(name string, args ...value.Value) value.Value {
		return funcs[name].Call(h, c, args).Value
	}
	s := value.MakeStr
	if got := call("xavp_xparams_explode", s("a=1,b=2"), s(","), s("x")); got != value.MakeInt(1) {
		t.Errorf("xavp_xparams_explode = %+v", got)
	}
	if got := call("xavp_params_implode_qval", s("x"), s("$var(out)")); got != value.MakeInt(1) {
		t.Errorf("xavp_params_implode_qval = %+v", got)
	}
	if got := mustRef(t, h, "$var(out)").Get(c).String(); got != `a="1";b="2";` {
		t.Errorf("$var(out) = %s", got)
	}
	pushValues(t, h, c, "n", value.MakeInt(1), value.MakeInt(2))
	if got := call("xavp_lshift", s("n"), value.MakeInt(1)); got != value.MakeInt(1) {
		t.Errorf("xavp_lshift = %+v", got)
	}
	if got := mustRef(t, h, "$xavp(n)").Get(c); got != value.MakeInt(1) {
		t.Errorf("$xavp(n) after xavp_lshift = %+v", got)
	}
	if got := call("xavp_rm_all", s("n")); got != value.MakeInt(2) {
		t.Errorf("xavp_rm_all = %+v", got)
	}
	h.MustSet(t, c, "$xavi(A)", value.MakeInt(1))
	if got := call("xavi_rm_all", s("a")); got != value.MakeInt(1) || eventXavps(c).xavi.count("a", nil) != 0 {
		t.Errorf("xavi_rm_all = %+v", got)
	}
	if got := call("xavp_push_dst", s("x")); got != value.MakeInt(1) {
		t.Errorf("xavp_push_dst = %+v", got)
	}
	for _, want := range []int64{1, 2} {
		if got := call("shvinc_get", s("k")); got != value.MakeInt(want) {
			t.Errorf("shvinc_get = %+v, want %d", got, want)
		}
	}
}
