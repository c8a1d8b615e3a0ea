package dialog_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/dialog"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// header is what both servers run before a scenario's configuration.
const header = siptest.Prelude + `loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "rr.so"
loadmodule "textops.so"
loadmodule "kex.so"
loadmodule "dialog.so"
`

// target is a running server a scenario drives.
type target interface {
	siptest.Target
	// rpc runs a command, its reply as kamcmd prints it, flattened.
	rpc(t *testing.T, cmd ...string) []string
}

// kamgoTarget is kamgo with tm and dialog on a fake clock.
type kamgoTarget struct{ *siptest.Server }

func (k kamgoTarget) rpc(t *testing.T, cmd ...string) []string {
	t.Helper()
	vals, f, ok := siptest.RPC(k.Srv, cmd[0], siptest.Args(cmd[1:]...)...)
	if !ok {
		t.Fatalf("%s is not registered", cmd[0])
	}
	return siptest.Flatten(vals, f)
}

// startKamgo runs header+cfg in kamgo with tm and dialog on a fake clock.
func startKamgo(t *testing.T, cfg string, peers ...*siptest.UA) target {
	t.Helper()
	clock := fakeclock.New()
	return kamgoTarget{siptest.Start(t, header+cfg, siptest.Options{Name: "dialog.cfg", Clock: clock, Subst: siptest.Placeholders(peers...),
		Setup: func(srv *server.Server) {
			siptest.Module[*tm.Module](t, srv, "tm").SetClock(clock)
			siptest.Module[*dialog.Module](t, srv, "dialog").SetClock(clock)
		}})}
}

// expire lets a dialog's timeout of secs seconds pass.
func expire(tg target, secs int) { tg.Advance(time.Duration(secs) * time.Second) }

// invite is the caller p's INVITE to the proxy.
func invite(p *siptest.UA, ruri, callID string, extra ...string) string {
	h := []string{
		"INVITE " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-1", p.Port(), callID),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: " + callID,
		"CSeq: 10 INVITE",
		fmt.Sprintf("Contact: <sip:alice@127.0.0.1:%d>", p.Port()),
	}
	return siptest.Build(append(h, extra...), "")
}

// reply is the callee p's reply to req, with its to-tag, Contact and the
// Record-Route it got, after the extra headers given.
func reply(p *siptest.UA, req *sipmsg.Msg, code int, reason, toTag string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "call-id", "cseq", "record-route":
			b.WriteString(req.Buf[h.Start:h.End])
		case "to":
			line := req.Buf[h.Start:h.End]
			if toTag != "" && !strings.Contains(line, ";tag=") {
				line = strings.TrimRight(line, "\r\n") + ";tag=" + toTag + "\r\n"
			}
			b.WriteString(line)
		}
	}
	if req.Method == "INVITE" {
		fmt.Fprintf(&b, "Contact: <sip:bob@127.0.0.1:%d>\r\n", p.Port())
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// within is a request inside the dialog from the caller p, routed by the
// proxy's Record-Route.
func within(p *siptest.UA, method, callID string, cseq int, toTag string, rr []string, ruri string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%s%d", p.Port(), callID, method, cseq),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>;tag=" + toTag,
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	for _, r := range rr {
		h = append(h, "Route: "+r)
	}
	return siptest.Build(h, "")
}

var (
	portRE   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	hidRE    = regexp.MustCompile(`did=([0-9a-f]+)\.[0-9a-f]+`)
	branchRE = regexp.MustCompile(`branch=z9hG4bK[^;\s>]*`)
)

// mask hides what differs between two runs: ports, the dialog's hash id
// and Via branches.
func mask(s string) string {
	s = portRE.ReplaceAllString(s, "127.0.0.1:PORT")
	s = hidRE.ReplaceAllString(s, "did=$1.HID")
	return branchRE.ReplaceAllString(s, "branch=BRANCH")
}
