package tm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/value"
)

// withHeaders is the request req with header lines added before its
// Content-Length.
func withHeaders(req string, lines ...string) string {
	return strings.Replace(req, "Content-Length:", strings.Join(lines, "\r\n")+"\r\nContent-Length:", 1)
}

// TestHeadersModeCopy: with headers_mode 1 the CANCEL tm sends on a branch
// for a received CANCEL ends with the Reason of the received one and then
// its other headers, those of one hop (Via, Route, Max-Forwards, Require
// ...) left out; a CANCEL that waited for the branch's first provisional
// reply (cancel_b_method 1) carries them too. Without it, only the Reason.
func TestHeadersModeCopy(t *testing.T) {
	for _, mode := range []int64{0, 1} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			params := map[string]value.Value{}
			if mode != 0 {
				params["headers_mode"] = value.MakeInt(mode)
			}
			p := startSetting(t, params, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`, uas)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
			extra := []string{`Reason: SIP;cause=600;text="Busy Everywhere"`, "X-Info: one", "Require: nothing",
				"Max-Forwards: 9", "User-Agent: phone/1", "Route: <sip:nowhere.test;lr>"}
			want := "Reason: SIP;cause=600;text=\"Busy Everywhere\"\r\n"
			if mode != 0 {
				want += "X-Info: one\r\nUser-Agent: phone/1\r\n"
			}
			want += "\r\n"
			for _, ringing := range []bool{true, false} {
				call := fmt.Sprintf("hm-%d-%v", mode, ringing)
				phone.SendTo(p.Addr, phone.Request("INVITE", ruri, call, call, 1))
				phone.RecvStatus(100)
				inv := uas.RecvMethod("INVITE")
				if ringing {
					uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "t1"))
					phone.RecvStatus(180)
				}
				phone.SendTo(p.Addr, withHeaders(phone.Request("CANCEL", ruri, call, call, 1), extra...))
				phone.RecvStatus(200)
				if !ringing {
					uas.None()
					uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "t1"))
				}
				cancel := uas.RecvMethod("CANCEL")
				if !strings.HasSuffix(cancel.Buf, "Content-Length: 0\r\n"+want) {
					t.Errorf("ringing %v: CANCEL sent:\n%s\nwant it to end with\n%s", ringing, cancel.Buf, want)
				}
				if strings.Count(cancel.Buf, "Max-Forwards:") != 1 || strings.Contains(cancel.Buf, "nowhere") || strings.Contains(cancel.Buf, "Require") {
					t.Errorf("ringing %v: hop headers copied:\n%s", ringing, cancel.Buf)
				}
				uas.SendTo(p.Addr, siptest.Reply(cancel, 200, "OK", "t1"))
				uas.SendTo(p.Addr, siptest.Reply(inv, 487, "Request Terminated", "t1"))
				uas.RecvMethod("ACK")
				phone.RecvStatus(487)
			}
		})
	}
}

// TestHeadersModeForwardUAC: with unmatched_cancel 1, a CANCEL no
// transaction takes is relayed statelessly with the Via headers it came
// with below kamgo's; with headers_mode 2 kamgo's Via is its only one,
// also when the destination is given to the function (t_relay_to_udp).
func TestHeadersModeForwardUAC(t *testing.T) {
	for _, mode := range []int64{0, 2} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			params := map[string]value.Value{"unmatched_cancel": value.MakeInt(1)}
			if mode != 0 {
				params["headers_mode"] = value.MakeInt(mode)
			}
			p := startSetting(t, params, `request_route {
	if ($rU == "px") { t_relay_to_udp("127.0.0.1", "UAS1"); exit; }
	t_relay(); exit;
}`, uas)
			for _, user := range []string{"bob", "px"} {
				ruri := fmt.Sprintf("sip:%s@127.0.0.1:%d", user, uas.Port())
				if user == "px" {
					ruri = "sip:px@elsewhere.test"
				}
				phone.SendTo(p.Addr, phone.Request("CANCEL", ruri, "hmf", "hm-fwd-"+user, 1))
				cancel := uas.RecvMethod("CANCEL")
				vias := strings.Count(cancel.Buf, "\r\nVia:")
				if want := 2 - mode/2; vias != int(want) {
					t.Errorf("%d Via headers, want %d:\n%s", vias, want, cancel.Buf)
				}
				if !strings.Contains(cancel.Buf, fmt.Sprintf("\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK", p.Addr)) {
					t.Errorf("kamgo's Via not on top:\n%s", cancel.Buf)
				}
				phone.None()
			}
		})
	}
}
