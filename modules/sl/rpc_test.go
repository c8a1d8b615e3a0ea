package sl_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// statsRoutes answers each request with the code its X-Code header asks
// for, statelessly.
const statsRoutes = `request_route {
	$var(code) = $(hdr(X-Code){s.int});
	sl_send_reply("$var(code)", "Counted");
	exit;
}
`

// serveRPC loads routes as run does and returns the server too.
func serveRPC(t *testing.T, routes string) (string, *server.Server) {
	t.Helper()
	s := siptest.Start(t, "children=1\n"+siptest.ListenUDP+"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"+routes, siptest.Options{Name: "sl.cfg"})
	return s.Addr, s.Srv
}

// TestRPCStats: sl.stats counts each reply sent under its own code when
// Kamailio names it, else under its class; provisional and invalid codes
// go to "xxx".
func TestRPCStats(t *testing.T) {
	addr, srv := serveRPC(t, statsRoutes)
	p := dial(t, addr)
	codes := []int{200, 200, 202, 204, 301, 380, 400, 404, 404, 420, 483, 500, 503, 603, 180}
	for i, code := range codes {
		got := p.Ask(p.request("OPTIONS", "st"+strconv.Itoa(i), "X-Code: "+strconv.Itoa(code)))
		if !strings.HasPrefix(got, "SIP/2.0 "+strconv.Itoa(code)+" ") {
			t.Fatalf("code %d: got %q", code, got)
		}
	}
	want := "{200: 2, 202: 1, 2xx: 1, 300: 0, 301: 1, 302: 0, 3xx: 1, 400: 1, 401: 0, 403: 0, 404: 2, 407: 0, 408: 0, " +
		"483: 1, 4xx: 1, 500: 1, 5xx: 1, 6xx: 1, xxx: 1}"
	// sl counts a reply once it is sent: the count can trail the reply
	// the phone read by a moment.
	var vals []*rpc.Value
	siptest.Poll(func() bool {
		var f *rpc.Fault
		var ok bool
		vals, f, ok = siptest.RPC(srv, "sl.stats")
		if !ok {
			t.Fatal("sl.stats is not registered")
		}
		if f != nil || len(vals) != 1 {
			t.Fatalf("sl.stats: %v %v", vals, f)
		}
		return total(vals[0]) == int64(len(codes))
	})
	if got := vals[0].String(); got != want {
		t.Errorf("sl.stats:\n got  %s\n want %s", got, want)
	}
	for _, m := range vals[0].Members {
		if m.Value.Kind != rpc.Int {
			t.Errorf("%s is of kind %d, want an integer", m.Name, m.Value.Kind)
		}
	}
}

// total is the sum of a structure's integer members.
func total(v *rpc.Value) int64 {
	var n int64
	for _, m := range v.Members {
		n += m.Value.Int
	}
	return n
}
