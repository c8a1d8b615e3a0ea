package conformance_test

// How the in-process and socket runners judge a case: the deviation lists
// that excuse a documented difference, and the summary per area.

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/spec/conformance"
)

// deviations reads a list of "case-name reason" lines (# starts a
// comment) and checks that every name is a case.
func deviations(t *testing.T, path string, cases []conformance.Case) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, reason, _ := strings.Cut(l, " ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s: %s has no reason", path, name)
		}
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool { return c.Name == name }) {
			t.Errorf("%s: %s names no case", path, name)
		}
		out[name] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// outcome is what became of one case in a runner.
type outcome int

const (
	passed outcome = iota
	failed
	excused // differs, as a deviation list says it does
	skipped // left to another runner
)

// tally counts outcomes per area for the summary a runner logs.
type tally struct {
	mu     sync.Mutex
	byArea map[string]*[4]int
}

// add records one case's outcome.
func (ty *tally) add(c conformance.Case, o outcome) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	if ty.byArea == nil {
		ty.byArea = map[string]*[4]int{}
	}
	if ty.byArea[c.Area()] == nil {
		ty.byArea[c.Area()] = &[4]int{}
	}
	ty.byArea[c.Area()][o]++
}

// String renders one line per area and a total.
func (ty *tally) String() string {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	var b strings.Builder
	var total [4]int
	line := func(name string, x [4]int) {
		fmt.Fprintf(&b, "  %-10s passed %3d  failed %3d  excused %3d  skipped %3d\n", name, x[passed], x[failed], x[excused], x[skipped])
	}
	for _, a := range slices.Sorted(maps.Keys(ty.byArea)) {
		x := *ty.byArea[a]
		line(a, x)
		for i := range total {
			total[i] += x[i]
		}
	}
	line("total", total)
	return b.String()
}

// judge reports a case's result against the deviation list: detail is ""
// when the case matched.
func judge(t *testing.T, ty *tally, c conformance.Case, detail string, dev map[string]string, list string) {
	t.Helper()
	reason, listed := dev[c.Name]
	switch {
	case detail == "":
		ty.add(c, passed)
		if listed {
			t.Errorf("passes but is listed in %s: remove it", list)
		}
	case listed:
		ty.add(c, excused)
		t.Logf("excused (%s):\n %s", reason, detail)
	default:
		ty.add(c, failed)
		t.Errorf("%s:\n %s", c.Comment, detail)
	}
}
