package kamc

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeKamailio points Binary at a shell script standing in for kamailio
// for the rest of the test. The script sees the arguments kamailio would.
func fakeKamailio(t *testing.T, script string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kamailio")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := Binary
	Binary = bin
	t.Cleanup(func() { Binary = old })
}

// config writes an empty config and returns its path.
func config(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "k.cfg")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

const errorLines = `echo " 0(17) ERROR: <core> [core/cfg.y:3649]: yyparse(): cfg. parser: failed to find command nope (params 0)" >&2
echo " 0(17) CRITICAL: <core> [core/cfg.y:3790]: yyerror_at(): parse error in config file /cfg/k.cfg, line 6, column 19: unknown command, missing loadmodule?" >&2
`

func TestCheckVerdicts(t *testing.T) {
	file := config(t)
	fakeKamailio(t, `test "$1" = -c || exit 9
echo "Listening on" # stdout is not part of the verdict
`+errorLines+`exit 255
`)
	v, err := Check(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.OK || v.Phase != PhaseParse || v.Line != 6 || v.Col != 19 || v.ExitCode != 255 ||
		v.Message != "unknown command, missing loadmodule?" || v.Detail != "cfg. parser: failed to find command nope (params 0)" {
		t.Errorf("verdict %+v", v)
	}

	fakeKamailio(t, `echo "config file ok, exiting..." >&2; exit 0`)
	v, err = Check(context.Background(), file, []string{"X=1"})
	if err != nil || !v.OK || v.Phase != PhaseNone || v.Stderr != "config file ok, exiting...\n" {
		t.Errorf("verdict %+v, %v", v, err)
	}
}

// TestCheckEnv: Kamailio sees PATH and the given variables only.
func TestCheckEnv(t *testing.T) {
	t.Setenv("KAMGO_LEAK", "leak")
	fakeKamailio(t, `echo "ERROR: env [$KAMGO_X] [$KAMGO_LEAK]" >&2; exit 1`)
	v, err := Check(context.Background(), config(t), []string{"KAMGO_X=x"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Stderr != "ERROR: env [x] []\n" {
		t.Errorf("stderr %q", v.Stderr)
	}
}

func TestCheckContextEnds(t *testing.T) {
	fakeKamailio(t, `exec sleep 600`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, config(t), nil); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestStartup: a process still running at the timeout started; one that
// exits first did not.
func TestStartup(t *testing.T) {
	file := config(t)
	fakeKamailio(t, `test "$1 $2" = "-DD -E" || exit 9
echo started >&2; exec sleep 600`)
	v, err := Startup(context.Background(), file, 100*time.Millisecond)
	if err != nil || !v.OK || v.Phase != PhaseNone {
		t.Errorf("running: %+v, %v", v, err)
	}

	fakeKamailio(t, errorLines+`exit 255`)
	v, err = Startup(context.Background(), file, time.Minute)
	if err != nil || v.OK || v.Phase != PhaseStartup || v.Line != 6 || v.ExitCode != 255 {
		t.Errorf("exited: %+v, %v", v, err)
	}

	fakeKamailio(t, `exit 3`)
	v, err = Startup(context.Background(), file, time.Minute)
	if err != nil || v.OK || v.Message != "exited with status 3 before 1m0s" {
		t.Errorf("silent exit: %+v, %v", v, err)
	}
}
