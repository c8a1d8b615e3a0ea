package textopsx_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"

	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/textopsx"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

const changedCfg = `#!KAMAILIO
children=1
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "textopsx.so"

request_route {
	append_hf("X-New: 1\r\n");
	remove_hf("Subject");
	$ru = "sip:carol@example.net";
	$du = "sip:10.0.0.9";
	setflag(1);
	$var(r) = msg_changed_route("CHK");
	xlog("L_INFO", "after rc=$var(r) x-new=[$hdr(X-New)] subject=[$hdr(Subject)] ru=$ru du=$du seen=$var(seen)\n");
	if (isflagset(1) && !isflagset(2)) {
		xlog("L_INFO", "flags kept\n");
	}
	$var(r) = msg_changed_route("NONE");
	xlog("L_INFO", "missing rc=$var(r)\n");
	drop;
}

route[CHK] {
	xlog("L_INFO", "in x-new=[$hdr(X-New)] subject=[$hdr(Subject)] ru=$ru ou=$ou du=$du\n");
	if (isflagset(1)) {
		xlog("L_INFO", "in flag 1\n");
	}
	setflag(2);
	$var(seen) = "yes";
	append_hf("X-Lost: 1\r\n");
	drop;
}
`

const changedRequest = "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-cr1\r\n" +
	"From: <sip:alice@a.org>;tag=1\r\n" +
	"To: <sip:bob@b.org>\r\n" +
	"Call-ID: changed-route@a.org\r\n" +
	"CSeq: 1 MESSAGE\r\n" +
	"Subject: hi\r\n" +
	"Content-Length: 0\r\n\r\n"

// TestMsgChangedRoute: the route sees the message with the pending
// changes applied (headers, Request-URI) but no $du; the message itself
// keeps them pending, and the flags the route sets, its drop and its own
// changes stay with the copy; $var is the worker's. A route that does not
// exist is -1 with Kamailio's error.
func TestMsgChangedRoute(t *testing.T) {
	lines := runChanged(t, changedCfg, changedRequest)
	want := []string{
		"INFO: script: in x-new=[1] subject=[<null>] ru=sip:carol@example.net ou=sip:carol@example.net du=<null>",
		"INFO: script: in flag 1",
		"INFO: script: after rc=1 x-new=[<null>] subject=[hi] ru=sip:carol@example.net du=sip:10.0.0.9 seen=yes",
		"INFO: script: flags kept",
		"ERROR: textopsx: ki_msg_changed_route(): route block [NONE] not found",
		"INFO: script: missing rc=-1",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("log\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// runChanged checks cfg for Kamailio 6.1 (msg_changed_route is new in
// 6.0), loads it in this process, runs request_route on text and returns
// the log records of the script and of textopsx.
func runChanged(t *testing.T, cfg, text string) []string {
	t.Helper()
	cat, err := module.CatalogFor("6.1")
	if err != nil {
		t.Fatal(err)
	}
	an, diags, _ := check.AnalyzeSource("changed.cfg", []byte(cfg), preproc.Options{}, cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var mu sync.Mutex
	var lines []string
	lg := klog.New(nil, klog.Text)
	lg.SetHook(func(lv klog.Level, origin, msg string) {
		if origin == "script" || origin == "textopsx" {
			mu.Lock()
			lines = append(lines, lv.String()+": "+origin+": "+strings.TrimSuffix(msg, "\n"))
			mu.Unlock()
		}
	})
	srv, ld := server.Load(an, server.Options{Log: lg})
	if ld.HasErrors() {
		t.Fatal(ld)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg := siptest.Parse(t, text)
	msg.Src = sipmsg.Addr{IP: "127.0.0.1", Port: 5999}
	if _, ok := srv.Dispatch(event.Request(), event.NewWorker(1), func(c *event.Context) { sipmsg.Set(c, msg) }); !ok {
		t.Fatal("no request_route")
	}
	if err := srv.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(lines)
}

// TestMsgChangedRouteBadText: changes that leave a CSeq Kamailio cannot
// parse fail (-1) before the route runs, with the text in the error.
func TestMsgChangedRouteBadText(t *testing.T) {
	const cfg = `#!KAMAILIO
children=1
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "textopsx.so"

request_route {
	remove_hf("CSeq");
	append_hf("CSeq: abc MESSAGE\r\n");
	$var(r) = msg_changed_route("CHK");
	xlog("L_INFO", "rc=$var(r)\n");
}

route[CHK] {
	xlog("L_INFO", "in\n");
}
`
	built := strings.Replace(changedRequest, "CSeq: 1 MESSAGE\r\n", "", 1)
	built = strings.Replace(built, "Content-Length: 0\r\n", "Content-Length: 0\r\nCSeq: abc MESSAGE\r\n", 1)
	want := []string{
		"ERROR: textopsx: ki_msg_changed_route(): parsing main headers of new sip message failed [[" + built + "]]",
		"INFO: script: rc=-1",
	}
	if lines := runChanged(t, cfg, changedRequest); !slices.Equal(lines, want) {
		t.Errorf("log\n%q\nwant\n%q", lines, want)
	}
}
