package maxfwd

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

func request(t *testing.T, mf string) *sipmsg.Msg {
	t.Helper()
	lines := []string{"OPTIONS sip:b@example.com SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1"}
	if mf != "-" {
		lines = append(lines, "Max-Forwards:"+mf)
	}
	lines = append(lines, "From: <sip:a@a.org>;tag=1", "To: <sip:b@b.org>", "Call-ID: x", "CSeq: 1 OPTIONS")
	return siptest.Parse(t, siptest.Build(lines, ""))
}

func setup(t *testing.T, m *Module) (*pvtest.Host, func(mf string) (*event.Context, *sipmsg.Msg)) {
	t.Helper()
	h, err := pvtest.NewHost(m)
	if err != nil {
		t.Fatal(err)
	}
	return h, func(mf string) (*event.Context, *sipmsg.Msg) {
		c := h.Context()
		msg := request(t, mf)
		sipmsg.Set(c, msg)
		return c, msg
	}
}

// TestProcess runs mf_process_maxfwd_header over the header values of
// spec/conformance/modules/maxfwd and checks the code, the header as
// later reads see it, and the header added to the rebuilt message.
func TestProcess(t *testing.T) {
	for _, tc := range []struct {
		mf       string // the header value, "-" for none
		limit    string
		maxLimit int64
		rc       int
		after    string // the header's value afterwards
		added    string // a header in the rebuilt message
		log      string
	}{
		{mf: " 70", limit: "10", rc: 1, after: "69"},
		{mf: " 1", limit: "10", rc: 1, after: "0"},
		{mf: " 0", limit: "10", rc: -1, after: "0"},
		{mf: "", limit: "10", rc: -1, after: ""},
		{mf: " 100", limit: "10", rc: 1, after: " 70"},
		{mf: " 50", limit: "10", maxLimit: 20, rc: 1, after: "20"},
		{mf: " 70000", limit: "10", rc: 1, after: "   70"},
		{mf: " 000070", limit: "10", rc: -2, after: "000070",
			log: "ERROR: <maxfwd>: is_maxfwd_present(): unable to parse the max forwards number"},
		{mf: " 7a", limit: "10", rc: -2, after: "7a",
			log: "ERROR: <maxfwd>: is_maxfwd_present(): unable to parse the max forwards number"},
		{mf: "-", limit: "10", rc: 2, added: "Max-Forwards: 10\r\nVia:"},
		{mf: "-", limit: "255", rc: 2, added: "Max-Forwards: 255\r\nVia:"},
		{mf: " 5", limit: "256", rc: -1, after: "5",
			log: "ERROR: <maxfwd>: process_maxfwd_header(): invalid param value: 256"},
		{mf: " 5", limit: "-1", rc: -1, after: "5",
			log: "ERROR: <maxfwd>: process_maxfwd_header(): invalid param value: -1"},
	} {
		m := &Module{maxLimit: defaultMaxLimit}
		if tc.maxLimit != 0 {
			if err := m.SetParam("max_limit", value.MakeInt(tc.maxLimit)); err != nil {
				t.Fatal(err)
			}
		}
		h, ctx := setup(t, m)
		call, err := h.Call(m, "mf_process_maxfwd_header", tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		c, msg := ctx(tc.mf)
		if rc := call(c); rc != tc.rc {
			t.Errorf("Max-Forwards:%s, limit %s: rc %d, want %d", tc.mf, tc.limit, rc, tc.rc)
		}
		got, ok := msg.Header("max-forwards")
		if tc.mf != "-" && (!ok || got != tc.after) {
			t.Errorf("Max-Forwards:%s: afterwards %q, want %q", tc.mf, got, tc.after)
		}
		if tc.added != "" && !strings.Contains(msg.Rebuilt(), "\r\n"+tc.added) {
			t.Errorf("Max-Forwards:%s: rebuilt message lacks %q:\n%s", tc.mf, tc.added, msg.Rebuilt())
		}
		var want []string
		if tc.log != "" {
			want = []string{tc.log}
		}
		if lines := h.Lines(); !slices.Equal(lines, want) {
			t.Errorf("Max-Forwards:%s: log %q, want %q", tc.mf, lines, want)
		}
	}
}

// TestProcessTwice checks that a second call sees the value the first
// wrote, in the message text as received (padded, as Kamailio writes it).
func TestProcessTwice(t *testing.T) {
	m := &Module{maxLimit: defaultMaxLimit}
	h, ctx := setup(t, m)
	call, err := h.Call(m, "process_maxfwd", "10")
	if err != nil {
		t.Fatal(err)
	}
	c, msg := ctx(" 100")
	for i := 0; i < 2; i++ {
		if rc := call(c); rc != 1 {
			t.Fatalf("call %d: process_maxfwd = %d", i+1, rc)
		}
	}
	if !strings.Contains(msg.Buf, "\r\nMax-Forwards:  69\r\n") {
		t.Errorf("message text:\n%s", msg.Buf)
	}
}

func TestIsLT(t *testing.T) {
	for _, tc := range []struct {
		fn, mf, limit string
		rc            int
	}{
		{"is_maxfwd_lt", " 10", "11", 1},
		{"is_maxfwd_lt", " 10", "10", -1},
		{"maxfwd_at_least", " 10", "9", -1},
		{"mf_lowlimit", " 10", "255", 1},
		{"mf_lowlimit", " 10", "0", -1},
		{"is_maxfwd_lt", " 10", "256", -1},
		{"is_maxfwd_lt", "-", "10", -2},
		{"is_maxfwd_lt", " x", "10", -3},
		{"is_maxfwd_lt", "", "1", 1},
	} {
		m := &Module{maxLimit: defaultMaxLimit}
		h, ctx := setup(t, m)
		call, err := h.Call(m, tc.fn, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := ctx(tc.mf)
		if rc := call(c); rc != tc.rc {
			t.Errorf("%s(%s) on Max-Forwards:%s = %d, want %d", tc.fn, tc.limit, tc.mf, rc, tc.rc)
		}
	}
}

// TestPVLimit checks a limit from a pseudo-variable: a number is used;
// a string is -1 with Kamailio's two error lines.
func TestPVLimit(t *testing.T) {
	m := &Module{maxLimit: defaultMaxLimit}
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	msg := request(t, "-")
	sipmsg.Set(c, msg)
	for name, v := range map[string]value.Value{"$var(l)": value.MakeInt(15), "$var(s)": value.MakeStr("abc")} {
		r, err := h.Ref(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Set(c, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		fn, arg string
		rc      int
		log     []string
	}{
		{"mf_process_maxfwd_header", "$var(l)", 2, nil},
		{"mf_process_maxfwd_header", "$var(s)", -1, []string{
			"ERROR: <core>: get_int_fparam(): Could not convert PV to int",
			"ERROR: <maxfwd>: w_process_maxfwd_header(): could not get param value"}},
		{"is_maxfwd_lt", "$var(s)", -1, []string{
			"ERROR: <core>: get_int_fparam(): Could not convert PV to int",
			"ERROR: <maxfwd>: is_maxfwd_lt(): could not get param value"}},
	} {
		call, err := h.Call(m, tc.fn, `"`+tc.arg+`"`)
		if err != nil {
			t.Fatal(err)
		}
		if rc := call(c); rc != tc.rc {
			t.Errorf("%s(%s) = %d, want %d", tc.fn, tc.arg, rc, tc.rc)
		}
		if got := h.Lines(); !slices.Equal(got, tc.log) {
			t.Errorf("%s(%s): log %q, want %q", tc.fn, tc.arg, got, tc.log)
		}
	}
	if !strings.Contains(msg.Rebuilt(), "\r\nMax-Forwards: 15\r\nVia:") {
		t.Errorf("rebuilt:\n%s", msg.Rebuilt())
	}
}

func TestKEMI(t *testing.T) {
	m := &Module{maxLimit: defaultMaxLimit}
	_, ctx := setup(t, m)
	funcs := map[string]module.KEMIFunc{}
	for _, f := range m.KEMI() {
		funcs[f.Path()] = f
	}
	c, msg := ctx(" 3")
	if rc := funcs["maxfwd.process_maxfwd"].Call(nil, c, []value.Value{value.MakeInt(10)}); rc.I != 1 {
		t.Errorf("process_maxfwd = %d", rc.I)
	}
	if v, _ := msg.Header("max-forwards"); v != "2" {
		t.Errorf("Max-Forwards %q after process_maxfwd", v)
	}
	if rc := funcs["maxfwd.is_maxfwd_lt"].Call(nil, c, []value.Value{value.MakeInt(3)}); rc.I != 1 {
		t.Errorf("is_maxfwd_lt(3) = %d", rc.I)
	}
	if rc := funcs["maxfwd.is_maxfwd_lt"].Call(nil, c, []value.Value{value.MakeInt(2)}); rc.I != -1 {
		t.Errorf("is_maxfwd_lt(2) = %d", rc.I)
	}
}
