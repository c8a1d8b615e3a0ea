package registrar_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
)

// kaRoutes saves registrations with usrloc sending keepalives to every
// contact; the interval is a placeholder (kamgo's clock is a fake one,
// Kamailio's runs every second).
const kaRoutes = `
server_header="Server: test"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "ka_mode", 1)
modparam("usrloc", "ka_loglevel", 2)
modparam("usrloc", "timer_interval", INTERVAL)
request_route {
	save("location");
	exit;
}
`

const goldenKA = "testdata/keepalive.txt"

var (
	reKATag    = regexp.MustCompile(`tag=uloc-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-([0-9a-f]+)-[0-9a-f]+-[0-9a-f]+-`)
	reKACallID = regexp.MustCompile(`ksrulka-[0-9a-f]+-[0-9a-f]+-`)
)

// kaExchange registers a contact at its own address and returns the
// keepalive's normalized text, read after tick (the server's timer
// ran). The peer answers the keepalive with 200 OK.
func kaExchange(t *testing.T, addr string, tick func()) string {
	t.Helper()
	ua := siptest.Dial(t, "phone", addr)
	port := ua.Port()
	r := register{"", "alice", 1, []string{"Contact: <sip:alice@127.0.0.1:" + strconv.Itoa(port) + ">"}}
	ua.Send(r.message(port))
	if m := ua.Recv(); m.Status != 200 {
		t.Fatalf("REGISTER answered %d", m.Status)
	}
	tick()
	ka := ua.Recv()
	if !ka.IsRequest() {
		t.Fatalf("not a keepalive:\n%s", ka.Buf)
	}
	ua.Send(siptest.Reply(ka, 200, "OK", ""))
	s := normalize(ka.Buf, port, siptest.PortOf(addr))
	s = reKATag.ReplaceAllString(s, "tag=<ruid>-$1-<sec>-<usec>-")
	return reKACallID.ReplaceAllString(s, "ksrulka-<rand>-<pid>-")
}

// TestKeepalive: after the timer runs, usrloc sends Kamailio's keepalive
// request to the contact, and the reply is logged with its roundtrip
// (ka_loglevel) and the ka_logmsg format evaluated on it.
func TestKeepalive(t *testing.T) {
	clock := fakeclock.New()
	addr, log, _ := startKamgo(t, strings.Replace(kaRoutes, "INTERVAL", "60", 1), clock)
	got := kaExchange(t, addr, func() { clock.Advance(60 * time.Second) })
	if want := siptest.ReadGolden(t, goldenKA); got != want {
		t.Errorf("keepalive differs from Kamailio's (%s):\n%s", goldenKA, siptest.Diff(want, got))
	}
	re := regexp.MustCompile(`keepalive roundtrip: 0\.000000 sec - ruid \[uloc-[^]]+\] to-uri: \[sip:alice@kamailio\.org\] remote-addr: \[udp:127\.0\.0\.1:\d+\]`)
	if err := log.Wait(re, 1, 5*time.Second); err != nil {
		t.Fatalf("no roundtrip log line: %v\n%s", err, log.Text())
	}
}
