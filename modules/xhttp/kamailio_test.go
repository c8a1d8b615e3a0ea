//go:build kamailio

package xhttp_test

// TestKamailioHTTP runs testCfg on Kamailio 5.6.3 and checks that its
// replies are wantTranscript, the replies kamgo's TestHTTP expects.
//
//	go test -tags kamailio ./modules/xhttp -run Kamailio

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

func TestKamailioHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src := strings.Replace(testCfg, "listen=tcp:127.0.0.1:PORT\n",
		"listen=tcp:127.0.0.1:"+kamref.SIPPortPlaceholder+"\nlisten=udp:127.0.0.1:"+kamref.SIPPortPlaceholder+"\n"+
			"log_stderror=yes\nchildren=1\ntcp_children=1\nmpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n", 1)
	in, err := kamref.StartSIP(ctx, src, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	if got := transcript(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort)); got != wantTranscript {
		t.Errorf("Kamailio's transcript:\n%s\nwant\n%s", got, wantTranscript)
	}
}
