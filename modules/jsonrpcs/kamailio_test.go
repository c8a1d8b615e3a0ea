//go:build kamailio

package jsonrpcs

// The differential test: testdata/exec.cfg runs in Kamailio 5.6.3
// (`kamailio -DD -E -f`) and in kamgo, with pretty_format 0 and 1; the
// replay cases go to both through jsonrpc_exec, the datagram socket and
// the FIFO, and every reply must be the same bytes (after masks hide the
// server's version and the clock). With -update the Kamailio transcripts
// are written to testdata for run_test.go:
//
//	go test -tags kamailio -run TestKamailio ./modules/jsonrpcs -update

import (
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "rewrite the transcripts in testdata from Kamailio")

func TestKamailio(t *testing.T) {
	for _, pretty := range []int{0, 1} {
		t.Run("pretty_format="+strconv.Itoa(pretty), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			kdir := shortTempDir(t)
			kport, err := freeport.Pick()
			if err != nil {
				t.Fatal(err)
			}
			in, err := kamref.Start(ctx, configText(t, kdir, pretty), kamref.Options{EvapiPort: kport,
				Args: []string{"-A", `EVAPI_BIND="127.0.0.1:` + strconv.Itoa(kport) + `"`}})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Stop()
			// The evapi port listens before the FIFO and socket processes
			// are forked: wait (bounded) until both files exist.
			for i := 0; ; i++ {
				_, e1 := os.Stat(kdir + "/rpc.fifo")
				_, e2 := os.Stat(kdir + "/rpc.sock")
				if e1 == nil && e2 == nil {
					break
				}
				if i == 200 {
					t.Fatalf("kamailio made no FIFO or socket in %s", kdir)
				}
				time.Sleep(25 * time.Millisecond)
			}
			want := play(t, "127.0.0.1:"+strconv.Itoa(kport), kdir)
			if *update {
				if err := os.WriteFile(transcriptFile(pretty), []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir := shortTempDir(t)
			got := play(t, runKamgo(t, configText(t, dir, pretty)), dir)
			for i := 0; i < max(len(got), len(want)); i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("line %d:\nkamailio %s\nkamgo    %s", i+1, w, g)
				}
			}
		})
	}
}
