// Package kamc runs the real Kamailio's config check and reads its verdict.
//
// It owns four things: where the kamailio binary is (Path, also used by
// package kamref), running `kamailio -c -f FILE` (Check) and a short real
// startup (Startup) through package proc, reading the first error's
// position and message out of Kamailio's stderr (ParseStderr), and the
// recorded verdict tables under testdata/kamailio-c (LoadExpect,
// WriteExpect). The tables are the oracle the project's own checker is
// compared against.
package kamc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/proc"
)

// Binary is the kamailio executable; a bare name is looked up in PATH.
var Binary = "kamailio"

// Phases of a verdict.
const (
	PhaseNone    = "-"       // accepted
	PhaseParse   = "parse"   // kamailio -c rejected the file
	PhaseStartup = "startup" // -c accepted it, a real start failed
)

// Verdict is what Kamailio said about one config file.
type Verdict struct {
	OK       bool
	Phase    string // PhaseNone, PhaseParse or PhaseStartup
	Line     int    // first error line Kamailio reports, 0 if none
	Col      int    // its column, 0 if none
	Message  string // first error message, C source position stripped
	Detail   string // the first error line itself when it differs from Message
	ExitCode int    // -1 when killed by a signal
	Stderr   string // raw stderr
}

// baseEnv keeps runs reproducible: Kamailio sees only PATH plus what the
// caller passes (for #!defenv probes).
func baseEnv(env []string) []string {
	return append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
}

// Path resolves Binary, falling back to Debian's location.
func Path() (string, error) {
	if p, err := exec.LookPath(Binary); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/kamailio"); err == nil && Binary == "kamailio" {
		return "/usr/sbin/kamailio", nil
	}
	return "", fmt.Errorf("kamc: %s not found in PATH", Binary)
}

// Check runs `kamailio -c -f file` in the file's directory (so relative
// include_file names resolve the same way for every caller).
func Check(ctx context.Context, file string, env []string) (Verdict, error) {
	return CheckIn(ctx, file, "", env)
}

// CheckIn is Check run from directory dir ("" means the file's own
// directory). Kamailio looks up a relative include_file in the working
// directory first, so a rewritten copy of a config can still find the
// original's includes.
func CheckIn(ctx context.Context, file, dir string, env []string) (Verdict, error) {
	bin, err := Path()
	if err != nil {
		return Verdict{}, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return Verdict{}, err
	}
	if dir == "" {
		dir = filepath.Dir(abs)
	}
	p, err := proc.Run(ctx, proc.Cmd{Path: bin, Args: []string{"-c", "-f", abs}, Dir: dir, Env: baseEnv(env)})
	if err != nil {
		return Verdict{}, fmt.Errorf("kamc: running %s -c: %w", bin, err)
	}
	if ctx.Err() != nil {
		return Verdict{}, ctx.Err()
	}
	code, err := p.ExitCode()
	if err != nil {
		return Verdict{}, fmt.Errorf("kamc: running %s -c: %w", bin, err)
	}
	v := verdictFrom(p.Log().Text(), abs, code, code == 0, PhaseParse)
	if dir != filepath.Dir(abs) {
		v.Message = strings.ReplaceAll(v.Message, dir+"/", "")
		v.Detail = strings.ReplaceAll(v.Detail, dir+"/", "")
	}
	return v, nil
}

// Startup starts `kamailio -DD -E -f file` and waits up to timeout. A
// process still running then counts as a successful start and is stopped
// (with its workers, through its own process group). An earlier exit is a
// startup failure. env is passed as in Check.
func Startup(ctx context.Context, file string, timeout time.Duration, env ...string) (Verdict, error) {
	bin, err := Path()
	if err != nil {
		return Verdict{}, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return Verdict{}, err
	}
	p, err := proc.Start(proc.Cmd{Path: bin, Args: []string{"-DD", "-E", "-f", abs}, Dir: filepath.Dir(abs), Env: baseEnv(env)})
	if err != nil {
		return Verdict{}, fmt.Errorf("kamc: %w", err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	exited := false
	select {
	case <-p.Done():
		exited = true
	case <-timer.C:
	case <-ctx.Done():
	}
	p.Stop()
	if !exited {
		if ctx.Err() != nil {
			return Verdict{}, ctx.Err()
		}
		return verdictFrom(p.Log().Text(), abs, 0, true, PhaseStartup), nil
	}
	code, err := p.ExitCode()
	if err != nil {
		return Verdict{}, fmt.Errorf("kamc: waiting for %s: %w", bin, err)
	}
	v := verdictFrom(p.Log().Text(), abs, code, false, PhaseStartup)
	if v.Message == "" {
		v.Message = fmt.Sprintf("exited with status %d before %s", code, timeout)
	}
	return v, nil
}

// verdictFrom builds a Verdict from stderr. ok is the caller's decision
// (exit status for -c, still-running for startup).
func verdictFrom(stderr, abs string, code int, ok bool, failPhase string) Verdict {
	r := ParseStderr(stderr)
	dir := filepath.Dir(abs) + "/"
	v := Verdict{
		OK:       ok,
		Phase:    PhaseNone,
		Message:  strings.ReplaceAll(r.Message, dir, ""),
		Detail:   strings.ReplaceAll(r.Detail, dir, ""),
		ExitCode: code,
		Stderr:   stderr,
	}
	if !ok {
		v.Phase = failPhase
		v.Line, v.Col = r.Line, r.Col
		if v.Message == "" && code == -1 {
			v.Message = "killed by a signal"
		}
	}
	return v
}
