package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestAutoAliases: with auto_aliases each socket on an address adds the
// first name the address resolves back to, for its protocol and port,
// UDP sockets before TCP ones; a socket opened by name adds none; an
// alias that covers one already is not added twice; without
// auto_aliases nothing is looked up.
func TestAutoAliases(t *testing.T) {
	names := func(_ context.Context, ip netip.Addr) ([]string, error) {
		if ip.String() == "127.0.0.1" {
			return []string{"localhost.", "runsc"}, nil
		}
		return nil, errors.New("no such host")
	}
	for _, tc := range []struct {
		name    string
		auto    bool
		aliases []Alias
		want    string
	}{
		{"on", true, []Alias{{Host: "example.com", Port: 5070}},
			"[{0 example.com 5070} {1 localhost UDP} {2 localhost TCP}]"},
		{"covered by an alias", true, []Alias{{Host: "LOCALHOST"}}, "[{0 LOCALHOST 0}]"},
		{"off", false, nil, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{AutoAliases: tc.auto, LookupAddr: names, Aliases: tc.aliases,
				Listen: []Listen{{Proto: sipmsg.ProtoTCP, Host: "127.0.0.1"}, {Proto: sipmsg.ProtoUDP, Host: "localhost"},
					{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1"}}})
			// The sockets are in listen order: TCP, UDP by name, UDP.
			socks := s.t.Sockets()
			got := fmt.Sprint(s.t.Aliases())
			got = strings.ReplaceAll(got, fmt.Sprintf("localhost %d}", socks[0].Port), "localhost TCP}")
			got = strings.ReplaceAll(got, fmt.Sprintf("localhost %d}", socks[2].Port), "localhost UDP}")
			if got != tc.want {
				t.Errorf("aliases %s, want %s", got, tc.want)
			}
			if tc.auto && !s.t.Myself("localhost", s.t.Sockets()[2].Port, sipmsg.ProtoUDP) {
				t.Error("localhost at the UDP port is not myself")
			}
		})
	}
}
