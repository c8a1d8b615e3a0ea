package selects

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

const invite = "INVITE sip:bob:pw@example.com:5070;transport=udp SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n" +
	"From: \"Alice\" <sip:alice@example.org>;tag=a1\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"Call-ID: c1@x\r\n" +
	"CSeq: 7 INVITE\r\n" +
	"User-Agent: ua\r\n" +
	"Content-Length: 0\r\n\r\n"

func store(t *testing.T) *cfgvars.Store {
	t.Helper()
	s := cfgvars.New(nil)
	if _, err := s.Declare("core", []cfgvars.Def{
		{Name: "debug", Type: cfgvars.Int},
		{Name: "log_facility", Type: cfgvars.Int, Fixup: func(v value.Value) (value.Value, error) { return v, nil }},
	}, []value.Value{value.MakeInt(2), value.MakeInt(24)}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		g, n string
		v    value.Value
	}{
		{"pstn", "gw", value.MakeStr(`"GW" <sip:gw@10.0.0.9:5080>`)},
		{"pstn", "uri", value.MakeStr("sip:u@h.example:5061")},
		{"pstn", "empty", value.MakeStr("")},
		{"grp", "a", value.MakeInt(10)},
	} {
		if err := s.DeclareVar(v.g, v.n, v.v, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddInstance("grp", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNow(cfgvars.Target{Group: "grp", ID: 2, Inst: true}, "a", value.MakeInt(20)); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSelects(t *testing.T) {
	cfg := store(t)
	m, err := sipmsg.Parse(invite)
	if err != nil {
		t.Fatal(err)
	}
	c := &event.Context{}
	sipmsg.Set(c, m)
	for _, tc := range []struct{ sel, want string }{
		{"@ruri", "sip:bob:pw@example.com:5070;transport=udp"},
		{"ruri.user", "bob"},
		{"@RURI.Host", "example.com"},
		{"@request_uri.port", "5070"},
		{"@ruri.pwd", "pw"},
		{"@ruri.params", "transport=udp"},
		{"@ruri.hostport", "example.com:5070"},
		{"@ruri.type", "sip"},
		{"@from", `"Alice" <sip:alice@example.org>;tag=a1`},
		{"@f.tag", "a1"},
		{"@from.name", `"Alice"`},
		{"@from.uri.user", "alice"},
		{"@to.tag", "<null>"},
		{"@t.uri", "sip:bob@example.com"},
		{"@call_id", "c1@x"},
		{"@cseq.num", "7"},
		{"@cseq.method", "INVITE"},
		{"@method", "INVITE"},
		{"@status", "<null>"},
		{"@user_agent", "ua"},
		{"@subject", "<null>"},
		{"@msg.first_line", "INVITE sip:bob:pw@example.com:5070;transport=udp SIP/2.0"},
		{"@cfg_get.core.debug", "2"},
		{"@cfg_get.pstn.empty", ""},
		{"@cfg_get.pstn.uri.uri.host", "h.example"},
		{"@cfg_get.pstn.uri.uri.port", "5061"},
		{"@cfg_get.pstn.gw.nameaddr.name", `"GW"`},
		{"@cfg_get.pstn.gw.nameaddr.uri", "sip:gw@10.0.0.9:5080"},
		{"@cfg_get.pstn.gw.nameaddr.uri.port", "5080"},
		{"@cfg_get.pstn.empty.uri.host", "<null>"},
		{"@cfg_selected.grp", ""},
		{"@cfg_get.grp.a", "10"},
	} {
		f, err := Compile(tc.sel, cfg)
		if err != nil {
			t.Errorf("%s: %v", tc.sel, err)
			continue
		}
		got, ok := f(c)
		if !ok {
			got = "<null>"
		}
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.sel, got, tc.want)
		}
	}
	// After cfg_select the same compiled selects read the instance.
	g, _ := cfg.Group("grp")
	if err := cfg.View(c).Select(g, 2); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"@cfg_get.grp.a": "20", "@cfg_selected.grp": "2"} {
		f, _ := Compile(sel, cfg)
		if got, _ := f(c); got != want {
			t.Errorf("selected: %s = %q, want %q", sel, got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cfg := store(t)
	for _, tc := range []struct {
		sel  string
		cfg  *cfgvars.Store
		want string
	}{
		{"@", cfg, "missing select name"},
		{"@via[1].host", cfg, "the select @via[1].host (module core) is not implemented by kamgo"},
		{"@ruri.nope", cfg, "not implemented"},
		{"@nope.x", cfg, "invalid select name [@nope.x]"},
		{"@cfg_get.pstn", cfg, "needs a group and a variable"},
		{"@cfg_get.pstn.nope", cfg, "unknown variable: pstn.nope"},
		{"@cfg_get.core.log_facility", cfg, "variable cannot be retrieved"},
		{"@cfg_get.pstn.uri.uri.nope", cfg, "not implemented"},
		{"@cfg_get.pstn.uri.params", cfg, "not implemented"},
		{"@cfg_get.pstn.uri.nope", cfg, "invalid select name"},
		{"@cfg_get.core.debug", nil, "no configuration groups"},
		{"@cfg_selected.nope", cfg, "unknown configuration group: nope"},
		{"@cfg_selected", cfg, "needs a group"},
		{"@cfg_get.tm.fr_timer", cfg, "the select @cfg_get.tm.fr_timer (module tm) is not implemented by kamgo"},
		{"@cfg_selected.tcp", cfg, "(module core) is not implemented by kamgo"},
	} {
		_, err := Compile(tc.sel, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compile(%q) = %v, want %q", tc.sel, err, tc.want)
		}
	}
}
