package registrar_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/module"
)

// expiryRoutes saves each REGISTER without replying, then tells the test
// it is done; the expiry event logs the contact it gets.
const expiryRoutes = `
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "timer_interval", 30)
request_route {
	save("location", "0x02");
	xlog("L_INFO", "saved $rc\n");
	exit;
}
event_route[usrloc:contact-expired] {
	xlog("L_INFO", "expired $ulc(exp=>aor) $ulc(exp=>addr) count=$ulc(exp=>count)\n");
	if (registered("location", "sip:alice@example.com")) {
		xlog("L_INFO", "still registered\n");
	} else {
		xlog("L_INFO", "no longer registered\n");
	}
}
`

// TestExpiry: usrloc's timer runs every timer_interval seconds on its
// clock and removes a contact once its expiry has passed (not before),
// running event_route[usrloc:contact-expired] for it with the contact in
// $ulc(exp=>...).
func TestExpiry(t *testing.T) {
	clock := fakeclock.New()
	addr, log, srv := startKamgo(t, expiryRoutes, clock)
	metrics := func(mod, want string) {
		t.Helper()
		inst, _ := srv.Module(mod)
		var b strings.Builder
		if err := inst.(module.MetricsWriter).WriteMetrics(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s metrics lack %q:\n%s", mod, want, b.String())
		}
	}
	ua := siptest.Dial(t, "phone", addr)
	r := register{"", "alice", 1, []string{"Contact: <sip:alice@192.0.2.1:5060>;expires=70"}}
	ua.Send(r.message(ua.Port()))
	if err := log.Wait(regexp.MustCompile(`saved 1`), 1, siptest.Wait); err != nil {
		t.Fatal(err)
	}
	metrics("usrloc", "kamgo_usrloc_registered_users{table=\"location\"} 1\n")
	metrics("usrloc", "kamgo_usrloc_contacts{table=\"location\"} 1\n")
	metrics("registrar", "kamgo_registrar_accepted_regs_total 1\n")
	expired := regexp.MustCompile(`expired alice sip:alice@192\.0\.2\.1:5060 count=1`)
	clock.Advance(60 * time.Second) // runs at 30 and 60: still valid until 70
	if n := log.Count(expired); n != 0 {
		t.Fatalf("expired after 60s:\n%s", log.Text())
	}
	clock.Advance(30 * time.Second) // the run at 90 removes it
	if n := log.Count(expired); n != 1 {
		t.Fatalf("not expired once after 90s:\n%s", log.Text())
	}
	if n := log.Count(regexp.MustCompile(`no longer registered`)); n != 1 {
		t.Fatalf("the event saw the contact still registered:\n%s", log.Text())
	}
	metrics("usrloc", "kamgo_usrloc_registered_users{table=\"location\"} 0\n")
	clock.Advance(300 * time.Second)
	if n := log.Count(expired); n != 1 {
		t.Fatalf("expired more than once:\n%s", log.Text())
	}
}
