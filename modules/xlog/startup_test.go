package xlog

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/value"
)

// startupCase is a configuration Kamailio 5.6.3 starts with (ok) or
// refuses at startup: modparams (name and value as written) and one call
// (function name and arguments as written). TestStartup checks that kamgo
// accepts and refuses the same; TestRecordStartup (-tags kamailio) checks
// the table against Kamailio.
type startupCase struct {
	name   string
	params [][2]string
	fn     string
	args   []string
	ok     bool
}

var startupCases = []startupCase{
	{name: "level-int", fn: "xlog", args: []string{"1", `"x"`}, ok: false},
	{name: "level-int-2-digits", fn: "xlog", args: []string{"12", `"x"`}, ok: false},
	{name: "level-short", fn: "xlog", args: []string{`"L"`, `"x"`}, ok: false},
	{name: "level-lower", fn: "xlog", args: []string{`"l_info"`, `"x"`}, ok: false},
	{name: "level-third-char", fn: "xlogl", args: []string{`"XXW"`, `"x"`}, ok: true},
	{name: "level-pv", fn: "xlog", args: []string{`"$var(l)"`, `"x"`}, ok: true},
	{name: "facility-unknown", fn: "xlog", args: []string{`"LOG_FOO"`, `"L_INFO"`, `"x"`}, ok: false},
	{name: "facility-lower", fn: "xlog", args: []string{`"log_local0"`, `"L_INFO"`, `"x"`}, ok: true},
	{name: "facility-pv", fn: "xlogl", args: []string{`"$var(f)"`, `"L_INFO"`, `"x"`}, ok: false},
	{name: "bad-format", fn: "xinfo", args: []string{`"$var(x"`}, ok: false},
	{name: "log-facility-unknown", params: [][2]string{{"log_facility", `"LOG_FOO"`}}, fn: "xinfo", args: []string{`"x"`}, ok: false},
	{name: "log-facility-lower", params: [][2]string{{"log_facility", `"log_local3"`}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "log-colors", params: [][2]string{{"log_colors", `"L_ERR=cx"`}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "log-colors-level", params: [][2]string{{"log_colors", `"L_FOO=cx"`}}, fn: "xinfo", args: []string{`"x"`}, ok: false},
	{name: "log-colors-short", params: [][2]string{{"log_colors", `"L_ERR=c"`}}, fn: "xinfo", args: []string{`"x"`}, ok: false},
	{name: "log-colors-list", params: [][2]string{{"log_colors", `"l_err=cx;L_DBG=Rb;"`}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "log-colors-zero", params: [][2]string{{"log_colors", `"L_ERR=0x"`}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "buf-size-zero", params: [][2]string{{"buf_size", "0"}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "buf-size-negative", params: [][2]string{{"buf_size", "-5"}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "prefix-mode-bad", params: [][2]string{{"prefix_mode", "1"}, {"prefix", `"$var(x"`}}, fn: "xinfo", args: []string{`"x"`}, ok: false},
	{name: "prefix-mode", params: [][2]string{{"prefix_mode", "1"}, {"prefix", `"[$var(x)] "`}}, fn: "xinfo", args: []string{`"x"`}, ok: true},
	{name: "methods-filter", params: [][2]string{{"methods_filter", "15"}}, fn: "xlogm", args: []string{`"L_INFO"`, `"x"`}, ok: true},
	{name: "color-long", fn: "xinfo", args: []string{`"$C(xyz)"`}, ok: false},
	{name: "color-letter", fn: "xinfo", args: []string{`"$C(zz)"`}, ok: false},
	{name: "color-bold-default", fn: "xinfo", args: []string{`"$C(Xx)"`}, ok: false},
	{name: "color-bold-background", fn: "xinfo", args: []string{`"$C(xX)"`}, ok: false},
	{name: "color", fn: "xinfo", args: []string{`"$C(Wb)"`}, ok: true},
}

// statement renders the call as a config statement.
func (sc startupCase) statement() string {
	return sc.fn + "(" + strings.Join(sc.args, ", ") + ");"
}

// modparams renders the parameters as modparam lines.
func (sc startupCase) modparams() []string {
	var out []string
	for _, p := range sc.params {
		out = append(out, `modparam("xlog", "`+p[0]+`", `+p[1]+`)`)
	}
	return out
}

// paramValue reads a modparam value as written: "text" or a number.
func paramValue(t *testing.T, s string) value.Value {
	if strings.HasPrefix(s, `"`) {
		return value.MakeStr(strings.Trim(s, `"`))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("bad modparam value %s", s)
	}
	return value.MakeInt(n)
}

// kamgoStarts sets the case's parameters on a fresh module, provisions it
// and compiles the call: what runtime/server does at startup.
func kamgoStarts(t *testing.T, sc startupCase) error {
	m := newModule()
	for _, p := range sc.params {
		if err := m.SetParam(p[0], paramValue(t, p[1])); err != nil {
			return err
		}
	}
	h := newHost(t, m)
	if err := m.Provision(h); err != nil {
		return err
	}
	_, err := h.Call(m, sc.fn, sc.args...)
	return err
}

func TestStartup(t *testing.T) {
	for _, sc := range startupCases {
		t.Run(sc.name, func(t *testing.T) {
			err := kamgoStarts(t, sc)
			if (err == nil) != sc.ok {
				t.Errorf("%v %s: kamgo error %v, Kamailio starts: %v", sc.modparams(), sc.statement(), err, sc.ok)
			}
		})
	}
}
