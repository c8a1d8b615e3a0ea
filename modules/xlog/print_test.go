package xlog

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// printed collects the text lines a logger writes.
type printed struct{ lines []string }

func (p *printed) Write(b []byte) (int, error) {
	p.lines = append(p.lines, strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

func setVar(t *testing.T, h *pvtest.Host, c *event.Context, name string, v value.Value) {
	t.Helper()
	h.MustSet(t, c, name, v)
}

func TestPrefixMode(t *testing.T) {
	m := newModule()
	_ = m.SetParam("prefix_mode", value.MakeInt(1))
	_ = m.SetParam("prefix", value.MakeStr("$var(p)"))
	h := newHost(t, m)
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	out := &printed{}
	lg := klog.New(out, klog.Text)
	info, err := h.Call(m, "xinfo", `"msg"`)
	if err != nil {
		t.Fatal(err)
	}
	lineFn, err := h.Call(m, "xlogl", `"L_INFO"`, `"with line"`)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	c.Log = lg
	setVar(t, h, c, "$var(p)", value.MakeStr("[x] "))
	info(c)
	lineFn(c)
	setVar(t, h, c, "$var(p)", value.MakeStr(""))
	info(c)
	want := []string{
		"INFO: [x] msg",
		"INFO: $var(p)0:with line", // xlogl without long_format prints the raw prefix
		"INFO: $var(p)msg",         // an empty expansion falls back to the raw prefix
	}
	if !slices.Equal(out.lines, want) {
		t.Errorf("got %q\nwant %q", out.lines, want)
	}
}

func TestMethodsFilter(t *testing.T) {
	invite, err := sipmsg.Parse("INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter int64
		msg    *sipmsg.Msg // nil: the faked OPTIONS request
		logs   bool
	}{
		{-1, nil, false},
		{512, nil, false}, // OPTIONS is filtered
		{1, nil, true},
		{0, nil, true},
		{1, invite, false},
		{512, invite, true},
	} {
		m := newModule()
		_ = m.SetParam("methods_filter", value.MakeInt(tc.filter))
		h := newHost(t, m)
		xm, err := h.Call(m, "xlogm", `"L_INFO"`, `"m"`)
		if err != nil {
			t.Fatal(err)
		}
		c := h.Context()
		if tc.msg != nil {
			sipmsg.Set(c, tc.msg)
		}
		if rc := xm(c); rc != 1 {
			t.Errorf("rc %d", rc)
		}
		if got := len(h.Lines()) == 1; got != tc.logs {
			t.Errorf("filter %d, %v: logged %v", tc.filter, tc.msg != nil, got)
		}
	}
}

// TestLevelValue checks the error of a level pseudo-variable that holds
// no integer (recorded in spec/conformance/modules/xlog/funcs as
// "xlog_2_helper(): invalid log level value [4]" for a string and "[1]"
// for null).
func TestLevelValue(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	for _, tc := range []struct {
		v    value.Value
		rc   int
		line string
	}{
		{value.MakeStr("1"), -1, "ERROR: <xlog>: xlog_2_helper(): invalid log level value [4]"},
		{value.NullValue, -1, "ERROR: <xlog>: xlog_2_helper(): invalid log level value [1]"},
		{value.MakeInt(1), 1, "NOTICE: <script>: x"},
	} {
		c := h.Context()
		if !tc.v.IsNull() {
			setVar(t, h, c, "$var(l)", tc.v)
		}
		lv := "$var(l)"
		if tc.v.IsNull() {
			lv = "$avp(none)"
		}
		xl, err := h.Call(m, "xlog", `"`+lv+`"`, `"x"`)
		if err != nil {
			t.Fatal(err)
		}
		if rc := xl(c); rc != tc.rc {
			t.Errorf("%v: rc %d", tc.v, rc)
		}
		if got := h.Lines(); !slices.Equal(got, []string{tc.line}) {
			t.Errorf("%v: got %q", tc.v, got)
		}
	}
}

func TestBufSizeZero(t *testing.T) {
	m := newModule()
	_ = m.SetParam("buf_size", value.MakeInt(0))
	h := newHost(t, m)
	for text, rc := range map[string]int{`""`: 1, `"x"`: -1} {
		xi, err := h.Call(m, "xinfo", text)
		if err != nil {
			t.Fatal(err)
		}
		if got := xi(h.Context()); got != rc {
			t.Errorf("xinfo(%s) = %d, want %d", text, got, rc)
		}
	}
}
