package jsonrpcs

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"

	_ "github.com/kamgo/kamgo/modules/pv"
)

// runKamgo loads text as `kamgo run` does, starts it and returns the
// evapi address; the server stops at the end of the test.
func runKamgo(t *testing.T, text string) string {
	t.Helper()
	sport, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text = strings.ReplaceAll(text, "%%SIP_PORT%%", strconv.Itoa(sport))
	defs := []string{`EVAPI_BIND="127.0.0.1:0"`}
	cfg, diags, _ := check.AnalyzeSource("exec.cfg", []byte(text), preproc.Options{Defines: defs}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(os.Stderr, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	mod, _ := srv.Module("evapi")
	return mod.(*evapi.Module).Addr().String()
}

// TestReplay replays the cases against kamgo and compares every reply
// with the transcript recorded from Kamailio 5.6.3.
func TestReplay(t *testing.T) {
	for _, pretty := range []int{0, 1} {
		t.Run("pretty_format="+strconv.Itoa(pretty), func(t *testing.T) {
			want, err := os.ReadFile(transcriptFile(pretty))
			if err != nil {
				t.Fatal(err)
			}
			dir := shortTempDir(t)
			addr := runKamgo(t, configText(t, dir, pretty))
			got := play(t, addr, dir)
			wl := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
			for i := 0; i < max(len(got), len(wl)); i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				if g != w {
					t.Errorf("line %d:\nkamailio %s\nkamgo    %s", i+1, w, g)
				}
			}
		})
	}
}
