package jansson

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/module"
)

// startupCase is a call (function name and arguments as written) that
// Kamailio 5.6.3 starts with (ok) or refuses at startup. TestStartup
// checks that kamgo accepts and refuses the same; TestRecordStartup (-tags
// kamailio) checks the table against Kamailio.
type startupCase struct {
	name string
	fn   string
	args []string
	ok   bool
	// deviation marks a documented difference: kamgo gives the
	// opposite verdict.
	deviation bool
}

var startupCases = []startupCase{
	{name: "xencode-read-only", fn: "jansson_xencode", args: []string{`"x"`, `"$rm"`}, ok: false},
	{name: "xencode", fn: "jansson_xencode", args: []string{`"x"`, `"$var(r)"`}, ok: true},
	{name: "xdecode-pv-name", fn: "jansson_xdecode", args: []string{`"{}"`, `"$var(n)"`}, ok: true},
	// Kamailio does not check that the destination of jansson_get or
	// jansson_set is writable and crashes when it stores into one that is
	// not; kamgo refuses the configuration.
	{name: "get-read-only", fn: "jansson_get", args: []string{`"a"`, `"{}"`, `"$rm"`}, ok: true, deviation: true},
	{name: "set-read-only", fn: "jansson_set", args: []string{`"int"`, `"a"`, `"1"`, `"$rm"`}, ok: true, deviation: true},
}

// statement renders the call as a config statement.
func (sc startupCase) statement() string {
	return sc.fn + "(" + strings.Join(sc.args, ", ") + ");"
}

func TestStartup(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	for _, sc := range startupCases {
		t.Run(sc.name, func(t *testing.T) {
			m := &Module{}
			h, err := pvtest.NewHost(pvm.New(), m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = h.Call(m, sc.fn, sc.args...)
			if (err == nil) != (sc.ok != sc.deviation) {
				t.Errorf("%s: kamgo error %v, Kamailio starts: %v", sc.statement(), err, sc.ok)
			}
		})
	}
}
