package tm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/value"
)

// startSetting is start with tm's parameters params set after the
// configuration's, before the server starts.
func startSetting(t *testing.T, params map[string]value.Value, routes string, peers ...*siptest.UA) *proxy {
	t.Helper()
	p := &proxy{t: t}
	clock := fakeclock.New()
	p.Server = siptest.Start(t, "children=2\n"+siptest.ListenUDP+siptest.LoadModules(defaultModules...)+routes,
		siptest.Options{Name: "tm.cfg", Clock: clock, Subst: siptest.Placeholders(peers...),
			Setup: func(srv *server.Server) {
				p.tm = siptest.Module[*tm.Module](t, srv, "tm")
				p.tm.SetClock(clock)
				for name, v := range params {
					if err := p.tm.SetParam(name, v); err != nil {
						t.Fatal(err)
					}
				}
			}})
	return p
}

// TestReply408Code: with reply_408_code and reply_408_reason, a branch
// that times out gets that code (t_check_status sees it in failure_route)
// and the request is answered with that code and reason; the 487 the
// next hop sends after the CANCEL of a ringing timed-out INVITE branch is
// ignored, as after a 408.
func TestReply408Code(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	// The parameters are Kamailio 6.0's, which the tests' checker (5.6)
	// refuses in a configuration: they are set before the server starts.
	p := startSetting(t, map[string]value.Value{"reply_408_code": value.MakeInt(410), "reply_408_reason": value.MakeStr("Gone Quiet")},
		`modparam("tm", "fr_timer", 1000)
modparam("tm", "fr_inv_timer", 3000)
request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] { if (t_check_status("410")) { xlog("L_INFO", "failure 410\n"); } }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())

	phone.SendTo(p.Addr, phone.Request("MESSAGE", ruri, "to1", "to-call-1", 1))
	uas.Recv()
	p.Clock.Advance(time.Second)
	if r := phone.RecvStatus(410); r.Reason != "Gone Quiet" {
		t.Errorf("timeout reply %q", siptest.Status(r))
	}
	p.WaitLog(t, "failure 410$", 1)
	uas.Drain()

	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "to2", "to-call-2", 1))
	phone.RecvStatus(100)
	inv := uas.RecvMethod("INVITE")
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "r2"))
	phone.RecvStatus(180)
	p.Clock.Advance(3 * time.Second)
	if r := phone.RecvStatus(410); r.Reason != "Gone Quiet" {
		t.Errorf("INVITE timeout reply %q", siptest.Status(r))
	}
	uas.RecvMethod("CANCEL")
	uas.SendTo(p.Addr, siptest.Reply(inv, 487, "Request Terminated", "r2"))
	uas.RecvMethod("ACK")
	p.WaitLog(t, "failure 410$", 2)
	if strings.Contains(p.Log.Text(), "status rewrite") {
		t.Errorf("the 487 after the timeout was reported:\n%s", p.Log.Text())
	}
}
