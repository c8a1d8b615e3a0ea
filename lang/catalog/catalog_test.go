package catalog

import (
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
)

func form(t *testing.T, c *Catalog, mod, name string, nargs int) (Form, bool) {
	t.Helper()
	for _, f := range c.Func(name) {
		if f.Module == mod {
			return f.Accepts(nargs)
		}
	}
	t.Fatalf("%s.%s not in catalog", mod, name)
	return Form{}, false
}

func TestNoProblems(t *testing.T) {
	for _, p := range Load().Problems() {
		t.Error(p)
	}
}

func TestEvapiFuncs(t *testing.T) {
	c := Load()
	cases := []struct {
		name   string
		nargs  int
		ok     bool
		routes routetype.Mask
	}{
		{"evapi_relay", 1, true, routetype.Any},
		{"evapi_relay", 2, false, 0},
		{"evapi_async_relay", 1, true, routetype.Request},
		{"evapi_close", 0, true, routetype.Any},
		{"evapi_close", 1, true, routetype.Any},
		{"evapi_close", 2, false, 0},
		{"evapi_set_tag", 1, true, routetype.Any},
		{"evapi_multicast", 2, true, routetype.Any},
		{"evapi_async_multicast", 2, true, routetype.Request},
		{"evapi_unicast", 2, true, routetype.Any},
		{"evapi_async_unicast", 2, true, routetype.Request},
		{"evapi_unicast", 1, false, 0},
	}
	for _, tc := range cases {
		fo, ok := form(t, c, "evapi", tc.name, tc.nargs)
		if ok != tc.ok || (ok && fo.Routes != tc.routes) {
			t.Errorf("%s/%d: got %v %v, want %v %v", tc.name, tc.nargs, ok, fo.Routes, tc.ok, tc.routes)
		}
	}
	if n := len(c.Module("evapi").Funcs); n != 8 {
		t.Errorf("evapi has %d functions, want 8", n)
	}
}

func TestEvapiParams(t *testing.T) {
	m := Load().Module("evapi")
	want := map[string]ParamType{"workers": Int, "bind_addr": Str, "netstring_format": Int, "event_callback": Str, "max_clients": Int}
	if len(m.Params) != len(want) {
		t.Errorf("evapi has %d params, want %d", len(m.Params), len(want))
	}
	for n, ty := range want {
		p := m.Param(n)
		if p == nil || p.Type != ty || p.Repeat {
			t.Errorf("param %s = %+v, want type %v", n, p, ty)
		}
	}
	for _, n := range []string{"wait_idle", "wait_increase"} {
		if m.Param(n) != nil {
			t.Errorf("%s must not exist in 5.6.3", n)
		}
	}
}

func TestXlogAndPV(t *testing.T) {
	c := Load()
	// 5.6.3 also exports xlog(facility, level, format).
	for _, n := range []int{1, 2, 3} {
		if _, ok := form(t, c, "xlog", "xlog", n); !ok {
			t.Errorf("xlog/%d missing", n)
		}
	}
	if _, ok := form(t, c, "xlog", "xlog", 4); ok {
		t.Error("xlog/4 must not exist")
	}
	v := c.PVClass("var")
	if v == nil || !v.Writable || v.Module != "pv" || v.Names != nil {
		t.Errorf("$var = %+v", v)
	}
	if ci := c.PVClass("ci"); ci == nil || ci.Writable {
		t.Errorf("$ci = %+v", ci)
	}
	if c.PVClass("nope_class") != nil {
		t.Error("unknown class found")
	}
}

func TestFixedPVNames(t *testing.T) {
	c := Load()
	cases := map[string][]string{
		"evapi": {"msg", "srcaddr", "srcport", "conidx"},
		"T":     {"id_index", "id_label", "reply_code", "branch_index"},
		"TV":    {"s", "u", "sn", "un", "Sn", "Fn"},
		"snd":   {"ip", "port", "proto", "af", "buf", "len", "sproto"},
		"rcv":   {"srcip", "srcport", "rcvip", "rcvport", "proto", "af", "buf", "len", "sproto"},
	}
	for cls, names := range cases {
		p := c.PVClass(cls)
		if p == nil || p.Names == nil {
			t.Errorf("$%s has no fixed names", cls)
			continue
		}
		for _, n := range names {
			if !p.HasName(n) {
				t.Errorf("$%s(%s) rejected", cls, n)
			}
		}
		if p.HasName("nope") {
			t.Errorf("$%s(nope) accepted", cls)
		}
	}
	if !c.PVClass("evapi").Writable || c.PVClass("T").Module != "tmx" {
		t.Error("evapi writable / T from tmx")
	}
}

