package server

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestSIPConfig: the core parameters become the transport's
// configuration: every listen= form, port=, disable_tcp, alias,
// advertised_address/port, the Server header and children.
func TestSIPConfig(t *testing.T) {
	for _, tc := range []struct {
		name, cfg string
		listen    []sip.Listen
		check     func(c sip.Config) bool
	}{
		{"forms", "listen=udp:127.0.0.1:5070\nlisten=tcp:127.0.0.1\nlisten=127.0.0.2\nport=5080\n",
			[]sip.Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1", Port: 5070}, {Proto: sipmsg.ProtoTCP, Host: "127.0.0.1", Port: 5080},
				{Proto: sipmsg.ProtoUDP, Host: "127.0.0.2", Port: 5080}, {Proto: sipmsg.ProtoTCP, Host: "127.0.0.2", Port: 5080}}, nil},
		{"advertise and name", "listen=udp:127.0.0.1:5060 advertise proxy.example.com:5099 name \"pub\"\n",
			[]sip.Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1", Port: 5060, AdvHost: "proxy.example.com", AdvPort: 5099, Name: "pub"}}, nil},
		{"disable_tcp", "listen=127.0.0.1\ndisable_tcp=yes\n",
			[]sip.Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1", Port: 5060}}, nil},
		{"tls is not opened", "listen=tls:127.0.0.1:5061\nlisten=udp:[::1]:5062\n",
			[]sip.Listen{{Proto: sipmsg.ProtoUDP, Host: "::1", Port: 5062}}, nil},
		{"sending", "listen=udp:127.0.0.1\nalias=sip.example.com:5060\nalias=udp:other.example\nadvertised_address=\"203.0.113.1\"\n" +
			"advertised_port=5090\nforce_rport=yes\nchildren=3\nserver_header=\"Server: edge\"\n", nil, func(c sip.Config) bool {
			return len(c.Aliases) == 2 && c.Aliases[0] == (sip.Alias{Host: "sip.example.com", Port: 5060}) &&
				c.Aliases[1] == (sip.Alias{Proto: sipmsg.ProtoUDP, Host: "other.example"}) && c.AdvertisedAddress == "203.0.113.1" &&
				c.AdvertisedPort == 5090 && c.ForceRport && c.Readers == 3 && c.ServerHeader == "Server: edge"
		}},
		{"no server header", "listen=udp:127.0.0.1\nserver_signature=no\n", nil, func(c sip.Config) bool { return c.ServerHeader == "" }},
		{"default server header", "listen=udp:127.0.0.1\n", nil, func(c sip.Config) bool {
			return c.ServerHeader == sip.DefaultServerHeader && c.Readers == DefaultChildren
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dl := Load(parse(t, tc.cfg), Options{Registry: testModules})
			if s == nil || dl.HasErrors() {
				t.Fatal(dl)
			}
			if tc.listen != nil && !equalListens(s.sipConf.Listen, tc.listen) {
				t.Errorf("listen %+v", s.sipConf.Listen)
			}
			if tc.check != nil && !tc.check(s.sipConf) {
				t.Errorf("config %+v", s.sipConf)
			}
		})
	}
	_, dl := Load(parse(t, "listen=udp:127.0.0.1:99999\n"), Options{Registry: testModules})
	if !dl.HasErrors() || dl[0].Code != CodeCoreParam || !strings.Contains(dl[0].Summary, "listen: bad port") {
		t.Errorf("a bad listen: %v", dl)
	}
}

func equalListens(a, b []sip.Listen) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoListen: without listen=, as Kamailio, the sockets are every IPv4
// address of the interfaces that are up (IPv6 ones too, link-local ones
// excepted, with auto_bind_ipv6), at the port core parameter, over UDP
// then TCP; -l addresses (Options.Listen) replace that list.
func TestNoListen(t *testing.T) {
	saved := interfaceAddrs
	defer func() { interfaceAddrs = saved }()
	interfaceAddrs = func() ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"),
			netip.MustParseAddr("fe80::1"), netip.MustParseAddr("192.0.2.9")}, nil
	}
	for _, tc := range []struct {
		cfg    string
		listen []string
		want   string
	}{
		{"request_route { exit; }\n", nil, "udp 127.0.0.1:5060, udp 192.0.2.9:5060, tcp 127.0.0.1:5060, tcp 192.0.2.9:5060"},
		{"port=5070\ndisable_tcp=yes\nrequest_route { exit; }\n", nil, "udp 127.0.0.1:5070, udp 192.0.2.9:5070"},
		{"auto_bind_ipv6=1\ndisable_tcp=yes\nrequest_route { exit; }\n", nil, "udp 127.0.0.1:5060, udp ::1:5060, udp 192.0.2.9:5060"},
		{"request_route { exit; }\n", []string{"udp:127.0.0.1:5099"}, "udp 127.0.0.1:5099"},
		{"listen=udp:192.0.2.9:5080\nrequest_route { exit; }\n", []string{"udp:127.0.0.1:5099"}, "udp 192.0.2.9:5080, udp 127.0.0.1:5099"},
	} {
		s, dl := Load(parse(t, tc.cfg), Options{Registry: testModules, Listen: tc.listen})
		if s == nil {
			t.Fatal(dl)
		}
		var got []string
		for _, l := range s.sipConf.Listen {
			got = append(got, fmt.Sprintf("%s %s:%d", sipmsg.ProtoName(l.Proto, false), l.Host, l.Port))
		}
		if g := strings.Join(got, ", "); g != tc.want {
			t.Errorf("%q -l %v:\n got  %s\n want %s", tc.cfg, tc.listen, g, tc.want)
		}
	}
}

// TestStartSIP: StartSIP opens the listen= sockets and StopSIP closes
// them.
func TestStartSIP(t *testing.T) {
	s, dl := Load(parse(t, "listen=udp:127.0.0.1:0\nrequest_route { exit; }\n"), Options{Registry: testModules})
	if s == nil {
		t.Fatal(dl)
	}
	s.sipConf.Listen[0].Port = 0 // port 0 in a configuration is the default port; a test wants any free one
	if err := s.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	socks := s.SIP().Sockets()
	if len(socks) != 1 || socks[0].Port == 0 {
		t.Fatalf("sockets %v", socks)
	}
	if err := s.StartSIP(context.Background()); err == nil {
		t.Error("started twice")
	}
	if err := s.StopSIP(context.Background()); err != nil || s.SIP() != nil {
		t.Errorf("stop: %v", err)
	}
}
