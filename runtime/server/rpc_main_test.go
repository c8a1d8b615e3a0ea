package server

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"testing"
)

// TestMain makes auto_aliases deterministic: 127.0.0.1 resolves back to
// localhost, as with Debian's /etc/hosts, and nothing else resolves.
func TestMain(m *testing.M) {
	lookupAddr = func(_ context.Context, ip netip.Addr) ([]string, error) {
		if ip == netip.MustParseAddr("127.0.0.1") {
			return []string{"localhost"}, nil
		}
		return nil, errors.New("no name")
	}
	os.Exit(m.Run())
}
