package tm_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/sipmsg"
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
	deadline := time.Now().Add(wait)
	for {
		r.mu.Lock()
		k := len(r.got)
		r.mu.Unlock()
		if k >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(quiet)
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func TestCallbacks(t *testing.T) {
	tests := []struct {
		name   string
		routes string
		play   func(t *testing.T, p *proxy, phone, uas *peer)
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
`, func(t *testing.T, p *proxy, phone, uas *peer) {
			phone.send(p.addr, phone.request("INVITE", "sip:bob@127.0.0.1", "i1", "c1", 1))
			inv := recvMethod(t, uas, "INVITE")
			// Each reply waits for the one before to come through: the
			// workers could take them out of order.
			uas.send(p.addr, reply(inv, 180, "Ringing", "u1"))
			recvStatus(t, phone, 180)
			uas.send(p.addr, reply(inv, 200, "OK", "u1"))
			recvStatus(t, phone, 200)
			uas.send(p.addr, reply(inv, 200, "OK", "u1"))
			recvStatus(t, phone, 200)
			for i := 0; i < 2; i++ {
				ack := strings.Replace(phone.request("ACK", "sip:bob@127.0.0.1:"+strconv.Itoa(uas.port()), "a1", "c1", 1),
					"To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=u1", 1)
				phone.send(p.addr, ack)
				recvMethod(t, uas, "ACK")
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
`, func(t *testing.T, p *proxy, phone, uas *peer) {
			phone.send(p.addr, phone.request("INVITE", "sip:bob@127.0.0.1", "i2", "c2", 1))
			inv := recvMethod(t, uas, "INVITE")
			uas.send(p.addr, reply(inv, 486, "Busy Here", "u2"))
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
`, func(t *testing.T, p *proxy, phone, uas *peer) {
			phone.send(p.addr, phone.request("INVITE", "sip:bob@127.0.0.1", "i3", "c3", 1))
		}, []string{
			"request-in INVITE 0 -1 -",
			"response-ready INVITE 404 -2 faked",
			"response-out INVITE 404 -2 faked",
		}},
		{"timeout", `request_route {
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
}
`, func(t *testing.T, p *proxy, phone, uas *peer) {
			phone.send(p.addr, phone.request("INVITE", "sip:bob@127.0.0.1", "i4", "c4", 1))
			recvMethod(t, uas, "INVITE")
			p.clock.Advance(31 * time.Second)
		}, []string{
			"request-in INVITE 0 -1 -",
			"on-failure INVITE 408 0 faked",
			"response-ready INVITE 408 0 faked",
			"response-out INVITE 408 0 faked",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			phone, uas := newPeer(t), newPeer(t)
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

// recvMethod reads messages until a request with method comes.
func recvMethod(t *testing.T, p *peer, method string) *sipmsg.Msg {
	t.Helper()
	for i := 0; i < 20; i++ {
		if m := p.recv(); m.Method == method {
			return m
		}
	}
	t.Fatalf("no %s", method)
	return nil
}

// recvStatus reads messages until a reply with code comes.
func recvStatus(t *testing.T, p *peer, code int) *sipmsg.Msg {
	t.Helper()
	for i := 0; i < 20; i++ {
		if m := p.recv(); m.Status == code {
			return m
		}
	}
	t.Fatalf("no %d", code)
	return nil
}
