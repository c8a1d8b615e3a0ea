package tmx_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/kex"
)

// countRoutes relays a request that names the peer in X-Relay; for any
// other it sends a MESSAGE of its own with t_uac_send and answers 200.
const countRoutes = `loadmodule "kex.so"
request_route {
	if ($hdr(X-Relay) != $null) {
		t_relay_to_udp("127.0.0.1", "UAS1");
		exit;
	}
	t_uac_send("MESSAGE", "sip:peer@127.0.0.1:UAS1", "", "",
		"From: <sip:tmx@kamgo.test>\r\nTo: <sip:peer@kamgo.test>\r\nContent-Type: text/plain\r\n", "hi");
	sl_send_reply("200", "OK");
	exit;
}
`

// TestUACTransactionsCount: UAC_transactions counts the transactions tm
// started itself and keeps counting them once they are gone; a relayed
// request's transaction counts in UAS_transactions only.
func TestUACTransactionsCount(t *testing.T) {
	phone, peer := siptest.NewUA(t, "phone"), siptest.NewUA(t, "peer")
	srv := startKamgo(t, countRoutes, peer).(*siptest.Server)
	stats := func() []string {
		t.Helper()
		vals, fault, ok := siptest.RPC(srv.Srv, "stats.get_statistics", siptest.Strs("tmx:")...)
		if !ok || fault != nil {
			t.Fatalf("stats.get_statistics: %v %v", ok, fault)
		}
		var out []string
		for _, l := range strings.Split(siptest.Kamcmd(vals, fault), "\n") {
			switch name, _, _ := strings.Cut(l, " = "); name {
			case "tmx:UAC_transactions", "tmx:UAS_transactions", "tmx:active_transactions", "tmx:inuse_transactions", "tmx:rpl_received":
				out = append(out, l)
			}
		}
		return out
	}
	poll := func(want ...string) {
		t.Helper()
		var got []string
		if !siptest.Poll(func() bool { got = stats(); return slices.Equal(got, want) }) {
			t.Fatalf("stats %q, want %q", got, want)
		}
	}
	poll("tmx:UAC_transactions = 0", "tmx:UAS_transactions = 0", "tmx:active_transactions = 0", "tmx:inuse_transactions = 0", "tmx:rpl_received = 0")

	for i, id := range []string{"c1", "c2"} {
		phone.SendTo(srv.Addr, phone.Request("OPTIONS", "sip:tmx@127.0.0.1", "u"+id, id, 1))
		phone.RecvStatus(200)
		msg := peer.RecvMethod("MESSAGE")
		peer.SendTo(srv.Addr, siptest.Reply(msg, 200, "OK", "p"+id))
		// The transaction is in its wait state (inuse, not active) before
		// the clock moves past it.
		n := strconv.Itoa(i + 1)
		poll("tmx:UAC_transactions = "+n, "tmx:UAS_transactions = "+n, "tmx:active_transactions = 0", "tmx:inuse_transactions = 1", "tmx:rpl_received = "+n)
		srv.Advance(6 * time.Second)
		poll("tmx:UAC_transactions = "+n, "tmx:UAS_transactions = "+n, "tmx:active_transactions = 0", "tmx:inuse_transactions = 0", "tmx:rpl_received = "+n)
	}

	req := phone.Request("OPTIONS", "sip:peer@127.0.0.1", "r1", "relay-1", 1, "X-Relay: yes")
	siptest.Answer(srv.Addr, phone, req, peer, 200, "OK", "pr")
	poll("tmx:UAC_transactions = 2", "tmx:UAS_transactions = 3", "tmx:active_transactions = 0", "tmx:inuse_transactions = 1", "tmx:rpl_received = 3")
}
