package kex_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/server"
)

// statsCfg runs kex, sl and script counters.
const statsCfg = `children=1
` + siptest.ListenUDP + `loadmodule "counters.so"
modparam("counters", "script_counter", "foo")
modparam("counters", "script_counter", "mine.foo")
modparam("counters", "script_counter", "mine.bar")
loadmodule "kex.so"
loadmodule "sl.so"
loadmodule "pv.so"
request_route {
	cnt_add("script.foo", "3");
	cnt_inc("mine.bar");
	if ($rm == "REGISTER") { drop; }
	sl_send_reply("404", "nf");
}
onreply_route { drop; }
`

// exchange sends an OPTIONS (answered), then a 180 and a 486 to an INVITE
// (which the reply route drops), then a REGISTER (dropped, so the server
// answers nothing: an OPTIONS after it is the sync point).
func exchange(t *testing.T, addr string) {
	t.Helper()
	ua := siptest.Dial(t, "phone", addr)
	msg := func(first, method string, n int) string {
		return fmt.Sprintf("%s\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d\r\n"+
			"From: <sip:a@127.0.0.1>;tag=f%d\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: c%d\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
			first, ua.Port(), n, n, n, method)
	}
	ua.Ask(msg("OPTIONS sip:b@127.0.0.1 SIP/2.0", "OPTIONS", 1))
	ua.Send(msg("SIP/2.0 180 Ringing", "INVITE", 2))
	ua.Send(msg("SIP/2.0 486 Busy", "INVITE", 3))
	ua.Send(msg("REGISTER sip:b@127.0.0.1 SIP/2.0", "REGISTER", 4))
	ua.Ask(msg("OPTIONS sip:b@127.0.0.1 SIP/2.0", "OPTIONS", 5))
}

func call(t *testing.T, srv *server.Server, method string, params ...string) string {
	t.Helper()
	vs, f, ok := siptest.RPC(srv, method, siptest.Strs(params...)...)
	if !ok {
		t.Fatalf("no command %s", method)
	}
	if f != nil {
		return "fault " + strconv.Itoa(f.Code)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return strings.Join(out, "\n")
}

func TestStatsRPC(t *testing.T) {
	s := siptest.Start(t, statsCfg, siptest.Options{Name: "stats.cfg"})
	srv := s.Srv
	exchange(t, s.Addr)
	// sl counts a reply once sent, maybe after the phone has it: stopping
	// the transport waits for the messages being routed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.StopSIP(ctx); err != nil {
		t.Fatal(err)
	}
	cmd, _ := srv.RPC().Lookup("stats.get_statistics")
	if !cmd.Array {
		t.Error("stats.get_statistics is not an array command")
	}
	for _, c := range []struct{ cmd, want string }{
		{"stats.get_statistics rcv_requests rcv_replies", "core:rcv_requests = 3\ncore:rcv_replies = 2"},
		{"stats.get_statistics mine:", "mine:bar = 3\nmine:foo = 0"},
		{"stats.get_statistics foo nope core:rcv_requests", "mine:foo = 0"},
		{"stats.get_statistics rcv_requests_options rcv_requests_register rcv_replies_18x rcv_replies_486 rcv_replies_4xx_invite rcv_replies_1xx_invite drop_replies fwd_replies",
			"core:rcv_requests_options = 2\ncore:rcv_requests_register = 1\ncore:rcv_replies_18x = 1\ncore:rcv_replies_486 = 1\n" +
				"core:rcv_replies_4xx_invite = 1\ncore:rcv_replies_1xx_invite = 1\ncore:drop_replies = 2\ncore:fwd_replies = 0"},
		{"stats.get_statistics 404_replies sent_replies", "sl:404_replies = 2\nsl:sent_replies = 2"},
		{"stats.get_statistics", "fault 400"},
		{"stats.fetch rcv_requests script.foo mine.foo mine:bar core.nope", "{core.rcv_requests: 3, mine.foo: 0, mine.bar: 3}"},
		{"stats.fetchn mine:", "{mine.bar: 3, mine.foo: 0}"},
		{"stats.fetch nothing", "{}"},
		{"stats.fetch", "fault 400"},
		{"stats.clear_statistics rcv_requests 404_replies mine:", "core:rcv_requests = 0 (3)\nsl:404_replies = 2\nmine:bar = 0 (3)\nmine:foo = 0"},
		{"stats.get_statistics rcv_requests", "core:rcv_requests = 0"},
		{"stats.reset_statistics all", ""},
		{"stats.reset_statistics", "fault 400"},
		{"stats.clear_statistics", "fault 400"},
	} {
		f := strings.Fields(c.cmd)
		if got := call(t, srv, f[0], f[1:]...); got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.cmd, got, c.want)
		}
	}
	// "all" lists every group, sorted, and every counter of each.
	all := strings.Split(call(t, srv, "stats.get_statistics", "all"), "\n")
	if len(all) < 100 || all[0] != "core:bad_URIs_rcvd = 0" || all[len(all)-1] != "tcp:sendq_full = 0" {
		t.Errorf("all: %d lines, first %q, last %q", len(all), all[0], all[len(all)-1])
	}
	// A group's counters are reset by name, and "foo" names mine:foo
	// (registered last): script:foo keeps its value, as in Kamailio.
	if got := call(t, srv, "stats.get_statistics", "script:", "sl:404_replies", "core:"); !strings.HasPrefix(got, "script:foo = 9\ncore:bad_URIs_rcvd = 0\n") {
		t.Errorf("after reset all:\n%s", got)
	}
	if got := call(t, srv, "stats.fetch", "script:foo"); got != "{}" {
		t.Errorf("script:foo is found by its name, which is mine:foo's: %s", got)
	}
}
