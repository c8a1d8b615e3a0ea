package acc

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestKEMI calls the KEMI functions on a request and compares the lines
// they write with the native functions' (recorded from Kamailio in
// testdata/script_accounting.golden for the native ones).
func TestKEMI(t *testing.T) {
	h := newHost(t)
	m := newModule()
	m.host, m.log = h, h.Logger
	m.now = func() time.Time { return time.Unix(1700000000, 0) }
	msg, err := sipmsg.Parse("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" +
		"From: <sip:a@h>;tag=ft\r\nTo: <sip:b@h>\r\nCall-ID: cid\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	c := &event.Context{}
	c.Reset()
	sipmsg.Set(c, msg)
	funcs := map[string]module.KEMIFunc{}
	for _, f := range m.KEMI() {
		funcs[f.Name] = f
	}
	call := func(name string, args ...string) int64 {
		var vs []value.Value
		for _, a := range args {
			vs = append(vs, value.MakeStr(a))
		}
		return funcs[name].Call(h, c, vs).I
	}
	rcs := []int64{
		call("acc_log_request", "200 fine"),
		call("acc_log_request", "$fU"),
		call("acc_log_request", ""),
		call("acc_request", "486 busy", "acc"),
		call("acc_db_request", "200 fine", "acc"),
	}
	if want := []int64{1, -1, -1, 1, -1}; !slices.Equal(rcs, want) {
		t.Errorf("return codes %v, want %v", rcs, want)
	}
	want := []string{
		"NOTICE: <acc>: acc_log_request(): ACC: request accounted: timestamp=1700000000;method=OPTIONS;from_tag=ft;to_tag=;call_id=cid;code=200;reason=fine",
		"ERROR: <acc>: acc_param_parse(): cfg variable detected - not supported",
		"ERROR: <acc>: ki_acc_log_request(): failed execution",
		"ERROR: <acc>: acc_param_parse(): invalid parameters",
		"ERROR: <acc>: ki_acc_log_request(): failed execution",
		"NOTICE: <acc>: acc_log_request(): ACC: request accounted: timestamp=1700000000;method=OPTIONS;from_tag=ft;to_tag=;call_id=cid;code=486;reason=busy",
		"ERROR: <acc>: ki_acc_db_request(): db support not configured",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("lines:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
