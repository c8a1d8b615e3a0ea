package nathelper

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func TestInetAton(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" when it does not parse
	}{
		{"10.1.2.3", "10.1.2.3"},
		{"010.1.2.3", "8.1.2.3"},
		{"0x7f.1", "127.0.0.1"},
		{"3232235777", "192.168.1.1"},
		{"1.2.3.4.5", ""},
		{"1.2.3.256", ""},
		{"a.b.c.d", ""},
		{"", ""},
		{"::1", ""},
	} {
		a, ok := inetAton(tc.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("inetAton(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIs1918(t *testing.T) {
	m := newModule()
	for _, tc := range []struct {
		ip   string
		mode int64
		want int
	}{
		{"10.0.0.1", 1, 1}, {"172.16.0.1", 1, 1}, {"172.32.0.1", 1, 0}, {"192.168.255.255", 1, 1},
		{"100.64.0.1", 1, 1}, {"100.128.0.1", 1, 0}, {"192.0.0.7", 0, 1}, {"192.0.0.9", 0, 0},
		{"192.0.0.9", 1, 1}, {"8.8.8.8", 1, 0}, {"example.com", 1, -1},
	} {
		m.ints["nat_addr_mode"] = tc.mode
		if got := m.is1918(tc.ip); got != tc.want {
			t.Errorf("is1918(%q) with nat_addr_mode %d = %d, want %d", tc.ip, tc.mode, got, tc.want)
		}
	}
}

func TestTrimRcvAlias(t *testing.T) {
	m := newModule()
	m.alias, m.salias = "alias=", ";alias="
	for _, tc := range []struct{ in, want string }{
		{"sip:a@10.0.0.1:5060;alias=1.2.3.4~5060~1", "sip:a@10.0.0.1:5060"},
		{"sip:a@10.0.0.1;alias=1.2.3.4~5060~1;ob", "sip:a@10.0.0.1;ob"},
		{"sip:a@10.0.0.1;alias=1.2.3.4~5060~12", ""},
		{"sip:a@10.0.0.1:5060", ""},
		{"sip:a@b;x", ""},
	} {
		got, ok := m.trimRcvAlias(tc.in)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("trimRcvAlias(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAliasURI(t *testing.T) {
	m := newModule()
	m.alias, m.salias = "alias=", ";alias="
	c := &event.Context{}
	for _, tc := range []struct{ in, want string }{
		{"<sip:a@10.0.0.1;alias=192.0.2.4~5062~2>", "sip:192.0.2.4:5062;transport=tcp"},
		{"<sip:a@10.0.0.1;alias=192.0.2.4~5062~1>;expires=5", "sip:192.0.2.4:5062;transport=udp"},
		{"<sip:a@10.0.0.1;alias=192.0.2.4~5062~9>", "sip:192.0.2.4:5062;transport="},
		{"<sip:a@10.0.0.1>", ""},
		{"<sip:a@10.0.0.1;alias=192.0.2.4>;x=yyyyyy", ""},
	} {
		got, ok := m.aliasURI(c, tc.in)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("aliasURI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReverseHex(t *testing.T) {
	for n, want := range map[uint32]string{0: "0", 1: "1", 0x1f: "f1", 0xabc0: "0cba"} {
		if got := reverseHex(n); got != want {
			t.Errorf("reverseHex(%#x) = %q, want %q", n, got, want)
		}
		if back, ok := parseReverseHex(want); !ok || back != n {
			t.Errorf("parseReverseHex(%q) = %#x %v", want, back, ok)
		}
	}
}

func TestLastPathIP(t *testing.T) {
	for _, tc := range []struct {
		path  string
		depth int
		want  string
	}{
		{"<sip:10.0.0.1:5060;lr>", 1, "10.0.0.1:5060"},
		{"<sip:10.0.0.1;lr>,<sip:10.0.0.2:5070;lr>", 1, "10.0.0.2:5070"},
		{"<sip:10.0.0.1;lr>,<sip:10.0.0.2:5070;lr>", 2, "10.0.0.1"},
		{"sip:10.0.0.1", 1, ""},
	} {
		got, ok := lastPathIP(tc.path, tc.depth)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("lastPathIP(%q, %d) = %q, want %q", tc.path, tc.depth, got, tc.want)
		}
	}
}

// TestRawPacket checks the IPv4 and UDP headers of a spoofed ping: the
// header checksum verifies to zero.
func TestRawPacket(t *testing.T) {
	p := rawPacket([]byte(udpPing), netip.MustParseAddrPort("192.0.2.1:5060"), [4]byte{198, 51, 100, 1}, 5080)
	if len(p) != 32 || p[0] != 0x45 || p[8] != 69 || p[9] != 17 {
		t.Fatalf("bad header % x", p[:20])
	}
	if checksum(p[:20]) != 0 {
		t.Errorf("IPv4 header checksum does not verify: % x", p[:20])
	}
	if p[20] != 5080>>8 || p[21] != 5080&0xff || p[22] != 5060>>8 || p[23] != 5060&0xff {
		t.Errorf("bad ports % x", p[20:24])
	}
}

func TestForceSocket(t *testing.T) {
	for _, tc := range []struct {
		in    string
		proto int
		host  string
		port  int
	}{
		{"udp:192.0.2.1:5060", sipmsg.ProtoUDP, "192.0.2.1", 5060},
		{"192.0.2.1:5070", sipmsg.ProtoNone, "192.0.2.1", 5070},
		{"udp:[::1]:5060", sipmsg.ProtoUDP, "::1", 5060},
		{"192.0.2.1", sipmsg.ProtoNone, "192.0.2.1", 0},
	} {
		fs := parseForceSocket(tc.in)
		if fs.proto != tc.proto || fs.host != tc.host || fs.port != tc.port {
			t.Errorf("parseForceSocket(%q) = %d %q %d", tc.in, fs.proto, fs.host, fs.port)
		}
	}
}

// TestNatUACTestFlags checks each test bit on one request: a phone at
// 10.0.0.5:5060 seen from 203.0.113.9:40000.
func TestNatUACTestFlags(t *testing.T) {
	m := newModule()
	m.alias, m.salias = "alias=", ";alias="
	text := strings.Join([]string{
		"INVITE sip:bob@example.com SIP/2.0",
		"Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1",
		"From: <sip:a@example.com>;tag=1", "To: <sip:bob@example.com>", "Call-ID: x", "CSeq: 1 INVITE",
		"Contact: <sip:a@10.0.0.5:5060>", "Content-Type: application/sdp", "Content-Length: 55", "",
		"v=0\r\no=a 1 1 IN IP4 10.0.0.5\r\nc=IN IP4 10.0.0.5\r\nm=audio 1 RTP/AVP 0"}, "\r\n")
	for _, tc := range []struct {
		flags int64
		want  int
	}{
		{testContact1918, 1}, {testReceived, 1}, {testVia1918, 1}, {testSDP1918, 1}, {testRport, 1},
		{testSrc1918, -1}, {testWS, -1}, {testContactPort, 1}, {testSDPCline, 1}, {testDest, -1},
	} {
		msg, err := sipmsg.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		msg.Src, msg.Proto = sipmsg.Addr{IP: "203.0.113.9", Port: 40000}, "udp"
		if got := m.natUACTest(&event.Context{}, msg, tc.flags); got != tc.want {
			t.Errorf("nat_uac_test(%d) = %d, want %d", tc.flags, got, tc.want)
		}
	}
}
