package rr_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The Record-Route of a request relayed by tm, as branch and failure
// routes change it. kamailio_test.go runs the same scenarios on Kamailio
// 5.6.3, which gave the Record-Route lines listed here.

// branchModules are what the scenarios load, on kamgo and on Kamailio.
var branchModules = []string{"tm", "sl", "rr", "pv", "xlog"}

// branchScenario is a call from a phone to uas1 (sip:bob@127.0.0.1:UAS1)
// through routes; with busy, uas1 answers 486 and the failure route sends
// the call to uas2. want are the Record-Route lines each server gets in
// its INVITE (PROXY stands for the proxy's port; the ftag is the phone's
// From tag).
type branchScenario struct {
	name   string
	routes string
	busy   bool
	want   map[int][]string
}

const recordRoute = "Record-Route: <sip:127.0.0.1:PROXY;lr;ftag=a1"

var branchScenarios = []branchScenario{
	{name: "param-in-branch-route", routes: `request_route {
	record_route();
	t_on_branch("B"); t_relay(); exit;
}
branch_route[B] { add_rr_param(";nat=yes"); }`,
		want: map[int][]string{1: {recordRoute + ";nat=yes>"}}},
	{name: "params-per-branch", routes: `request_route {
	record_route();
	add_rr_param(";a=1");
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_on_branch("B"); t_relay(); exit;
}
branch_route[B] { if ($rU == "bob") { add_rr_param(";nat=yes"); } }`,
		want: map[int][]string{1: {recordRoute + ";a=1;nat=yes>"}, 2: {recordRoute + ";a=1>"}}},
	{name: "pending-param-then-branch", routes: `request_route {
	add_rr_param(";p=1");
	record_route();
	t_on_branch("B"); t_relay(); exit;
}
branch_route[B] { add_rr_param(";nat=yes"); }`,
		want: map[int][]string{1: {recordRoute + ";p=1;nat=yes>"}}},
	{name: "second-record-route-in-branch-route", routes: `request_route {
	record_route();
	t_on_branch("B"); t_relay(); exit;
}
branch_route[B] { record_route(); add_rr_param(";nat=yes"); }`,
		want: map[int][]string{1: {recordRoute + ";nat=yes>"}}},
	{name: "failure-route", busy: true, routes: `request_route {
	record_route();
	t_on_failure("F"); t_relay(); exit;
}
failure_route[F] {
	add_rr_param(";f=1");
	$ru = "sip:carol@127.0.0.1:UAS2";
	t_on_branch("B"); t_relay();
}
branch_route[B] { add_rr_param(";nat=yes"); }`,
		want: map[int][]string{1: {recordRoute + ">"}, 2: {recordRoute + ";f=1;nat=yes>"}}},
}

// runBranchScenario places the call of sc through the proxy at addr
// (servers is uas1, uas2) and returns the Record-Route lines each server
// got, normalised.
func runBranchScenario(t *testing.T, sc branchScenario, addr string, phone *siptest.UA, servers []*siptest.UA) map[int][]string {
	t.Helper()
	port := siptest.PortOf(addr)
	got := map[int][]string{}
	read := func(i int) *sipmsg.Msg {
		inv := servers[i-1].Recv()
		if inv.Method != "INVITE" {
			t.Fatalf("uas%d got:\n%s", i, inv.Buf)
		}
		got[i] = rrLines(inv.Buf, port)
		return inv
	}
	phone.SendTo(addr, request(phone, "INVITE", fmt.Sprintf("sip:bob@127.0.0.1:%d", servers[0].Port()), ""))
	phone.Recv() // 100
	inv := read(1)
	if len(sc.want) > 1 && !sc.busy {
		read(2)
	}
	if sc.busy {
		servers[0].SendTo(addr, siptest.Reply(inv, 486, "Busy Here", "busy"))
		servers[0].Recv() // ACK
		read(2)
	}
	return got
}

// rrLines are the Record-Route lines of msg, the proxy's port as PROXY.
func rrLines(msg string, port int) []string {
	var out []string
	for _, h := range headers(msg) {
		if strings.HasPrefix(h, "Record-Route:") {
			out = append(out, strings.ReplaceAll(h, "127.0.0.1:"+strconv.Itoa(port), "127.0.0.1:PROXY"))
		}
	}
	return out
}

// newPeers are the phone and the two servers of a branch scenario.
func newPeers(t *testing.T) (*siptest.UA, []*siptest.UA) {
	return siptest.NewUA(t, "phone"), []*siptest.UA{siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")}
}

// withPorts replaces UAS1 and UAS2 in routes with the servers' ports.
func withPorts(routes string, servers []*siptest.UA) string {
	return strings.NewReplacer(siptest.Placeholders(servers...)...).Replace(routes)
}

// runTM serves routes with tm, sl, rr, pv and xlog over UDP on a free
// port of 127.0.0.1 and returns its address.
func runTM(t *testing.T, routes string) string {
	t.Helper()
	return serve(t, branchModules, routes, nil).Addr
}

// TestRecordRouteBranches: add_rr_param in branch_route and failure_route
// reaches the Record-Route record_route added in request_route, for the
// branch it runs for only.
func TestRecordRouteBranches(t *testing.T) {
	for _, sc := range branchScenarios {
		t.Run(sc.name, func(t *testing.T) {
			phone, servers := newPeers(t)
			got := runBranchScenario(t, sc, runTM(t, withPorts(sc.routes, servers)), phone, servers)
			if fmt.Sprint(got) != fmt.Sprint(sc.want) {
				t.Errorf("Record-Route lines %v, want %v", got, sc.want)
			}
		})
	}
}
