package tm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestEvlreqMode: event_route[tm:local-request] runs for the CANCEL tm
// sends on a branch for a received CANCEL with evlreq_mode bit 1, and for
// the ACK it sends for the branch's 487 with bit 2, each with that request
// as its message; with 0 (the default) for neither.
func TestEvlreqMode(t *testing.T) {
	for _, mode := range []int64{0, 1, 2, 3} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			params := map[string]value.Value{}
			if mode != 0 {
				params["evlreq_mode"] = value.MakeInt(mode)
			}
			p := startSetting(t, params, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}
event_route[tm:local-request] { xlog("L_INFO", "local-request $rm $hdr(CSeq) $rd\n"); }`, uas)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
			phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "ev1", "evlreq-1", 5))
			phone.RecvStatus(100)
			inv := uas.RecvMethod("INVITE")
			uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "e1"))
			phone.RecvStatus(180)
			phone.SendTo(p.Addr, phone.Request("CANCEL", ruri, "ev1", "evlreq-1", 5))
			phone.RecvStatus(200)
			cancel := uas.RecvMethod("CANCEL")
			uas.SendTo(p.Addr, siptest.Reply(cancel, 200, "OK", "e1"))
			uas.SendTo(p.Addr, siptest.Reply(inv, 487, "Request Terminated", "e1"))
			uas.RecvMethod("ACK")
			// The 487 goes upstream after the ACK's event has run.
			phone.RecvStatus(487)
			var want []string
			if mode&1 != 0 {
				want = append(want, "INFO: <script>: local-request CANCEL 5 CANCEL 127.0.0.1")
			}
			if mode&2 != 0 {
				want = append(want, "INFO: <script>: local-request ACK 5 ACK 127.0.0.1")
			}
			var got []string
			for _, l := range strings.Split(p.Log.Text(), "\n") {
				if strings.Contains(l, "local-request") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestEvlreqModeRange: an evlreq_mode outside 0..3 keeps the server from
// starting, with tm's mod_init line, as Kamailio 6.1 refuses it.
func TestEvlreqModeRange(t *testing.T) {
	for _, mode := range []string{"4", "-1"} {
		cfg := "children=1\n" + siptest.ListenUDP + siptest.LoadModules(defaultModules...) +
			`modparam("tm", "evlreq_mode", ` + mode + `)
request_route { exit; }`
		refusal, s := siptest.Refusal(t, cfg, siptest.Options{Name: "tm.cfg", Release: catalog.NewestRelease()})
		if !strings.Contains(refusal, "evlreq_mode "+mode+" out of range") {
			t.Errorf("evlreq_mode %s: refusal %q", mode, refusal)
		}
		if !strings.Contains(s.Log.Text(), "mod_init(): evlreq_mode tm modparam must be in [0,3]") {
			t.Errorf("evlreq_mode %s: log\n%s", mode, s.Log.Text())
		}
	}
}
