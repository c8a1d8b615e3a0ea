package tm_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestSetNoAutoAck: t_set_no_auto_ack switches the transaction's
// T_NO_AUTO_ACK flag (128 in tm.list's tflags), on the transaction when
// it exists and on the one to come before; 0 turns it off again.
func TestSetNoAutoAck(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p, srv := startRPC(t, `request_route {
	if ($rU == "before") { t_set_no_auto_ack(1); t_newtran(); }
	else if ($rU == "after") { t_newtran(); t_set_no_auto_ack(1); }
	else { t_set_no_auto_ack(1); t_newtran(); t_set_no_auto_ack(0); }
	t_reply("180", "Held");
	exit;
}`)
	for _, tc := range []struct {
		user string
		set  bool
	}{{"before", true}, {"after", true}, {"off", false}} {
		phone.SendTo(p.Addr, phone.Request("INVITE", "sip:"+tc.user+"@127.0.0.1", "na-"+tc.user, "na-call-"+tc.user, 1))
		until(phone, "180 Held")
		vals, f := rpcCall(t, srv, "tm.list")
		if f != nil {
			t.Fatalf("tm.list: %v", f)
		}
		found := false
		for _, v := range vals {
			if member(v, "callid") != "Call-ID: na-call-"+tc.user+"\r\n" {
				continue
			}
			found = true
			if fl, _ := v.Get("tflags"); (fl.Int&128 != 0) != tc.set {
				t.Errorf("%s: tflags %d, T_NO_AUTO_ACK set %v, want %v", tc.user, fl.Int, fl.Int&128 != 0, tc.set)
			}
		}
		if !found {
			t.Errorf("%s: no transaction in tm.list", tc.user)
		}
	}
}
