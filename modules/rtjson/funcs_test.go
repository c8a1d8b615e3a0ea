package rtjson_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/modules/rtjson"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// call is one function call of a case: a native function with its
// argument (a quoted string, or "" for none), or a KEMI function
// ("KSR.rtjson.name").
type call struct {
	fn, arg string
	rc      int
}

// TestFunctions runs the functions on a request without tm (the timers of
// a route are then skipped, as in Kamailio) and checks their codes, the
// request's destination and branches, the route index and the error and
// warning lines.
func TestFunctions(t *testing.T) {
	const serial = `{"routing": "serial", "routes": [` +
		`{"uri": "sip:a@10.0.0.1", "dst_uri": "sip:10.0.0.9", "path": "<sip:p@10.0.0.8;lr>", "branch_flags": 6, "socket": "udp:10.9.9.9:5060"},` +
		`{"dst_uri": "sip:10.0.0.2"}, {"uri": "sip:c@10.0.0.3", "path": "<sip:q@10.0.0.7>"}]}`
	for _, tc := range []struct {
		name     string
		calls    []call
		ru, du   string
		bf       uint32
		branches []string // uri|dst|path of each branch
		idx      string
		log      []string
	}{
		{name: "serial push", calls: []call{{"rtjson_init_routes", `"$var(doc)"`, 1}, {"rtjson_push_routes", "", 1}},
			ru: "sip:a@10.0.0.1", du: "sip:10.0.0.9", bf: 6, idx: "1"},
		{name: "serial next twice, then none", calls: []call{{"KSR.rtjson.init_routes", serial, 1}, {"KSR.rtjson.push_routes", "", 1},
			{"KSR.rtjson.next_route", "", 1}, {"rtjson_next_route", "", 1}, {"rtjson_next_route", "", -1}},
			ru: "sip:a@10.0.0.1", du: "sip:10.0.0.9", bf: 6, idx: "3",
			branches: []string{"sip:a@10.0.0.1|sip:10.0.0.2|", "sip:c@10.0.0.3||<sip:q@10.0.0.7>"}},
		{name: "parallel", calls: []call{{"KSR.rtjson.init_routes", strings.Replace(serial, "serial", "parallel", 1), 1}, {"rtjson_push_routes", "", 1},
			{"rtjson_next_route", "", -1}},
			ru: "sip:a@10.0.0.1", du: "sip:10.0.0.9", bf: 6, idx: "3",
			branches: []string{"sip:a@10.0.0.1|sip:10.0.0.2|", "sip:c@10.0.0.3||<sip:q@10.0.0.7>"}},
		{name: "newest document wins", calls: []call{{"KSR.rtjson.init_routes", serial, 1},
			{"KSR.rtjson.init_routes", `{"routing": "serial", "routes": [{"uri": "sip:z@10.0.0.5"}]}`, 1}, {"rtjson_push_routes", "", 1}},
			ru: "sip:z@10.0.0.5", idx: "1"},
		// Deviation: Kamailio sets an empty Request-URI here (spec/deviations.md).
		{name: "empty uri keeps the Request-URI", calls: []call{{"KSR.rtjson.init_routes", `{"routing": "serial", "routes": [{"uri": ""}]}`, 1},
			{"rtjson_push_routes", "", 1}}, ru: "sip:b@example.com", idx: "1"},
		{name: "empty native argument", calls: []call{{"rtjson_init_routes", `""`, -1}},
			ru: "sip:b@example.com", idx: "<null>", log: []string{"ERROR: <rtjson>: w_rtjson_init_routes(): no routing information"}},
		{name: "empty KEMI argument", calls: []call{{"KSR.rtjson.init_routes", "", -1}},
			ru: "sip:b@example.com", idx: "<null>", log: []string{"ERROR: <rtjson>: rtjson_init_routes(): invalid json doc [[]]"}},
		{name: "no document", calls: []call{{"rtjson_push_routes", "", -1}, {"rtjson_next_route", "", -1}, {"KSR.rtjson.update_branch", "", -1}},
			ru: "sip:b@example.com", idx: "<null>", log: []string{
				"WARNING: <rtjson>: rtjson_push_routes(): no json for routing",
				"WARNING: <rtjson>: rtjson_next_route(): no json for routing",
				"WARNING: <rtjson>: rtjson_update_branch(): no json for routing"}},
		{name: "index 0 in branch_route", calls: []call{{"KSR.rtjson.init_routes", serial, 1}, {"rtjson_update_branch", "", -1}},
			ru: "sip:b@example.com", idx: "0", log: []string{"WARNING: <rtjson>: rtjson_update_branch(): invalid branch idx for routing"}},
		{name: "routes not an array", calls: []call{{"KSR.rtjson.init_routes", `{"routing": "parallel", "routes": {}}`, 1}, {"rtjson_push_routes", "", -1}},
			ru: "sip:b@example.com", idx: "0", log: []string{"ERROR: <rtjson>: rtjson_init_parallel(): missing or invalid routes field"}},
		{name: "next route of a parallel document", calls: []call{{"KSR.rtjson.init_routes", `{"routing": "parallel", "routes": [{}]}`, 1}, {"rtjson_next_route", "", -1}},
			ru: "sip:b@example.com", idx: "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newModule(t)
			h, err := pvtest.NewHost(pvModule(t), m)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.(module.Provisioner).Provision(h); err != nil {
				t.Fatal(err)
			}
			h.Lines()
			c := h.Context()
			msg, err := sipmsg.Parse("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n" +
				"From: <sip:a@a.org>;tag=1\r\nTo: <sip:b@b.org>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
			if err != nil {
				t.Fatal(err)
			}
			sipmsg.Set(c, msg)
			doc, err := h.Ref("$var(doc)")
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Set(c, value.MakeStr(serial)); err != nil {
				t.Fatal(err)
			}
			kemi := map[string]module.KEMIFunc{}
			for _, f := range m.(module.KEMIExporter).KEMI() {
				kemi["KSR."+f.Path()] = f
			}
			for _, cl := range tc.calls {
				var rc int
				if f, ok := kemi[cl.fn]; ok {
					var args []value.Value
					if len(f.Params) == 1 {
						args = []value.Value{value.MakeStr(cl.arg)}
					}
					rc = int(f.Call(h, c, args).I)
				} else {
					var argv []string
					if cl.arg != "" {
						argv = []string{cl.arg}
					}
					fn, err := h.Call(m, cl.fn, argv...)
					if err != nil {
						t.Fatal(err)
					}
					rc = fn(c)
				}
				if rc != cl.rc {
					t.Errorf("%s = %d, want %d", cl.fn, rc, cl.rc)
				}
			}
			if msg.RequestURI() != tc.ru || msg.DstURI != tc.du || msg.RuriFlags != tc.bf {
				t.Errorf("ru %q du %q bf %d, want %q %q %d", msg.RequestURI(), msg.DstURI, msg.RuriFlags, tc.ru, tc.du, tc.bf)
			}
			var branches []string
			for _, b := range msg.Branches {
				branches = append(branches, b.URI+"|"+b.DstURI+"|"+b.Path)
			}
			if !slices.Equal(branches, tc.branches) {
				t.Errorf("branches %q, want %q", branches, tc.branches)
			}
			ref, err := h.Ref("$xavp(rtjson=>idx)")
			if err != nil {
				t.Fatal(err)
			}
			if got := ref.Get(c).String(); got != tc.idx {
				t.Errorf("idx %s, want %s", got, tc.idx)
			}
			var log []string
			for _, l := range h.Lines() {
				if !strings.HasPrefix(l, "DEBUG") {
					log = append(log, l)
				}
			}
			if !slices.Equal(log, tc.log) {
				t.Errorf("log %q, want %q", log, tc.log)
			}
		})
	}
}

