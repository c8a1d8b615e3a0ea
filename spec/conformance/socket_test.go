package conformance_test

// The socket runner: every case with evapi messages runs through the same
// path as `kamgo run` (lang/check, runtime/server with every module kamgo
// has, Start), with the real evapi module bound to a free 127.0.0.1 port. A
// TCP client sends each send line as one netstring frame followed by
// "#sync" and waits for the "#sync" relay, as the Kamailio runner does. The
// relayed payloads and the script log lines are compared with the
// recording. Cases Kamailio refuses are the in-process runner's, and so
// are SIP messages: this runner does not start kamgo's SIP transport. The deviations of
// testdata/deviations.txt are excused here too; cases whose socket result
// deliberately differs from the in-process one are listed in
// testdata/socket-deviations.txt.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/spec/conformance"
)

const (
	// socketParallel bounds how many servers run at once.
	socketParallel = 4
	// socketCaseTimeout bounds one case: load, start, every message, stop.
	socketCaseTimeout = 20 * time.Second
	socketDeviations  = "testdata/socket-deviations.txt"
)

// TestSocketConformance runs the recorded cases over real evapi sockets;
// see the file comment.
func TestSocketConformance(t *testing.T) {
	cases := loadCases(t)
	setCaseEnv(t)
	// A case kamgo deliberately answers differently answers so over
	// sockets too; the socket list adds what differs over sockets only.
	dev := deviations(t, inProcessDeviations, cases)
	for name, reason := range deviations(t, socketDeviations, cases) {
		dev[name] = reason
	}
	var ty tally
	sem := make(chan struct{}, socketParallel)
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			if c.Check != "" || c.SIP != nil {
				ty.add(c, skipped)
				continue
			}
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(context.Background(), socketCaseTimeout)
				defer cancel()
				judge(t, &ty, c, runSocketCase(ctx, c), dev, "the deviation lists")
			})
		}
	})
	t.Logf("socket conformance summary (%v; skipped: refused configs and SIP messages):\n%s",
		time.Since(start).Round(time.Millisecond), ty.String())
}

// runSocketCase runs one case and returns "" when it matches, otherwise
// what differs.
func runSocketCase(ctx context.Context, c conformance.Case) string {
	var (
		srv  *server.Server
		port int
		logs *logCapture
	)
	// Another process may take the picked port before the module binds it.
	for attempt := 0; ; attempt++ {
		var err error
		port, err = freeport.Pick()
		if err != nil {
			return err.Error()
		}
		sip, err := freeport.Pick()
		if err != nil {
			return err.Error()
		}
		// The registered modules, the real evapi among them.
		var diags diag.List
		srv, logs, diags = loadConfig(c.Config(sip, port), module.Default)
		if srv == nil {
			return "load: " + diags.Error()
		}
		err = srv.Start(ctx)
		if err == nil {
			break
		}
		if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		return "start: " + err.Error()
	}
	stopped := false
	stop := func() string {
		if stopped {
			return ""
		}
		stopped = true
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(sctx); err != nil {
			return "stop: " + err.Error()
		}
		return ""
	}
	defer stop()

	fail := func(format string, args ...any) string {
		stop()
		return fmt.Sprintf(format, args...) + logs.other()
	}
	dl, _ := ctx.Deadline()
	conn, err := kamref.Dial(port, time.Until(dl))
	if err != nil {
		return fail("%v", err)
	}
	defer conn.Close()
	var relays []string
	for i, m := range c.Send {
		if err := conn.Send(m); err != nil {
			return fail("message %d %q: %v", i+1, m, err)
		}
		got, err := conn.Sync(time.Until(dl))
		relays = append(relays, got...)
		if err != nil {
			return fail("message %d %q: %v; relays so far %q", i+1, m, err, relays)
		}
	}
	conn.Close()
	if msg := stop(); msg != "" {
		return msg
	}
	if why := compare(c, logs.script(), relays); len(why) > 0 {
		return strings.Join(why, "\n ") + logs.other()
	}
	return ""
}
