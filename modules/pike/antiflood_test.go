package pike_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/htable"
	"github.com/kamgo/kamgo/modules/pike"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// The anti-flood scenario both servers run: Debian's WITH_ANTIFLOOD logic
// (ban in an htable what pike blocks) with a counter per source, the
// sampling unit and the latency long enough (an hour) that no timer of
// Kamailio's runs during the test, so the verdicts do not depend on when
// it started. floodRoutes follows each server's own header.
const floodRoutes = `
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "htable.so"
loadmodule "pike.so"
modparam("pike", "sampling_time_unit", 3600)
modparam("pike", "reqs_density_per_unit", 16)
modparam("pike", "remove_latency", 3600)
modparam("htable", "htable", "ipban=>size=8;autoexpire=300;")
modparam("htable", "htable", "seen=>size=4;initval=0")
event_route[htable:mod-init] {
	$sht(seen=>init) = "done";
	xlog("L_INFO", "mod-init $sht(seen=>init) $shtcn(seen=>**)\n");
}
request_route {
	$var(n) = $shtinc(seen=>$si);
	if ($sht(ipban=>$si) != $null) {
		xlog("L_INFO", "banned $si n=$var(n) ex=$shtex(ipban=>$si)\n");
		sl_send_reply("403", "Banned");
		exit;
	}
	pike_check_req();
	$var(rc) = $rc;
	if ($var(rc) < 0) {
		xlog("L_ALERT", "pike blocking $rm from $si n=$var(n) rc=$var(rc)\n");
		$sht(ipban=>$si) = 1;
		sl_send_reply("403", "Blocked");
		exit;
	}
	sl_send_reply("200", "OK $var(n)");
	exit;
}
`

// floodSource is where the flood comes from: not the address the servers
// listen on.
const floodSource = "127.0.0.2"

// floodRequests is the size of the flood; the block comes at the 22nd.
const floodRequests = 30

// rpcCalls are the commands run after the flood, in order, as kamcmd
// arguments.
var rpcCalls = [][]string{
	{"htable.dump", "ipban"},
	{"htable.dump", "seen"},
	{"htable.get", "ipban", floodSource},
	{"htable.get", "seen", floodSource},
	{"htable.get", "seen", "nosuch"},
	{"htable.listTables"},
	{"htable.stats"},
	{"pike.top"},
	{"pike.top", "ALL"},
	{"pike.top", "WARM"},
	{"htable.delete", "ipban", floodSource},
	{"htable.delete", "ipban", floodSource},
	{"htable.sets", "seen", "k", "v"},
	{"htable.dump", "seen"},
	{"htable.flush", "seen"},
	{"htable.stats"},
}

// golden is Kamailio 5.6.3's run of the scenario, recorded by the
// kamailio-tagged test.
const golden = "testdata/antiflood.txt"

// sipExchange sends the flood to addr, then runs rpc (one command's
// output per call), then sends one more request (the ban was deleted:
// pike still blocks), and returns the replies and outputs as text.
func sipExchange(t *testing.T, addr string, rpc func(args []string) string) string {
	t.Helper()
	ua := siptest.NewUAOn(t, "flood", floodSource)
	ua.To = addr
	var b strings.Builder
	send := func(i int) {
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-flood-%d\r\nMax-Forwards: 70\r\n"+
			"From: <sip:flood@%s>;tag=f%d\r\nTo: <sip:%s>\r\nCall-ID: flood-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
			addr, floodSource, ua.Port(), i, floodSource, i, addr, i)
		status, _, _ := strings.Cut(ua.Ask(msg), "\r\n")
		fmt.Fprintf(&b, "%d %s\n", i, status)
	}
	for i := 1; i <= floodRequests; i++ {
		send(i)
	}
	for _, args := range rpcCalls {
		fmt.Fprintf(&b, "== %s\n%s", strings.Join(args, " "), normalizeRPC(rpc(args)))
	}
	send(floodRequests + 1)
	return b.String()
}

var (
	reDate    = regexp.MustCompile(`expire: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	reExpires = regexp.MustCompile(`expires: 3\d\d\d`)
	reNode    = regexp.MustCompile(`node=0x[0-9a-f]+`)
	reEx      = regexp.MustCompile(`ex=(\d+)`)
)

// normalizeRPC removes what depends on the time: the local date an item
// expires and the seconds before pike forgets an address.
func normalizeRPC(s string) string {
	s = reDate.ReplaceAllString(s, "expire: <date>")
	return reExpires.ReplaceAllString(s, "expires: <about 3600>")
}

// normalizeLog does the same for log lines: the node's address and the
// seconds left on the ban (300, or 299 when a second passed).
func normalizeLog(s string) string {
	s = reNode.ReplaceAllString(s, "node=<node>")
	return reEx.ReplaceAllStringFunc(s, func(m string) string {
		if n, _ := strconv.Atoi(m[3:]); n >= 295 && n <= 300 {
			return "ex=<about 300>"
		}
		return m
	})
}

// logText keeps the log lines the scenario compares: the script's and
// those of pike and htable, as "LEVEL: origin: text".
func logText(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		level, rest, ok := strings.Cut(l, ": ")
		if !ok {
			continue
		}
		origin, text, ok := strings.Cut(rest, ": ")
		if !ok {
			continue
		}
		origin = strings.Trim(origin, "<>")
		if origin != "script" && origin != "pike" && origin != "htable" {
			continue
		}
		fmt.Fprintf(&b, "%s: %s: %s\n", level, origin, normalizeLog(text))
	}
	return b.String()
}

// TestAntiflood runs the scenario in kamgo, on fake clocks, and compares
// the replies, the RPC outputs and the log with Kamailio's.
func TestAntiflood(t *testing.T) {
	clock := fakeclock.New()
	srv := siptest.Start(t, "children=2\n"+siptest.ListenUDP+floodRoutes, siptest.Options{Name: "antiflood.cfg", Clock: clock,
		Setup: func(srv *server.Server) {
			siptest.Module[*htable.Module](t, srv, "htable").SetClock(clock)
			siptest.Module[*pike.Module](t, srv, "pike").SetClock(clock)
		}})
	got := sipExchange(t, srv.Addr, func(args []string) string {
		vals, fault, ok := siptest.RPC(srv.Srv, args[0], siptest.Strs(args[1:]...)...)
		if !ok {
			return "error: 500 - command " + args[0] + " not found\n"
		}
		return siptest.Kamcmd(vals, fault)
	})
	got += "== log\n" + logText(srv.Log.Lines())
	siptest.Golden(t, golden, "kamgo", got, false)
}
