//go:build kamailio

package pike_test

import (
	"context"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

var update = flag.Bool("update", false, "record testdata/antiflood.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does, with
// one worker so that the requests are handled in order.
const kamailioHeader = siptest.KamailioHeader

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
	siptest.Golden(t, golden, "Kamailio's run", got, *update)
}
