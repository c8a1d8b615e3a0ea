package rr_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/rr"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestLooseRouteCallbacks checks when loose_route() calls the modules'
// callbacks, and with which parameters: those of this server's Route
// entry (of the Request-URI after a strict router), only when this
// server's entry routed the request and had parameters.
func TestLooseRouteCallbacks(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := serve(t, []string{"rr", "pv", "xlog"}, proxy, func(srv *server.Server) {
		m := siptest.Module[*rr.Module](t, srv, "rr")
		// registered first, so called second (Kamailio's order: newest first)
		m.OnLooseRoute(func(_ *event.Context, msg *sipmsg.Msg, params string) {
			mu.Lock()
			got = append(got, "second "+msg.Method+" "+params)
			mu.Unlock()
		})
		m.OnLooseRoute(func(_ *event.Context, msg *sipmsg.Msg, params string) {
			mu.Lock()
			got = append(got, "first "+msg.Method+" "+params)
			mu.Unlock()
		})
	})
	self := srv.Addr
	caller, next := siptest.Dial(t, "caller", srv.Addr), siptest.NewUA(t, "next")
	nextURI := fmt.Sprintf("sip:127.0.0.1:%d", next.Port())
	tests := []struct {
		name, req string
		want      []string
	}{
		{"this server's entry", request(caller, "BYE", "sip:bob@example.com", "b1",
			"<sip:"+self+";lr;ftag=a1;did=1.2>", "<"+nextURI+";lr>"),
			[]string{"first BYE lr;ftag=a1;did=1.2", "second BYE lr;ftag=a1;did=1.2"}},
		{"a foreign entry", request(caller, "INFO", "sip:bob@example.com", "b1", "<"+nextURI+";lr>"), nil},
		{"after a strict router", request(caller, "UPDATE", "sip:"+self+";x=1", "b1", "<"+nextURI+";lr>", "<sip:bob@example.com>"),
			[]string{"first UPDATE x=1", "second UPDATE x=1"}},
		{"preloaded", request(caller, "MESSAGE", nextURI, "", "<sip:"+self+";lr>"),
			[]string{"first MESSAGE lr", "second MESSAGE lr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			caller.Send(tc.req)
			next.RecvText()
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("callbacks %q, want %q", got, tc.want)
			}
		})
	}
}
