package rr_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
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

// runBranchScenario places the call of sc through the proxy at port
// (servers is uas1, uas2) and returns the Record-Route lines each server
// got, normalised.
func runBranchScenario(t *testing.T, sc branchScenario, port int, phone *peer, servers []*peer) map[int][]string {
	t.Helper()
	got := map[int][]string{}
	read := func(i int) string {
		inv := servers[i-1].recv()
		if !strings.HasPrefix(inv, "INVITE ") {
			t.Fatalf("uas%d got:\n%s", i, inv)
		}
		got[i] = rrLines(inv, port)
		return inv
	}
	phone.send(port, phone.request("INVITE", fmt.Sprintf("sip:bob@127.0.0.1:%d", servers[0].port()), ""))
	phone.recv() // 100
	inv := read(1)
	if len(sc.want) > 1 && !sc.busy {
		read(2)
	}
	if sc.busy {
		servers[0].send(port, busy(inv))
		servers[0].recv() // ACK
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

// busy is a 486 to the INVITE inv.
func busy(inv string) string {
	var b strings.Builder
	b.WriteString("SIP/2.0 486 Busy Here\r\n")
	for _, h := range headers(inv) {
		switch {
		case strings.HasPrefix(h, "Via:"), strings.HasPrefix(h, "From:"), strings.HasPrefix(h, "Call-ID:"), strings.HasPrefix(h, "CSeq:"):
			b.WriteString(h + "\r\n")
		case strings.HasPrefix(h, "To:"):
			b.WriteString(h + ";tag=busy\r\n")
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// withPorts replaces UAS1 and UAS2 in routes with the servers' ports.
func withPorts(routes string, servers []*peer) string {
	for i, s := range servers {
		routes = strings.ReplaceAll(routes, "UAS"+strconv.Itoa(i+1), strconv.Itoa(s.port()))
	}
	return routes
}

// runTM serves routes with tm, sl, rr, pv and xlog over UDP on a free
// port of 127.0.0.1 and returns the port.
func runTM(t *testing.T, routes string) int {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	var load strings.Builder
	for _, m := range branchModules {
		fmt.Fprintf(&load, "loadmodule \"%s.so\"\n", m)
	}
	src := fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\n%s%s", port, load.String(), routes)
	cfg, diags, _ := check.AnalyzeSource("rr.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return port
}

// TestRecordRouteBranches: add_rr_param in branch_route and failure_route
// reaches the Record-Route record_route added in request_route, for the
// branch it runs for only.
func TestRecordRouteBranches(t *testing.T) {
	for _, sc := range branchScenarios {
		t.Run(sc.name, func(t *testing.T) {
			phone, servers := newPeer(t), []*peer{newPeer(t), newPeer(t)}
			port := runTM(t, withPorts(sc.routes, servers))
			got := runBranchScenario(t, sc, port, phone, servers)
			if fmt.Sprint(got) != fmt.Sprint(sc.want) {
				t.Errorf("Record-Route lines %v, want %v", got, sc.want)
			}
		})
	}
}
