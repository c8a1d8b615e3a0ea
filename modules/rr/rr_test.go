package rr

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/lang/routetype"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The recorded behaviour is spec/conformance/modules/rr; these tests
// cover what the conformance runner cannot show: the log lines, KEMI,
// the parsing rules on their own, TCP sockets and double record-route.

func request(t *testing.T, ruri, toTag string, routes ...string) *sipmsg.Msg {
	t.Helper()
	l := []string{"INVITE " + ruri + " SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1"}
	for _, r := range routes {
		l = append(l, "Route: "+r)
	}
	to := "To: <sip:bob@b.example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	l = append(l, "From: <sip:alice@a.example.com>;tag=ft1", to, "Call-ID: c1", "CSeq: 1 INVITE", "Content-Length: 0", "", "")
	m, err := sipmsg.Parse(strings.Join(l, "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "192.0.2.1", Port: 5060}
	return m
}

// setup returns a host for a module with params set, and a context on a
// new message.
func setup(t *testing.T, params map[string]value.Value) (*Module, *pvtest.Host) {
	t.Helper()
	m := newModule()
	for k, v := range params {
		if err := m.SetParam(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h, err := pvtest.NewHost(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	return m, h
}

func ctx(h *pvtest.Host, msg *sipmsg.Msg) *event.Context {
	c := h.Context()
	sipmsg.Set(c, msg)
	return c
}

// rrLines returns the Record-Route lines of the rebuilt message.
func rrLines(msg *sipmsg.Msg) []string {
	var out []string
	for _, l := range strings.Split(msg.Rebuilt(), "\r\n") {
		if strings.HasPrefix(l, "Record-Route:") {
			out = append(out, l)
		}
	}
	return out
}

func TestRecordRouteText(t *testing.T) {
	i := value.MakeInt
	for _, tc := range []struct {
		name   string
		params map[string]value.Value
		rcv    sipmsg.Socket
		proto  string
		calls  [][]string // function and arguments
		want   []string
	}{
		{name: "udp 5060", calls: [][]string{{"record_route"}},
			want: []string{"Record-Route: <sip:192.0.2.1;lr;ftag=ft1>"}},
		{name: "tcp other port", rcv: sipmsg.Socket{Proto: sipmsg.ProtoTCP, IP: "192.0.2.1", Port: 5070}, proto: "tcp",
			calls: [][]string{{"record_route"}},
			want:  []string{"Record-Route: <sip:192.0.2.1:5070;transport=tcp;lr;ftag=ft1>"}},
		{name: "advertised ipv6", rcv: sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "::1", Port: 5060, AdvIP: "2001:db8::1", AdvPort: 5080},
			calls: [][]string{{"record_route"}},
			want:  []string{"Record-Route: <sip:[2001:db8::1]:5080;lr;ftag=ft1>"}},
		{name: "sockname", params: map[string]value.Value{"sockname_mode": i(1)},
			rcv:   sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "192.0.2.1", Port: 5060, Name: "s1"},
			calls: [][]string{{"record_route"}},
			want:  []string{"Record-Route: <sip:192.0.2.1;sn=s1;lr;ftag=ft1>"}},
		{name: "double always", params: map[string]value.Value{"enable_double_rr": i(2)},
			calls: [][]string{{"record_route"}, {"add_rr_param", `";x"`}},
			want:  []string{"Record-Route: <sip:192.0.2.1;r2=on;lr;ftag=ft1;x>", "Record-Route: <sip:192.0.2.1;r2=on;lr;ftag=ft1;x>"}},
		{name: "advertised", calls: [][]string{{"record_route_advertised_address", `"rr.example.net"`}},
			want: []string{"Record-Route: <sip:rr.example.net;ftag=ft1;lr>"}},
		{name: "advertised double always", params: map[string]value.Value{"enable_double_rr": i(2)},
			calls: [][]string{{"record_route_advertised_address", `"rr.example.net"`}},
			want: []string{"Record-Route: <sip:rr.example.net;transport=udp;r2=on;ftag=ft1;lr>",
				"Record-Route: <sip:rr.example.net;transport=udp;r2=on;ftag=ft1;lr>"}},
		{name: "remove", calls: [][]string{{"record_route_preset", `"a"`, `"b"`}, {"remove_record_route"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, h := setup(t, tc.params)
			msg := request(t, "sip:bob@b.example.com", "")
			if tc.rcv.IP != "" {
				msg.Rcv = &tc.rcv
			}
			if tc.proto != "" {
				msg.Proto = tc.proto
			}
			c := ctx(h, msg)
			for _, call := range tc.calls {
				f, err := h.Call(m, call[0], call[1:]...)
				if err != nil {
					t.Fatal(err)
				}
				if rc := f(c); rc != 1 {
					t.Errorf("%s = %d", call[0], rc)
				}
			}
			if got := rrLines(msg); !slices.Equal(got, tc.want) {
				t.Errorf("Record-Route %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLogLines checks the error lines of the record-route functions.
func TestLogLines(t *testing.T) {
	m, h := setup(t, nil)
	msg := request(t, "sip:bob@b.example.com", "")
	c := ctx(h, msg)
	run := func(name string, args ...string) int { return h.MustCall(t, m, name, args...)(c) }
	if rc := run("record_route_preset", `"10.0.0.5"`); rc != 1 {
		t.Fatalf("record_route_preset = %d", rc)
	}
	if rc := run("add_rr_param", `";y=2"`); rc != -1 {
		t.Errorf("add_rr_param after one preset with double rr = %d, want -1", rc)
	}
	if rc := run("record_route"); rc != -1 {
		t.Errorf("second record_route = %d", rc)
	}
	want := []string{
		"CRITICAL: <rr>: add_rr_param(): failed to locate double RR lump",
		"ERROR: <rr>: w_record_route(): Double attempt to record-route",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}
	if got := rrLines(msg); !slices.Equal(got, []string{"Record-Route: <sip:10.0.0.5;ftag=ft1;lr;y=2>"}) {
		t.Errorf("Record-Route %q", got)
	}
}

// TestLooseRouteWarnings: the second entry of a double Route that is no
// socket of this server is warned about.
func TestLooseRouteWarnings(t *testing.T) {
	m, h := setup(t, nil)
	msg := request(t, "sip:bob@b.example.com", "t1",
		"<sip:192.0.2.1;r2=on;lr>", "<sip:192.0.2.7;r2=on;lr>", "<sip:10.0.0.9;lr>")
	c := ctx(h, msg)
	f, err := h.Call(m, "loose_route")
	if err != nil {
		t.Fatal(err)
	}
	if rc := f(c); rc != 1 || msg.DstURI != "sip:10.0.0.9;lr" {
		t.Errorf("loose_route = %d, $du %q", rc, msg.DstURI)
	}
	want := []string{
		"WARNING: <rr>: rr_do_force_send_socket(): no socket found to match second RR (sip:192.0.2.7;r2=on;lr)",
		"WARNING: <rr>: rr_do_force_send_socket(): second RR uri is not myself (sip:192.0.2.7;r2=on;lr)",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}
}

func TestRouteParam(t *testing.T) {
	for _, tc := range []struct {
		params, name, val string
		ok                bool
	}{
		{"lr;ftag=abc", "ftag", "abc", true},
		{"lr;ftag=x", "ftag", "x", true},
		{"ftag=x", "ftag", "", false}, // too short to be scanned
		{"ftag=abcd", "ftag", "abcd", true},
		{"lr;ftag = \"a b\";x", "ftag", "a b", true},
		{"lr;ftag;x=1", "ftag", "", true},
		{"lr;FTAG=abc", "ftag", "", false},
		{"lr;p=\"ftag=no\";ftag=yes", "ftag", "yes", true},
		{"lr", "ftag", "", false},
	} {
		val, ok := routeParam(tc.params, tc.name)
		if val != tc.val || ok != tc.ok {
			t.Errorf("routeParam(%q, %q) = %q, %v; want %q, %v", tc.params, tc.name, val, ok, tc.val, tc.ok)
		}
	}
}

func TestParamFlags(t *testing.T) {
	for _, tc := range []struct {
		params       string
		strict, r2on bool
	}{
		{"", true, false},
		{"lr", false, false},
		{"LR=on", false, false},
		{" lr ;x", false, false},
		{"lrx", true, false},
		{"x=\"a;lr\"", true, false},
		{"r2=on;lr", false, true},
		{"R2", true, true},
		{"r22", true, false},
	} {
		if got := isStrict(tc.params); got != tc.strict {
			t.Errorf("isStrict(%q) = %v", tc.params, got)
		}
		if got := is2RR(tc.params); got != tc.r2on {
			t.Errorf("is2RR(%q) = %v", tc.params, got)
		}
	}
}

func TestParseRoute(t *testing.T) {
	for _, tc := range []struct {
		value string
		uris  []string
		spans [][2]int
	}{
		{"<sip:a;lr>", []string{"sip:a;lr"}, [][2]int{{0, 10}}},
		{`"x, y" <sip:a>;p=1 , <sip:b>`, []string{"sip:a", "sip:b"}, [][2]int{{0, 18}, {21, 28}}},
		{"sip:a;lr, <sip:b>", []string{"sip:a;lr", "sip:b"}, [][2]int{{0, 8}, {10, 17}}},
	} {
		rh, err := parseRoute(&sipmsg.Header{Value: tc.value})
		if err != nil {
			t.Errorf("%q: %v", tc.value, err)
			continue
		}
		var uris []string
		var spans [][2]int
		for _, e := range rh.elems {
			uris = append(uris, e.uri)
			spans = append(spans, [2]int{e.start, e.end})
		}
		if !slices.Equal(uris, tc.uris) || !slices.Equal(spans, tc.spans) {
			t.Errorf("%q: %q %v, want %q %v", tc.value, uris, spans, tc.uris, tc.spans)
		}
	}
	for _, bad := range []string{"<sip:a", "<sip:a>,", "<sip:a>;", "<sip:a> x", "<>"} {
		if _, err := parseRoute(&sipmsg.Header{Value: bad}); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestKEMI runs the KSR.rr functions whose checks differ from the native
// ones.
func TestKEMI(t *testing.T) {
	m, h := setup(t, nil)
	fns := map[string]module.KEMIFunc{}
	for _, f := range m.KEMI() {
		fns[f.Name] = f
	}
	call := func(c *event.Context, name string, args ...value.Value) int {
		return int(fns[name].Call(h, c, args).I)
	}
	s := value.MakeStr

	msg := request(t, "sip:bob@b.example.com", "")
	c := ctx(h, msg)
	if rc := call(c, "record_route_preset", s("10.0.0.5"), s("")); rc != 1 {
		t.Errorf("record_route_preset(a, \"\") = %d", rc)
	}
	if got := rrLines(msg); !slices.Equal(got, []string{"Record-Route: <sip:10.0.0.5;ftag=ft1;lr>"}) {
		t.Errorf("Record-Route %q", got)
	}
	if rc := call(c, "record_route_params", s(";p=$var(x)")); rc != -1 {
		t.Errorf("second record-route = %d", rc)
	}
	if rc := call(c, "is_direction", s("sideways")); rc != eCfg {
		t.Errorf("is_direction(sideways) = %d", rc)
	}
	if rc := call(c, "check_route_param", s("(")); rc != -1 {
		t.Errorf("check_route_param(\"(\") = %d", rc)
	}
	want := []string{
		"ERROR: <rr>: ki_record_route_params(): Double attempt to record-route",
		"ERROR: <rr>: ki_is_direction(): unknown direction 'sideways' - use 'downstream' or 'upstream'",
		"ERROR: <rr>: ki_check_route_param(): bad re (",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("log %q, want %q", got, want)
	}

	msg = request(t, "sip:bob@b.example.com", "", "<sip:192.0.2.1;lr>")
	c = ctx(h, msg)
	if rc := call(c, "loose_route"); rc != rrPreloaded {
		t.Errorf("KSR.rr.loose_route on a preloaded route to this server = %d", rc)
	}
	msg = request(t, "sip:bob@b.example.com", "t1", "<sip:192.0.2.1;lr;ftag=other>", "<sip:10.0.0.9;lr>")
	c = ctx(h, msg)
	if rc := call(c, "loose_route_mode", value.MakeInt(1)); rc != 1 || msg.DstURI != "sip:10.0.0.9;lr" {
		t.Errorf("loose_route_mode(1) = %d, $du %q", rc, msg.DstURI)
	}
	if rc := call(c, "next_hop_route"); rc != 1 {
		t.Errorf("next_hop_route = %d", rc)
	}
	if rc := call(c, "is_direction", s("UPSTREAM")); rc != 1 {
		t.Errorf("is_direction(UPSTREAM) = %d", rc)
	}
	if rc := call(c, "check_route_param", s("^;lr;ftag=other$")); rc != 1 {
		t.Errorf("check_route_param = %d", rc)
	}
	if rc := call(c, "record_route"); rc != 1 {
		t.Errorf("record_route = %d", rc)
	}
	if got := rrLines(msg); !slices.Equal(got, []string{"Record-Route: <sip:192.0.2.1;lr;ftag=t1>"}) {
		t.Errorf("upstream Record-Route %q", got)
	}
}

// TestStartupErrors: is_direction's argument and append_fromtag, and
// custom_user_avp, are checked when the configuration loads.
func TestStartupErrors(t *testing.T) {
	m, h := setup(t, map[string]value.Value{"append_fromtag": value.MakeInt(0)})
	if _, err := h.Call(m, "is_direction", `"upstream"`); err == nil || !strings.Contains(err.Error(), `requires parameter "append_fromtag" enabled`) {
		t.Errorf("is_direction without append_fromtag: %v", err)
	}
	m, h = setup(t, nil)
	if _, err := h.Call(m, "is_direction", `"sideways"`); err == nil || !strings.Contains(err.Error(), "unknown direction 'sideways'") {
		t.Errorf("is_direction(sideways): %v", err)
	}
	if _, err := h.Call(m, "check_route_param", `"("`); err == nil {
		t.Error("check_route_param(\"(\") compiled")
	}
	m = newModule()
	_ = m.SetParam("custom_user_avp", value.MakeStr("$nope("))
	if err := m.Provision(h); err == nil {
		t.Error("custom_user_avp $nope( accepted")
	}
}

// TestBranchCopy: record_route on a branch's copy of the request, in a
// branch route, neither counts for the request nor for the copy; the
// request's own record-route still counts after it.
func TestBranchCopy(t *testing.T) {
	m, h := setup(t, nil)
	rr, err := h.Call(m, "record_route")
	if err != nil {
		t.Fatal(err)
	}
	req := request(t, "sip:bob@b.example.com", "")
	c := ctx(h, req)
	if rc := rr(c); rc != 1 {
		t.Fatalf("record_route = %d", rc)
	}
	cp := request(t, "sip:bob@b.example.com", "")
	sipmsg.Set(c, cp)
	c.Route = routetype.Branch
	for i := 0; i < 2; i++ {
		if rc := rr(c); rc != 1 {
			t.Errorf("record_route %d in branch_route = %d", i+1, rc)
		}
	}
	sipmsg.Set(c, req)
	c.Route = routetype.Request
	if rc := rr(c); rc != -1 {
		t.Errorf("second record_route of the request = %d", rc)
	}
}
