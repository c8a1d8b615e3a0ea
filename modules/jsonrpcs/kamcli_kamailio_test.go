//go:build kamailio

package jsonrpcs_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
)

// requireKamcli: with the kamailio tag a missing kamcli fails.
const requireKamcli = true

// TestKamcliKamailio: kamcli's srv sockets, srv aliases, tcp list and ul
// show give the same answers from Kamailio 5.6.3 and from kamgo running
// the same configuration (auto_aliases on: both add the name 127.0.0.1
// resolves back to), after one REGISTER over TCP to each; ports, times,
// ids, the connection's timeout and reference count are masked.
func TestKamcliKamailio(t *testing.T) {
	bin := kamcliBin(t)
	kport, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	ksock := filepath.Join(shortDir(t), "rpc.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.StartSIP(ctx, "debug=2\nlog_stderror=yes\nchildren=1\n"+
		cliText(kport, ksock, "", `mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"`), kamref.Options{SIPPort: kport})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	// The datagram socket appears once jsonrpcs' process runs.
	for i := 0; ; i++ {
		if _, err := os.Stat(ksock); err == nil {
			break
		}
		if i == 200 {
			t.Fatalf("no jsonrpcs socket at %s", ksock)
		}
		time.Sleep(25 * time.Millisecond)
	}
	kc := register(t, kport)
	want := cliAnswers(t, bin, ksock, kport, kc.LocalAddr().(*net.TCPAddr).Port)

	gport, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	gsock := filepath.Join(shortDir(t), "rpc.sock")
	startKamgo(t, cliText(gport, gsock, "", ""))
	gc := register(t, gport)
	got := cliAnswers(t, bin, gsock, gport, gc.LocalAddr().(*net.TCPAddr).Port)
	for _, cmd := range []string{"srv sockets", "srv aliases", "tcp list", "ul show"} {
		if got[cmd] != want[cmd] {
			t.Errorf("kamcli %s:\n kamgo    %s\n Kamailio %s", cmd, got[cmd], want[cmd])
		} else if testing.Verbose() {
			t.Logf("kamcli %s: %s", cmd, want[cmd])
		}
	}
}
