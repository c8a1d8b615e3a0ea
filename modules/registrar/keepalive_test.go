package registrar_test

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/runtime/sipmsg"
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

// kaPeer registers a contact at its own address and returns its socket
// and the keepalive's normalized text read by wait (after the server's
// timer ran). The peer answers the keepalive with 200 OK.
func kaExchange(t *testing.T, addr string, tick func()) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	to, _ := net.ResolveUDPAddr("udp", addr)
	r := register{"", "alice", 1, []string{"Contact: <sip:alice@127.0.0.1:" + strconv.Itoa(port) + ">"}}
	if _, err := pc.WriteTo([]byte(r.message(port)), to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	read := func() *sipmsg.Msg {
		_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("nothing received: %v", err)
		}
		m, err := sipmsg.Parse(string(buf[:n]))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := read(); m.Status != 200 {
		t.Fatalf("REGISTER answered %d", m.Status)
	}
	tick()
	ka := read()
	if !ka.IsRequest() {
		t.Fatalf("not a keepalive:\n%s", ka.Buf)
	}
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	for _, h := range ka.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "to", "call-id", "cseq":
			b.WriteString(ka.Buf[h.Start:h.End])
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := pc.WriteTo([]byte(b.String()), to); err != nil {
		t.Fatal(err)
	}
	s := normalize(ka.Buf, port, to.Port)
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
	if want := readGolden(t, goldenKA); got != want {
		t.Errorf("keepalive differs from Kamailio's (%s):\n%s", goldenKA, diff(want, got))
	}
	re := regexp.MustCompile(`keepalive roundtrip: 0\.000000 sec - ruid \[uloc-[^]]+\] to-uri: \[sip:alice@kamailio\.org\] remote-addr: \[udp:127\.0\.0\.1:\d+\]`)
	if err := log.Wait(re, 1, 5*time.Second); err != nil {
		t.Fatalf("no roundtrip log line: %v\n%s", err, log.Text())
	}
}
