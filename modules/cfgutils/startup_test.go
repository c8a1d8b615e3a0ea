package cfgutils

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
	{name: "probability-101", params: [][2]string{{"initial_probability", "101"}}, fn: "rand_event", ok: false},
	{name: "probability-negative", params: [][2]string{{"initial_probability", "-5"}}, fn: "rand_event", ok: true},
	{name: "lock-set-20", params: [][2]string{{"lock_set_size", "20"}}, fn: "lock", args: []string{`"k"`}, ok: true},
	{name: "lock-set-negative", params: [][2]string{{"lock_set_size", "-1"}}, fn: "lock", args: []string{`"k"`}, ok: true},
	{name: "hash-file-missing", params: [][2]string{{"hash_file", `"/nonexistent/kamgo"`}}, fn: "rand_event", ok: false},
	{name: "hash-file", params: [][2]string{{"hash_file", `"/etc/hostname"`}}, fn: "rand_event", ok: true},
	{name: "prob-text", fn: "rand_set_prob", args: []string{`"abc"`}, ok: true},
	{name: "prob-101", fn: "rand_set_prob", args: []string{`"101"`}, ok: false},
	{name: "prob-pv", fn: "rand_set_prob", args: []string{`"$var(x)"`}, ok: true},
	{name: "prob-int", fn: "rand_set_prob", args: []string{"50"}, ok: true},
	{name: "gflag-32", fn: "set_gflag", args: []string{`"32"`}, ok: false},
	{name: "gflag-text", fn: "set_gflag", args: []string{`"abc"`}, ok: false},
	{name: "gflag-pv", fn: "is_gflag", args: []string{`"$var(x)"`}, ok: false},
	{name: "gflag-empty", fn: "reset_gflag", args: []string{`""`}, ok: true},
	{name: "gflag-int", fn: "set_gflag", args: []string{"5"}, ok: true},
	{name: "sleep-text", fn: "sleep", args: []string{`"abc"`}, ok: false},
	{name: "sleep-unit", fn: "sleep", args: []string{`"5s"`}, ok: false},
	{name: "sleep-space", fn: "sleep", args: []string{`" 5"`}, ok: false},
	{name: "sleep-pv", fn: "sleep", args: []string{`"$var(x)"`}, ok: true},
	{name: "usleep-junk", fn: "usleep", args: []string{`"-1x"`}, ok: false},
	{name: "usleep-negative", fn: "usleep", args: []string{`"-1"`}, ok: true},
	{name: "core-hash-size", fn: "core_hash", args: []string{`"a"`, `"b"`, `"x"`}, ok: false},
	{name: "lock-int", fn: "lock", args: []string{"5"}, ok: true},
	{name: "abort", fn: "abort", ok: true},
}

// statement renders the call as a config statement.
func (sc startupCase) statement() string {
	return sc.fn + "(" + strings.Join(sc.args, ", ") + ");"
}

// modparams renders the parameters as modparam lines.
func (sc startupCase) modparams() []string {
	var out []string
	for _, p := range sc.params {
		out = append(out, `modparam("cfgutils", "`+p[0]+`", `+p[1]+`)`)
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
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		return err
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
