//go:build kamailio

package kex

// Compares kex's memory commands with Kamailio 5.6.3's, read with kamcmd
// through ctl on a unix socket: the same faults, and replies of the same
// shape ("Module: NAME", a structure of sizes per site ending with
// Total, an empty string). The sites themselves are each server's own.
//
//	go test -tags kamailio ./modules/kex -run Kamailio

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/runtime/rpc"
)

const memConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// skeleton is the shape of a mod.* reply with the site names left out:
// a structure is the kinds of its members before Total, then Total's.
func skeleton(vals []*kamref.Value) string {
	var parts []string
	for _, v := range vals {
		if v.Leaf {
			parts = append(parts, v.Shape())
			continue
		}
		kinds := map[string]bool{}
		total := "none"
		for i, k := range v.Kids {
			if i == len(v.Kids)-1 && k.Name == "Total" {
				total = k.Shape()
				continue
			}
			kinds[k.Shape()] = true
		}
		parts = append(parts, fmt.Sprintf("{sites:%v Total:%s}", kinds, total))
	}
	return strings.Join(parts, " ")
}

func TestKamailioModMemStats(t *testing.T) {
	sockPath := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, memConfig+kamref.CtlLines(sockPath), kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	reg := rpc.NewRegistry()
	if err := reg.Register(new(Module).modRPC()...); err != nil {
		t.Fatal(err)
	}
	// kex's own allocation, so that kamgo's kex has a site too.
	held := make([]byte, 8<<20)
	defer runtime.KeepAlive(held)
	runtime.GC()
	runtime.GC()
	for _, args := range [][]string{
		{"mod.stats"},
		{"mod.stats", "kex"},
		{"mod.stats", "kex", "shm"},
		{"mod.mem_stats", "kex", "all"},
		{"mod.stats", "kex", "pkg"},
		{"mod.stats", "kex", "bogus"},
		{"mod.mem_statsx", "kex", "shm"},
	} {
		out, err := kamref.Kamcmd(ctx, sockPath, args...)
		if err != nil {
			t.Fatal(err)
		}
		c := &rpc.Call{Method: args[0]}
		for _, a := range args[1:] {
			c.Params = append(c.Params, rpc.NewStr(a))
		}
		reg.Run(context.Background(), c)
		vals, f := c.Reply()
		if f != nil {
			if got := fmt.Sprintf("error: %d - %s", f.Code, f.Text); got != strings.TrimSpace(out) {
				t.Errorf("%v: kamgo %q, Kamailio %q", args, got, out)
			}
			continue
		}
		kv, err := kamref.ParseKamcmd(out)
		if err != nil {
			t.Fatal(err)
		}
		var gv []*kamref.Value
		for _, v := range vals {
			gv = append(gv, kamref.FromRPC("", v))
		}
		if args[2] == "pkg" {
			// Kamailio's kex has private memory; kamgo has no private
			// pools: just the module's name and the closing empty line.
			if got := skeleton(gv); got != "s s" || kv[0].Text != gv[0].Text {
				t.Errorf("%v: kamgo %s %q", args, got, gv[0].Text)
			}
			continue
		}
		if args[2] == "all" && len(kv) == 4 {
			kv = append(kv[:1], kv[2:]...) // the private pool's structure
		}
		if got, want := skeleton(gv), skeleton(kv); got != want || kv[0].Text != gv[0].Text {
			t.Errorf("%v:\n kamgo    %s (%s)\n Kamailio %s (%s)", args, got, gv[0].Text, want, kv[0].Text)
		}
	}
}
