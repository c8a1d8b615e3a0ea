//go:build kamailio

package registrar_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestKamailioKeepalive records (-update) or checks the keepalive
// Kamailio sends to a registered contact, usrloc's timer running every
// second.
func TestKamailioKeepalive(t *testing.T) {
	cfg := kamailioHeader + strings.Replace(kaRoutes, "INTERVAL", "1", 1)
	k := siptest.StartKamailio(t, cfg)
	got := kaExchange(t, k.SIPAddr(), func() {})
	siptest.Golden(t, goldenKA, "Kamailio's keepalive", got, *update)
}

var update = flag.Bool("update", false, "record testdata/replies.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does.
const kamailioHeader = siptest.KamailioHeader

// TestKamailioReplies sends the scenarios to Kamailio 5.6.3 and compares
// its replies with testdata (-update records them).
func TestKamailioReplies(t *testing.T) {
	for _, sc := range []struct {
		routes, file string
		list         []register
	}{
		{replyRoutes, golden, scenario},
		{outboundRoutes, goldenOutbound, outboundScenario},
		{tmRoutes, goldenTM, tmScenario},
	} {
		k := siptest.StartKamailio(t, kamailioHeader+sc.routes)
		got := runScenario(t, k.SIPAddr(), sc.list)
		k.Stop()
		siptest.Golden(t, sc.file, "Kamailio's replies", got, *update)
	}
}
