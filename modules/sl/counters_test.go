package sl_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestCounters: sl's statistics put each code Kamailio counts on its own
// in its counter and the others in their class's, codes below 200 in
// xxx_replies; 1xx_replies and sent_err_replies stay 0; none resets.
func TestCounters(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"+
		"request_route {\n\t$var(c) = $(hdr(X-Code){s.int});\n\tsl_send_reply(\"$var(c)\", \"r\");\n}\n", port)
	cfg, diags, _ := check.AnalyzeSource("sl.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	p := dial(t, "127.0.0.1:"+strconv.Itoa(port))
	for i, code := range []int{180, 200, 200, 202, 204, 301, 305, 403, 486, 500, 503, 603} {
		p.ask(p.request("OPTIONS", fmt.Sprintf("c%d", i), "X-Code: "+strconv.Itoa(code)))
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
