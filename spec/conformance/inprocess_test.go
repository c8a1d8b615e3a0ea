package conformance_test

// The in-process runner: every case is analyzed and loaded the way `kamgo
// run` does it (lang/check, runtime/server), with every kamgo module and,
// as "evapi", the capture module of capture_test.go. Each evapi message of
// the send section runs event_route[evapi:message-received] on one worker
// with $evapi(msg) set; the SIP message of a sip section, parsed by
// runtime/sipmsg as received over UDP from 127.0.0.1, runs request_route or
// the reply route. The script log lines and the captured relays are
// compared with the recording. A case with a check section must fail to
// load at that line. testdata/deviations.txt excuses documented
// deviations.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/spec/conformance"
)

const inProcessDeviations = "testdata/deviations.txt"

// The ports the in-process runner substitutes; nothing binds them.
const inProcessSIPPort, inProcessEvapiPort = 5060, 8448

// TestInProcess runs every case in-process; see the file comment.
func TestInProcess(t *testing.T) {
	cases := loadCases(t)
	setCaseEnv(t)
	dev := deviations(t, inProcessDeviations, cases)
	var ty tally
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				judge(t, &ty, c, runInProcess(c), dev, inProcessDeviations)
			})
		}
	})
	t.Logf("in-process conformance summary:\n%s", ty.String())
}

// registry returns the modules of this test binary with capture as evapi.
func registry(capt *capture) *module.Registry {
	reg := module.NewRegistry()
	for _, name := range module.Registered() {
		if name == "evapi" {
			continue
		}
		info, _ := module.Lookup(name)
		reg.Register(info.New())
	}
	reg.Register(capt)
	return reg
}

// runInProcess runs one case and returns "" when it matches the
// recording, otherwise what differs.
func runInProcess(c conformance.Case) string {
	capt := &capture{}
	srv, logs, diags := loadConfig(c.Config(inProcessSIPPort, inProcessEvapiPort), registry(capt))
	if c.Check != "" {
		return checkRefused(c, diags)
	}
	if srv == nil {
		return "load failed: " + diags.Error()
	}
	if err := srv.Start(context.Background()); err != nil {
		return "start: " + err.Error()
	}
	w := event.NewWorker(1)
	for _, m := range c.Send {
		srv.Dispatch(event.Event("evapi:message-received"), w, func(ctx *event.Context) { ctx.Set(msgKey, m) })
	}
	var sipErr string
	if c.SIP != nil {
		sipErr = dispatchSIP(srv, w, c.SIPMessage())
	}
	if err := srv.Stop(context.Background()); err != nil {
		return "stop: " + err.Error()
	}
	if sipErr != "" {
		return sipErr
	}
	relays := slices.DeleteFunc(capt.payloads(), func(p string) bool { return p == kamref.SyncMessage })
	if why := compare(c, logs.script(), relays); len(why) > 0 {
		return strings.Join(why, "\n ") + logs.other()
	}
	return ""
}

// dispatchSIP runs the route a SIP message received over UDP runs:
// request_route for a request, the reply route for a reply.
func dispatchSIP(srv *server.Server, w *event.Worker, text string) string {
	m, err := sipmsg.Parse(text)
	if err != nil {
		return "sip message: " + err.Error()
	}
	m.Src = sipmsg.Addr{IP: "127.0.0.1", Port: 5080}
	m.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: inProcessSIPPort}
	target := event.Reply()
	if m.IsRequest() {
		target = event.Request()
	}
	if _, ok := srv.Dispatch(target, w, func(ctx *event.Context) { sipmsg.Set(ctx, m) }); !ok {
		return fmt.Sprintf("the config has no %s", target)
	}
	return ""
}

// checkRefused checks that kamgo refused a config Kamailio refuses, at
// the line Kamailio named. As in the differential check suite, the first
// error's subject must cover Kamailio's line; startup errors may be
// reported at the lookahead token, one line past the statement.
func checkRefused(c conformance.Case, diags diag.List) string {
	if !diags.HasErrors() {
		return "loaded, want " + c.Check
	}
	want, _ := c.CheckLine()
	var first *diag.Diagnostic
	for _, d := range diags {
		if d.Severity == diag.Error && (first == nil || d.Subject.Start.Before(first.Subject.Start)) {
			first = d
		}
	}
	got := first.Subject.Start.Line - conformance.PreludeLines()
	hi := max(first.Subject.End.Line-conformance.PreludeLines(), got)
	if strings.HasPrefix(c.Check, "startup") {
		hi++
	}
	if want != 0 && (want < got || want > hi) {
		return fmt.Sprintf("rejected at line %d (%s), want line %d (%s)", got, first.Summary, want, c.Check)
	}
	return ""
}
