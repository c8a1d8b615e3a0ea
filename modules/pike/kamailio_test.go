//go:build kamailio

package pike_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "record testdata/antiflood.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does (evapi
// is there because kamref waits for its port), with one worker so that
// the requests are handled in order.
const kamailioHeader = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:` + kamref.SIPPortPlaceholder + `
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:` + kamref.EvapiPortPlaceholder + `")
`

// TestKamailioAntiflood runs the scenario on Kamailio 5.6.3, with kamcmd
// for the RPC commands, and checks it against testdata/antiflood.txt
// (-update records it).
func TestKamailioAntiflood(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in, err := kamref.Start(ctx, kamailioHeader+kamref.CtlLines(sock)+floodRoutes, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := sipExchange(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), func(args []string) string {
		out, err := kamref.Kamcmd(ctx, sock, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
	// The last request's line is written before its reply is sent, but it
	// reaches the log reader on its own time: wait for it (bounded).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n := len(in.Log()); n > 0 && strings.Contains(in.Log()[n-1].Text, "n=1 rc=-1") {
			break
		}
	}
	var lines []string
	for _, l := range in.Log() {
		lines = append(lines, l.Level+": "+l.Origin+": "+l.Text)
	}
	got += "== log\n" + logText(lines)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Kamailio's run differs from %s:\n%s", golden, lineDiff(string(want), got))
	}
}
