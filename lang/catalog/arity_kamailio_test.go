//go:build kamailio

package catalog

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/routetype"
)

// TestArityAgainstKamailio checks, for function/argument-count pairs across
// many modules, that `kamailio -c` accepts a call exactly when the catalog
// says the count is valid. Run with: go test -tags kamailio ./lang/catalog
func TestArityAgainstKamailio(t *testing.T) {
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		t.Fatalf("kamailio not installed: %v", err)
	}
	c := Load()
	dir := t.TempDir()

	// Candidate modules: those from the base package, in name order; a
	// module is used only if a config that merely loads it (with its
	// dependencies) passes `kamailio -c`.
	var cands []*Module
	for _, m := range c.Modules() {
		if m.Package == "kamailio" && len(m.Funcs) > 0 {
			cands = append(cands, m)
		}
	}
	loads := make([]bool, len(cands))
	parallel(len(cands), func(i int) {
		out, rc := runCheck(bin, dir, fmt.Sprintf("probe-%d", i), loadLines(c, cands[i])+"request_route {\n\texit;\n}\n")
		loads[i] = rc == 0
		if rc != 0 {
			t.Logf("module %s does not load alone: %s", cands[i].Name, lastLine(out))
		}
	})
	var mods []*Module
	for i, m := range cands {
		if loads[i] && len(mods) < 45 {
			mods = append(mods, m)
		}
	}
	if len(mods) < 40 {
		t.Fatalf("only %d loadable modules", len(mods))
	}

	type pair struct {
		mod    *Module
		fn     *Func
		nargs  int
		rt     routetype.Mask
		expect bool
	}
	var pairs []pair
	for _, m := range mods {
		loaded := append([]string{m.Name}, m.Deps...)
		for _, f := range m.Funcs {
			if _, core := c.CoreFunc(f.Name); core {
				continue // core keywords shadow module names in the lexer
			}
			rt := blockFor(f.Forms[0].Routes)
			counts := map[int]bool{}
			for _, fo := range f.Forms {
				a := fo.Args
				if a < 0 {
					a = 1
				}
				counts[a] = true
				counts[a+1] = true
				if a > 0 {
					counts[a-1] = true
				}
			}
			var ns []int
			for n := range counts {
				ns = append(ns, n)
			}
			sort.Ints(ns)
			for _, n := range ns {
				exp := false
				for _, mn := range loaded {
					if lm := c.Module(mn); lm != nil {
						for _, g := range lm.Funcs {
							if g.Name == f.Name && g.AcceptsIn(n, rt) {
								exp = true
							}
						}
					}
				}
				pairs = append(pairs, pair{m, f, n, rt, exp})
			}
		}
	}
	if len(pairs) < 300 {
		t.Fatalf("only %d pairs", len(pairs))
	}

	type result struct {
		accepted, arityErr bool
		msg                string
	}
	res := make([]result, len(pairs))
	parallel(len(pairs), func(i int) {
		p := pairs[i]
		args := make([]string, p.nargs)
		for k := range args {
			args[k] = `"1"`
		}
		call := fmt.Sprintf("\t%s(%s);\n", p.fn.Name, strings.Join(args, ", "))
		cfg := loadLines(c, p.mod) + routeBlock(p.rt, call)
		out, rc := runCheck(bin, dir, fmt.Sprintf("pair-%d", i), cfg)
		res[i] = result{
			accepted: rc == 0,
			arityErr: strings.Contains(out, "failed to find command") || strings.Contains(out, "Command cannot be used"),
			msg:      lastLine(out),
		}
	})
	agree, fixup := 0, 0
	for i, p := range pairs {
		r := res[i]
		switch {
		case r.accepted == p.expect:
			agree++
		case p.expect && !r.accepted && !r.arityErr:
			// Kamailio found the function but rejected the constant
			// arguments: not an arity disagreement.
			fixup++
			t.Logf("fixup: %s.%s/%d in %v: %s", p.mod.Name, p.fn.Name, p.nargs, p.rt, r.msg)
		default:
			t.Errorf("%s.%s/%d in %v: catalog says %v, kamailio accepted=%v (%s)",
				p.mod.Name, p.fn.Name, p.nargs, p.rt, p.expect, r.accepted, r.msg)
		}
	}
	t.Logf("modules %d, pairs %d, agree %d, fixup-rejected %d", len(mods), len(pairs), agree, fixup)
}

// parallel runs f(0..n-1), four at a time.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

func loadLines(c *Catalog, m *Module) string {
	var b strings.Builder
	b.WriteString("#!KAMAILIO\n")
	seen := map[string]bool{}
	var load func(name string)
	load = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		file := name
		if dm := c.Module(name); dm != nil {
			for _, d := range dm.Deps {
				load(d)
			}
			file = dm.File
		}
		fmt.Fprintf(&b, "loadmodule \"%s.so\"\n", file)
	}
	load(m.Name)
	return b.String()
}

// blockFor picks a route block type the mask allows, preferring
// request_route.
func blockFor(m routetype.Mask) routetype.Mask {
	for _, rt := range []routetype.Mask{routetype.Request, routetype.Failure, routetype.OnReply, routetype.Branch, routetype.CoreOnReply, routetype.OnSend, routetype.Event} {
		if m.Allows(rt) {
			return rt
		}
	}
	return routetype.Request
}

func routeBlock(rt routetype.Mask, body string) string {
	head := map[routetype.Mask]string{
		routetype.Request:     "request_route",
		routetype.Failure:     "failure_route[f]",
		routetype.OnReply:     "onreply_route[r]",
		routetype.Branch:      "branch_route[b]",
		routetype.CoreOnReply: "onreply_route",
		routetype.OnSend:      "onsend_route",
		routetype.Event:       "event_route[test:event]",
	}[rt]
	s := ""
	if rt != routetype.Request {
		s = "request_route {\n\texit;\n}\n"
	}
	return s + head + " {\n" + body + "}\n"
}

func runCheck(bin, dir, name, cfg string) (string, int) {
	path := filepath.Join(dir, name+".cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return err.Error(), -1
	}
	out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		return err.Error(), -1
	}
	return string(out), 0
}

func lastLine(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "ERROR") || strings.Contains(l, "CRITICAL") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	if len(keep) > 2 {
		keep = keep[:2]
	}
	return strings.Join(keep, " | ")
}
