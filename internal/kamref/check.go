package kamref

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/kamc"
)

// CheckResult is the result of `kamailio -c`.
type CheckResult struct {
	OK       bool     // exit status 0
	ExitCode int      // -1 when killed by a signal
	Output   []string // stderr lines
	Diags    []Diag   // located errors, in output order
}

// Diag is an error Kamailio reported at a config position.
type Diag struct {
	Level  string
	Line   int // 1-based line in the checked config
	Column string
	Msg    string
}

var (
	diagRe   = regexp.MustCompile(`(CRITICAL|ERROR|WARNING): .*config file \S+, (?:from )?line (\d+), column ([0-9-]+)(?: to line \d+, column \d+)?: (.*)$`)
	fixCfgRe = regexp.MustCompile(`at cfg:\S+:(\d+)`)
	levelMsg = regexp.MustCompile(`(CRITICAL|ERROR|ALERT|BUG): (?:<[a-z]+>|[A-Za-z0-9_]+)(?: \[[^\]]*\])?: (.*)$`)
)

// checkSIPPort and checkEvapiPort fill the placeholders for Check: nothing
// binds during `kamailio -c`.
const checkSIPPort, checkEvapiPort = 5999, 5998

// Check runs `kamailio -c -f` (through kamc.CheckIn) on cfgText, written
// to a temporary directory with fixed ports, with a 20 second bound. The
// process sees this process's environment.
func Check(ctx context.Context, cfgText string) (*CheckResult, error) {
	dir, cfgPath, err := writeConfig("check-", cfgText, checkSIPPort, checkEvapiPort)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := kamc.CheckIn(ctx, cfgPath, filepath.Dir(cfgPath), os.Environ())
	if err != nil {
		return nil, err
	}
	res := &CheckResult{OK: v.OK, ExitCode: v.ExitCode}
	res.Output = strings.Split(strings.TrimSuffix(v.Stderr, "\n"), "\n")
	res.Diags = Diagnostics(res.Output)
	return res, nil
}

// Diagnostics extracts located errors ("config file F, line N, column C:
// msg") from Kamailio output.
func Diagnostics(lines []string) []Diag {
	var ds []Diag
	for _, l := range lines {
		if m := diagRe.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			ds = append(ds, Diag{Level: m[1], Line: n, Column: m[3], Msg: m[4]})
		}
	}
	return ds
}

// FirstError returns the line number (0 when unknown) and message of the
// first error in Kamailio output: a located diagnostic if there is one,
// otherwise the first ERROR/CRITICAL record, with a "at cfg:FILE:LINE"
// suffix (fixup failures) giving the line.
func FirstError(lines []string) (int, string) {
	if ds := Diagnostics(lines); len(ds) > 0 {
		return ds[0].Line, ds[0].Msg
	}
	for _, l := range lines {
		m := levelMsg.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		line := 0
		for _, l2 := range lines {
			if c := fixCfgRe.FindStringSubmatch(l2); c != nil {
				line, _ = strconv.Atoi(c[1])
				break
			}
		}
		return line, m[2]
	}
	return 0, ""
}
