//go:build kamailio

package registrar_test

import (
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
)

// TestKamailioKeepalive records (-update) or checks the keepalive
// Kamailio sends to a registered contact, usrloc's timer running every
// second.
func TestKamailioKeepalive(t *testing.T) {
	cfg := kamailioHeader + strings.Replace(kaRoutes, "INTERVAL", "1", 1)
	in, err := kamref.Start(context.Background(), cfg, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := kaExchange(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), func() {})
	if *update {
		if err := os.WriteFile(goldenKA, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, goldenKA); got != want {
		t.Errorf("Kamailio's keepalive differs from %s:\n%s", goldenKA, diff(want, got))
	}
}

var update = flag.Bool("update", false, "record testdata/replies.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does; evapi
// is there because kamref waits for its port.
const kamailioHeader = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

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
		in, err := kamref.Start(context.Background(), kamailioHeader+sc.routes, kamref.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := runScenario(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), sc.list)
		in.Stop()
		if *update {
			if err := os.WriteFile(sc.file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want := readGolden(t, sc.file); got != want {
			t.Errorf("Kamailio's replies differ from %s:\n%s", sc.file, diff(want, got))
		}
	}
}