func newModule(t *testing.T) module.Module {
	info, ok := module.Lookup(rtjson.Name)
	if !ok {
		t.Fatal("rtjson not registered")
	}
	return info.New()
}

func pvModule(t *testing.T) module.Module {
	info, ok := module.Lookup("pv")
	if !ok {
		t.Fatal("pv not registered")
	}
	return info.New()
}

// TestProvision checks the start-up lines without tm and uac, and the
// xavp_cfg parameter: an empty name is refused, another name is used.
func TestProvision(t *testing.T) {
	m := newModule(t)
	h, err := pvtest.NewHost(pvModule(t), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.(module.ParamSetter).SetParam("xavp_cfg", value.MakeStr("")); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.Provisioner).Provision(h); err == nil {
		t.Error("an empty xavp_cfg was accepted")
	}
	if got, want := h.Lines(), []string{"ERROR: <rtjson>: mod_init(): invalid xavp name"}; !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}

	m = newModule(t)
	if h, err = pvtest.NewHost(pvModule(t), m); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.ParamSetter).SetParam("xavp_cfg", value.MakeStr("routing")); err != nil {
		t.Fatal(err)
	}
	if err := m.(module.Provisioner).Provision(h); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"WARNING: <rtjson>: load_tm_api(): Cannot import load_tm function from tm module",
		"NOTICE: <rtjson>: rtjson_init(): cannot load the TM API - some features are disabled",
		"WARNING: <rtjson>: load_uac_api(): failed to import bind_uac",
		"NOTICE: <rtjson>: rtjson_init(): cannot bind to UAC API - some features are disabled",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("start-up log %q, want %q", got, want)
	}
	c := h.Context()
	call, err := h.Call(m, "rtjson_init_routes", `"[1]"`)
	if err != nil {
		t.Fatal(err)
	}
	if rc := call(c); rc != 1 {
		t.Fatalf("rtjson_init_routes = %d", rc)
	}
	for text, want := range map[string]string{"$xavp(routing=>json)": "[1]", "$xavp(routing=>idx)": "0", "$xavp(rtjson=>idx)": "<null>"} {
		r, err := h.Ref(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Get(c).String(); got != want {
			t.Errorf("%s = %s, want %s", text, got, want)
		}
	}
}
