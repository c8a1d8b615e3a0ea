//go:build kamailio

package rr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestKamailioRecordRouteBranches runs each branch scenario on Kamailio
// 5.6.3 and on kamgo: both must give the servers the Record-Route lines
// the scenario lists.
func TestKamailioRecordRouteBranches(t *testing.T) {
	for _, sc := range branchScenarios {
		t.Run(sc.name, func(t *testing.T) {
			phone, servers := newPeers(t)
			header := strings.NewReplacer("listen=udp:", "listen=", "disable_tcp=yes\n", "").Replace(siptest.Prelude)
			k := siptest.StartKamailio(t, header+siptest.LoadModules(branchModules...)+siptest.EvapiProbe+withPorts(sc.routes, servers))
			kam := runBranchScenario(t, sc, k.SIPAddr(), phone, servers)
			k.Stop()

			phone, servers = newPeers(t)
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
