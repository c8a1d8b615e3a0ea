package json

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/module"
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
	{name: "encode", fn: "json_get_field", args: []string{`"$(var(x){json.encode})"`, `"a"`, `"$var(r)"`}, ok: false},
	{name: "encode-param", fn: "json_get_field", args: []string{`"$(var(x){json.encode,a})"`, `"a"`, `"$var(r)"`}, ok: false},
	{name: "parse-no-path", fn: "json_get_field", args: []string{`"$(var(x){json.parse})"`, `"a"`, `"$var(r)"`}, ok: false},
	{name: "parse-two-params", fn: "json_get_field", args: []string{`"$(var(x){json.parse,a,b})"`, `"a"`, `"$var(r)"`}, ok: false},
	{name: "parse", fn: "json_get_field", args: []string{`"$(var(x){json.parse,a.b})"`, `"a"`, `"$var(r)"`}, ok: true},
	{name: "parse-pv", fn: "json_get_field", args: []string{`"$(var(x){json.parse,$var(p)})"`, `"a"`, `"$var(r)"`}, ok: true},
	{name: "parse-upper", fn: "json_get_string", args: []string{`"$(var(x){json.PARSE,a})"`, `"a"`, `"$var(r)"`}, ok: true},
	{name: "read-only-dst", fn: "json_get_field", args: []string{`"{}"`, `"a"`, `"$rm"`}, ok: false},
	{name: "escape-char", params: [][2]string{{"json_escape_char", `"ab"`}}, fn: "json_get_field", args: []string{`"{}"`, `"a"`, `"$var(r)"`}, ok: true},
}

// statement renders the call as a config statement.
func (sc startupCase) statement() string {
	return sc.fn + "(" + strings.Join(sc.args, ", ") + ");"
}

// modparams renders the parameters as modparam lines.
func (sc startupCase) modparams() []string {
	var out []string
	for _, p := range sc.params {
		out = append(out, `modparam("json", "`+p[0]+`", `+p[1]+`)`)
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
	m := &Module{}
	for _, p := range sc.params {
		if err := m.SetParam(p[0], paramValue(t, p[1])); err != nil {
			return err
		}
	}
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Call(m, sc.fn, sc.args...)
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
