//go:build kamailio

package siptest_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/spec/conformance"
)

// TestKamailioTarget: the installed Kamailio behind the Target
// interface answers a UA, logs what WaitLog and Lines see, and Advance
// lets real time pass.
func TestKamailioTarget(t *testing.T) {
	var tg siptest.Target = siptest.StartKamailio(t, siptest.KamailioHeader+strings.Replace(proxyCfg, "children=1\n"+siptest.ListenUDP, "", 1), "UAS1", "5999")
	phone := siptest.Dial(t, "phone", tg.SIPAddr())
	phone.Send(phone.Request("OPTIONS", "sip:bob@127.0.0.1", "o1", "call-o1", 1))
	if m := phone.Recv(); siptest.Status(m) != "200 Here" {
		t.Fatalf("reply:\n%s", m.Buf)
	}
	tg.WaitLog(t, `got OPTIONS call-o1`, 1)
	if !slices.Contains(tg.Lines(), "INFO: script: got OPTIONS call-o1") {
		t.Errorf("lines: %q", tg.Lines())
	}
	start := time.Now()
	tg.Advance(50 * time.Millisecond)
	if time.Since(start) < 50*time.Millisecond {
		t.Error("Advance did not wait")
	}
}

// TestKamailioReplayCase: the case TestReplayCases replays on kamgo logs
// on Kamailio what it records.
func TestKamailioReplayCase(t *testing.T) {
	data, err := os.ReadFile("testdata/001-xlog.txtar")
	if err != nil {
		t.Fatal(err)
	}
	c, err := conformance.Parse("001-xlog.txtar", data)
	if err != nil {
		t.Fatal(err)
	}
	k := siptest.StartKamailio(t, c.ConfigTemplate())
	siptest.Dial(t, "replay", k.SIPAddr()).Send(c.SIPMessage())
	k.WaitLog(t, `^WARNING: script: call `, 1)
	// The cases write a message's line breaks as lines.
	var got []string
	for _, l := range k.ScriptLog() {
		got = append(got, strings.Split(l.String(), "\n")...)
	}
	if !slices.Equal(got, c.Log) {
		t.Errorf("Kamailio logged %q, the case records %q", got, c.Log)
	}
}

// TestKamailioKamcmd: a configuration with Ctl answers Kamcmd; its reply
// flattened reads as kamgo's does.
func TestKamailioKamcmd(t *testing.T) {
	k := siptest.StartKamailio(t, siptest.KamailioHeader+siptest.Ctl+"loadmodule \"pv.so\"\nrequest_route { exit; }\n")
	if got := siptest.FlattenKamcmd(k.Kamcmd(t, "core.echo", "7", "x")); !slices.Equal(got, []string{"[0] = 7", "[1] = x"}) {
		t.Errorf("core.echo: %q", got)
	}
	if got := siptest.FlattenKamcmd(k.Kamcmd(t, "no.such")); !slices.Equal(got, []string{"fault = 500"}) {
		t.Errorf("no.such: %q", got)
	}
}
