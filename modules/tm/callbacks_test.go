package tm_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/tm"
)

// recorder notes the callbacks tm runs, as "type method code branch
// reply", for every transaction.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) note(e *tm.Event) {
	names := map[tm.CallbackType]string{tm.RequestIn: "request-in", tm.ResponseOut: "response-out",
		tm.OnFailure: "on-failure", tm.E2EAckIn: "e2e-ack", tm.ResponseReady: "response-ready",
		tm.ResponseIn: "response-in", tm.LocalCompleted: "local-completed"}
	reply := "faked"
	if e.Reply != nil {
		reply = "received"
	}
	if e.Type == tm.RequestIn || e.Type == tm.E2EAckIn {
		reply = "-"
	}
	r.mu.Lock()
	r.got = append(r.got, fmt.Sprintf("%s %s %d %d %s", names[e.Type], e.Req.Method, e.Code, e.Branch, reply))
	r.mu.Unlock()
}

// watch registers r for every event of every transaction of p.
func (r *recorder) watch(p *proxy) {
	p.tm.OnRequestIn(func(e *tm.Event) {
		r.note(e)
		e.Txn.Register(tm.ResponseReady|tm.ResponseOut|tm.OnFailure|tm.E2EAckIn, r.note)
	})
}

// wait returns the events once there are n of them (the callbacks of a
// reply run after it is sent), then waits quiet for more.
func (r *recorder) wait(t *testing.T, n int) []string {
	t.Helper()
	siptest.Poll(func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.got) >= n
	})
	time.Sleep(siptest.Quiet)
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func TestCallbacks(t *testing.T) {
	tests := []struct {
		name   string
		routes string
		play   func(t *testing.T, p *proxy, phone, uas *siptest.UA)
		want   []string
	}{
		{"answered, a repeated 2xx and its ACKs", `request_route {
	if (is_method("ACK")) {
		t_relay();
		exit;
	}
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
}
`, func(t *testing.T, p *proxy, phone, uas *siptest.UA) {
			phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "i1", "c1", 1))
			inv := uas.RecvMethod("INVITE")
			// Each reply waits for the one before to come through: the
			// workers could take them out of order.
			uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "u1"))
			phone.RecvStatus(180)
			uas.SendTo(p.Addr, siptest.Reply(inv, 200, "OK", "u1"))
			phone.RecvStatus(200)
			uas.SendTo(p.Addr, siptest.Reply(inv, 200, "OK", "u1"))
			phone.RecvStatus(200)
			for i := 0; i < 2; i++ {
				ack := strings.Replace(phone.Request("ACK", "sip:bob@127.0.0.1:"+strconv.Itoa(uas.Port()), "a1", "c1", 1),
					"To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=u1", 1)
				phone.SendTo(p.Addr, ack)
				uas.RecvMethod("ACK")
			}
		}, []string{
			"request-in INVITE 0 -1 -",
			"response-ready INVITE 180 0 received",
			"response-out INVITE 180 0 received",
			"response-ready INVITE 200 0 received",
			"response-out INVITE 200 0 received",
			"e2e-ack ACK 200 -1 -",
		}},
		{"negative reply", `request_route {
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
}
`, func(t *testing.T, p *proxy, phone, uas *siptest.UA) {
			phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "i2", "c2", 1))
			inv := uas.RecvMethod("INVITE")
			uas.SendTo(p.Addr, siptest.Reply(inv, 486, "Busy Here", "u2"))
		}, []string{
			"request-in INVITE 0 -1 -",
			"on-failure INVITE 486 0 received",
			"response-ready INVITE 486 0 received",
			"response-out INVITE 486 0 received",
		}},
		{"local replies", `request_route {
	t_newtran();
	t_reply("180", "Ringing here");
	t_reply("404", "Nobody");
}
`, func(t *testing.T, p *proxy, phone, uas *siptest.UA) {
			phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "i3", "c3", 1))
		}, []string{
			"request-in INVITE 0 -1 -",
			"response-ready INVITE 404 -2 faked",
			"response-out INVITE 404 -2 faked",
		}},
		{"timeout", `request_route {
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
}
`, func(t *testing.T, p *proxy, phone, uas *siptest.UA) {
			phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "i4", "c4", 1))
			uas.RecvMethod("INVITE")
			p.Clock.Advance(31 * time.Second)
		}, []string{
			"request-in INVITE 0 -1 -",
			"on-failure INVITE 408 0 faked",
			"response-ready INVITE 408 0 faked",
			"response-out INVITE 408 0 faked",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			p := start(t, tc.routes, uas)
			r := &recorder{}
			r.watch(p)
			tc.play(t, p, phone, uas)
			if got := r.wait(t, len(tc.want)); !slices.Equal(got, tc.want) {
				t.Errorf("callbacks:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
