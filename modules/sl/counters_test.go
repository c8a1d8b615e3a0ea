package sl_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestCounters: sl's statistics put each code Kamailio counts on its own
// in its counter and the others in their class's, codes below 200 in
// xxx_replies; 1xx_replies and sent_err_replies stay 0; none resets.
func TestCounters(t *testing.T) {
	s := siptest.Start(t, "children=1\n"+siptest.ListenUDP+"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"+
		"request_route {\n\t$var(c) = $(hdr(X-Code){s.int});\n\tsl_send_reply(\"$var(c)\", \"r\");\n}\n", siptest.Options{Name: "sl.cfg"})
	srv := s.Srv
	p := dial(t, s.Addr)
	for i, code := range []int{180, 200, 200, 202, 204, 301, 305, 403, 486, 500, 503, 603} {
		p.Ask(p.request("OPTIONS", fmt.Sprintf("c%d", i), "X-Code: "+strconv.Itoa(code)))
	}
	// sl counts a reply once sent: stopping the transport waits for it.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.StopSIP(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"1xx_replies": 0, "200_replies": 2, "202_replies": 1, "2xx_replies": 1,
		"300_replies": 0, "301_replies": 1, "3xx_replies": 1, "403_replies": 1, "4xx_replies": 1,
		"500_replies": 1, "5xx_replies": 1, "6xx_replies": 1, "xxx_replies": 1, "sent_replies": 12,
		"sent_err_replies": 0, "failures": 0, "received_ACKs": 0}
	r := srv.Counters()
	if got := len(r.Vars("sl")); got != 24 {
		t.Errorf("%d sl counters, want 24", got)
	}
	for name, v := range want {
		c, ok := r.Lookup("sl", name)
		if !ok {
			t.Errorf("no sl:%s", name)
			continue
		}
		c.Reset()
		if got := c.Value(); got != v {
			t.Errorf("sl:%s = %d, want %d", name, got, v)
		}
	}
}