func TestTrans(t *testing.T) {
	c := Load()
	for cls, ops := range map[string][]string{"s": {"len", "substr", "int", "md5"}, "uri": {"user", "host", "port", "params"}, "json": {"parse"}, "sql": {"val"}} {
		tc := c.Trans(cls)
		if tc == nil {
			t.Errorf("no transformation class %s", cls)
			continue
		}
		for _, o := range ops {
			if !tc.HasOp(o) {
				t.Errorf("{%s.%s} missing", cls, o)
			}
		}
		if tc.HasOp("nope") {
			t.Errorf("{%s.nope} accepted", cls)
		}
	}
	if c.Trans("s").Module != "pv" || c.Trans("nope") != nil {
		t.Error("trans owners")
	}
}

func TestEvents(t *testing.T) {
	c := Load()
	for ev, want := range map[string]string{
		"evapi:connection-new":    "evapi",
		"evapi:message-received":  "evapi",
		"tm:local-request":        "tm",
		"tm:branch-failure:rtf":   "tm",
		"htable:expired:users":    "htable",
		"core:worker-one-init":    "core",
		"xhttp:request":           "xhttp",
		"dispatcher:dst-down":     "dispatcher",
		"usrloc:contact-expired":  "registrar",
		"websocket:closed":        "websocket",
		"evapi:connection-closed": "evapi",
	} {
		if got, ok := c.EventOwner(ev); !ok || got != want {
			t.Errorf("EventOwner(%s) = %q %v, want %q", ev, got, ok, want)
		}
	}
	for _, ev := range []string{"evapi:connection-gone", "tm:branch-failure:", "nope:x"} {
		if m, ok := c.EventOwner(ev); ok {
			t.Errorf("EventOwner(%s) = %s, want none", ev, m)
		}
	}
}

func TestCore(t *testing.T) {
	c := Load()
	for name, kind := range map[string]string{"debug": "int", "fork": "bool", "listen": "addr-list", "children": "int", "log_facility": "id"} {
		p, ok := c.CoreParam(name)
		if !ok || p.Kind != kind {
			t.Errorf("core param %s = %+v, want %s", name, p, kind)
		}
	}
	if _, ok := c.CoreParam("no_such_param"); ok {
		t.Error("unknown core param found")
	}
	for name, arities := range map[string][]int{"forward": {0, 1, 2}, "drop": {0}, "log": {1, 2}, "setflag": {1}, "strip": {1}, "prefix": {1}, "rewriteuri": {1}, "route": {1}} {
		f, ok := c.CoreFunc(name)
		if !ok {
			t.Errorf("core func %s missing", name)
			continue
		}
		for _, n := range arities {
			if _, ok := f.Accepts(n); !ok {
				t.Errorf("%s/%d rejected", name, n)
			}
		}
		if _, ok := f.Accepts(5); ok {
			t.Errorf("%s/5 accepted", name)
		}
	}
	if f, _ := c.CoreFunc("forward"); f.AcceptsIn(0, routetype.OnSend) {
		t.Error("forward must not be allowed in onsend_route")
	}
	if f, _ := c.CoreFunc("drop"); !f.AcceptsIn(0, routetype.OnSend) || !f.Bare {
		t.Error("drop is allowed in onsend_route and without parentheses")
	}
	names := map[string]bool{}
	for _, p := range c.CorePVs() {
		names[p.Name] = true
	}
	for _, n := range []string{"rc", "retcode", "?", "env", "def", "null"} {
		if !names[n] {
			t.Errorf("core pv $%s missing", n)
		}
	}
	if names["var"] || names["ru"] {
		t.Error("pv module classes listed as core")
	}
}

func TestModulesSortedWithPackages(t *testing.T) {
	ms := Load().Modules()
	if len(ms) < 200 {
		t.Fatalf("only %d modules", len(ms))
	}
	for i, m := range ms {
		if i > 0 && ms[i-1].Name >= m.Name {
			t.Errorf("not sorted at %s", m.Name)
		}
		if m.Package == "" {
			t.Errorf("%s has no package", m.Name)
		}
	}
	if Load().Module("tmx").Deps[0] != "tm" {
		t.Error("tmx must depend on tm")
	}
	if fs := Load().Func("t_relay"); len(fs) != 1 || fs[0].Module != "tm" {
		t.Errorf("t_relay: %v", fs)
	}
}

