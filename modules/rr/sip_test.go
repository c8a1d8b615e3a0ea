package rr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// proxy is the configuration of the end-to-end tests: in-dialog requests
// are loose-routed, the others record-routed, and each is forwarded.
const proxy = `
request_route {
	if (loose_route()) {
		xlog("L_INFO", "loose_route $rc du=$du\n");
		forward();
		exit;
	}
	record_route();
	forward();
}
`

// serve serves routes with the modules given over UDP on a free port of
// 127.0.0.1, as `kamgo run` does; setup, when not nil, sees the server
// before it starts.
func serve(t *testing.T, modules []string, routes string, setup func(*server.Server)) *siptest.Server {
	t.Helper()
	return siptest.Start(t, "children=1\n"+siptest.ListenUDP+siptest.LoadModules(modules...)+routes, siptest.Options{Name: "rr.cfg", Setup: setup})
}

// run serves routes with rr, pv and xlog.
func run(t *testing.T, routes string) *siptest.Server {
	t.Helper()
	return serve(t, []string{"rr", "pv", "xlog"}, routes, nil)
}

// request is a request from u with the given Request-URI, To tag and
// Route headers.
func request(u *siptest.UA, method, ruri, toTag string, routes ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d", u.Port(), method, len(routes)),
	}
	for _, r := range routes {
		h = append(h, "Route: "+r)
	}
	to := "To: <sip:bob@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	h = append(h, "Max-Forwards: 70", "From: <sip:alice@example.com>;tag=a1", to,
		"Call-ID: rr-e2e", "CSeq: 1 "+method)
	return siptest.Build(h, "")
}

// headers returns the header lines of a message, in order.
func headers(msg string) []string {
	head, _, _ := strings.Cut(msg, "\r\n\r\n")
	return strings.Split(head, "\r\n")[1:]
}

// TestForwardRecordRoutes: a request that starts a dialog leaves with
// kamgo's Record-Route (its socket, lr, the caller's From tag) before its
// Via; an in-dialog request whose top Route is kamgo's loses that Route and
// goes to the next one; one whose only Route is kamgo's goes to its
// Request-URI.
func TestForwardRecordRoutes(t *testing.T) {
	srv := run(t, proxy)
	caller, callee, next := siptest.Dial(t, "caller", srv.Addr), siptest.NewUA(t, "callee"), siptest.NewUA(t, "next")
	self := srv.Addr
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", callee.Port())

	caller.Send(request(caller, "INVITE", ruri, ""))
	got := headers(callee.RecvText())
	if want := "Record-Route: <sip:" + self + ";lr;ftag=a1>"; got[0] != want {
		t.Errorf("first header of the forwarded INVITE %q, want %q", got[0], want)
	}
	if !strings.HasPrefix(got[1], "Via: SIP/2.0/UDP "+self+";branch=") {
		t.Errorf("second header %q, want kamgo's Via", got[1])
	}

	nextRoute := fmt.Sprintf("<sip:127.0.0.1:%d;lr>", next.Port())
	caller.Send(request(caller, "BYE", ruri, "b1", "<sip:"+self+";lr;ftag=a1>", nextRoute))
	got = headers(next.RecvText())
	var routes []string
	for _, h := range got {
		if strings.HasPrefix(h, "Route:") {
			routes = append(routes, h)
		}
		if strings.HasPrefix(h, "Record-Route:") {
			t.Errorf("in-dialog request got %q", h)
		}
	}
	if len(routes) != 1 || routes[0] != "Route: "+nextRoute {
		t.Errorf("Route headers at the next hop %q, want only %q", routes, nextRoute)
	}

	caller.Send(request(caller, "ACK", ruri, "b1", "<sip:"+self+";lr;ftag=a1>"))
	msg := callee.RecvText()
	if !strings.HasPrefix(msg, "ACK "+ruri+" SIP/2.0\r\n") || strings.Contains(msg, "\r\nRoute:") {
		t.Errorf("ACK at the callee:\n%s", msg)
	}
}
