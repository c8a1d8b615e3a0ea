//go:build kamailio

package rr_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// TestKamailioRecordRouteBranches runs each branch scenario on Kamailio
// 5.6.3 and on kamgo: both must give the servers the Record-Route lines
// the scenario lists.
func TestKamailioRecordRouteBranches(t *testing.T) {
	for _, sc := range branchScenarios {
		t.Run(sc.name, func(t *testing.T) {
			phone, servers := newPeer(t), []*peer{newPeer(t), newPeer(t)}
			var load strings.Builder
			for _, m := range branchModules {
				fmt.Fprintf(&load, "loadmodule \"%s.so\"\n", m)
			}
			text := "#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\nlisten=127.0.0.1:" + kamref.SIPPortPlaceholder +
				"\nauto_aliases=no\ndns=no\nrev_dns=no\nmpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n" +
				load.String() + withPorts(sc.routes, servers)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.StartSIP(ctx, text, kamref.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Stop()
			kam := runBranchScenario(t, sc, in.SIPPort, phone, servers)

			phone, servers = newPeer(t), []*peer{newPeer(t), newPeer(t)}
			kg := runBranchScenario(t, sc, runTM(t, withPorts(sc.routes, servers)), phone, servers)
			if fmt.Sprint(kam) != fmt.Sprint(sc.want) {
				t.Errorf("Kamailio gave %v, the scenario lists %v", kam, sc.want)
			}
			if fmt.Sprint(kg) != fmt.Sprint(kam) {
				t.Errorf("kamgo gave %v, Kamailio %v", kg, kam)
			}
		})
	}
}