// BenchmarkLoad opens a release as a process does the first time:
// reading the data files' facts for it, decoding no module.
func BenchmarkLoad(b *testing.B) {
	i, _ := releaseIndex(DefaultRelease)
	for b.Loop() {
		if _, err := openRelease(i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCheck opens a release and asks what checking a small
// config asks: a module, a few functions, pseudo-variables and a
// transformation.
func BenchmarkLoadCheck(b *testing.B) {
	i, _ := releaseIndex(DefaultRelease)
	for b.Loop() {
		r, err := openRelease(i)
		if err != nil {
			b.Fatal(err)
		}
		c := &Catalog{rel: r}
		c.Module("evapi")
		c.Func("evapi_relay")
		c.Func("xlog")
		c.PVClass("var")
		c.PVClass("evapi")
		c.Trans("s")
		c.EventOwner("evapi:message-received")
	}
}

// BenchmarkLoadAll opens a release and decodes every module, as listing
// them does.
func BenchmarkLoadAll(b *testing.B) {
	i, _ := releaseIndex(DefaultRelease)
	for b.Loop() {
		r, err := openRelease(i)
		if err != nil {
			b.Fatal(err)
		}
		(&Catalog{rel: r}).Modules()
	}
}

func TestFixupKinds(t *testing.T) {
	c := Load()
	kinds := func(mod, name string, n int) []ArgKind {
		for _, f := range c.Func(name) {
			if f.Module == mod {
				return f.Kinds(n)
			}
		}
		t.Fatalf("no %s.%s", mod, name)
		return nil
	}
	for _, tt := range []struct {
		mod, name string
		n         int
		want      []ArgKind
	}{
		{"xlog", "xlog", 2, []ArgKind{{Kind: ArgAny}, {Kind: ArgFormat}}},
		{"jansson", "jansson_get", 3, []ArgKind{{Kind: ArgFormat}, {Kind: ArgFormat}, {Kind: ArgPV}}},
		{"tmx", "t_continue", 3, []ArgKind{{Kind: ArgInt}, {Kind: ArgInt}, {Kind: ArgRoute, Route: ast.Named}}},
		{"tm", "t_on_failure", 1, []ArgKind{{Kind: ArgRoute, Route: ast.Failure}}},
		{"textops", "append_hf", 2, []ArgKind{{Kind: ArgFormat}, {Kind: ArgAny}}},
		{"xlog", "xlogm", 2, []ArgKind{{Kind: ArgAny}, {Kind: ArgFormat}}},
		{"cfgutils", "abort", 0, nil},
		{"cfgutils", "set_gflag", 1, []ArgKind{{Kind: ArgNumber, Max: 31}}},
	} {
		got := kinds(tt.mod, tt.name, tt.n)
		if len(got) != len(tt.want) {
			t.Errorf("%s/%d: %v, want %v", tt.name, tt.n, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s/%d arg %d: %v, want %v", tt.name, tt.n, i+1, got[i], tt.want[i])
			}
		}
	}
}

// TestInnerNames: whether a class takes an inner name, for core and module
// classes (core.txt, overrides.txt).
func TestInnerNames(t *testing.T) {
	c := Load()
	for _, tt := range []struct {
		class string
		want  Inner
	}{
		{"ru", InnerNone}, {"ci", InnerNone}, {"var", InnerNeeded}, {"hdr", InnerNeeded},
		{"avp", InnerNeeded}, {"xavp", InnerNeeded}, {"T_branch_idx", InnerNone},
		{"evapi", InnerNeeded}, {"env", InnerNeeded}, {"rc", InnerNone},
	} {
		cl := c.PVClass(tt.class)
		if cl == nil || cl.Inner != tt.want {
			t.Errorf("$%s: %+v, want Inner %v", tt.class, cl, tt.want)
		}
	}
}

// BenchmarkLoadJoin opens a release, joins three implemented modules as
// runtime/module.Catalog does and asks what a small check asks.
func BenchmarkLoadJoin(b *testing.B) {
	i, _ := releaseIndex(DefaultRelease)
	impls := []Impl{
		{Module: "evapi", Funcs: []ImplFunc{{Name: "evapi_relay", Min: 1, Max: 1}}, Params: []ImplParam{{Name: "workers", Type: Int}}, PVs: []ImplPV{{Name: "evapi"}}},
		{Module: "pv", PVs: []ImplPV{{Name: "var"}}},
		{Module: "xlog", Funcs: []ImplFunc{{Name: "xlog", Min: 1, Max: 3}}},
	}
	for b.Loop() {
		r, err := openRelease(i)
		if err != nil {
			b.Fatal(err)
		}
		j, _ := (&Catalog{rel: r, debian: true}).Join(impls)
		j.Module("evapi")
		j.Func("xlog")
		j.PVClass("var")
		j.Trans("s")
		j.EventOwner("evapi:message-received")
		j.CoreParam("debug")
	}
}
