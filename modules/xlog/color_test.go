package xlog

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/value"
)

// stderrHost is a test host whose configuration sets log_stderror=yes.
type stderrHost struct{ *pvtest.Host }

func (stderrHost) CoreParam(name string) (value.Value, bool) {
	if name == "log_stderror" {
		return value.MakeInt(1), true
	}
	return value.NullValue, false
}

// TestColor checks $C against the escapes recorded in
// spec/conformance/modules/xlog/funcs (colors), and that they are empty
// unless Kamailio would colour its log.
func TestColor(t *testing.T) {
	want := map[string]string{
		"xx": "\x1b[0;39;49m", "rb": "\x1b[0;31;44m", "Gw": "\x1b[1;32;47m", "Sx": "\x1b[1;30;49m",
		"yc": "\x1b[0;33;46m", "pg": "\x1b[0;35;42m", "Wp": "\x1b[1;37;45m", "cs": "\x1b[0;36;40m",
		"Yy": "\x1b[1;33;43m", "Pb": "\x1b[1;35;44m", "Cc": "\x1b[1;36;46m", "Rr": "\x1b[1;31;41m",
	}
	for _, tc := range []struct {
		name       string
		stderr     bool
		forceColor int64
		colored    bool
	}{
		{"log_stderror", true, 0, true},
		{"force_color", false, 1, true},
		{"syslog", false, 0, false},
	} {
		m := newModule()
		_ = m.SetParam("force_color", value.MakeInt(tc.forceColor))
		h := newHost(t, m)
		var err error
		if tc.stderr {
			err = m.Provision(stderrHost{h})
		} else {
			err = m.Provision(h)
		}
		if err != nil {
			t.Fatal(err)
		}
		for name, seq := range want {
			r, err := h.Ref("$C(" + name + ")")
			if err != nil {
				t.Fatal(err)
			}
			if !tc.colored {
				seq = ""
			}
			if got := r.Get(h.Context()); got != value.MakeStr(seq) {
				t.Errorf("%s: $C(%s) = %q, want %q", tc.name, name, got.S, seq)
			}
		}
	}
}

func TestLogColors(t *testing.T) {
	for in, ok := range map[string]bool{
		"L_ERR=cx": true, "l_err=cx;L_DBG=Rb;": true, "L_CRIT2=0x": true,
		"L_FOO=cx": false, "L_ERR=c": false, "": false,
	} {
		if err := checkLogColors(in); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
}
