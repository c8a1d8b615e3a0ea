package server

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/value"
)

// signature renders everything a reload must not change.
func (sc *scanned) signature() string {
	var b strings.Builder
	for _, l := range sc.loads {
		fmt.Fprintf(&b, "loadmodule %s\n", l.Module())
	}
	for _, p := range sc.params {
		fmt.Fprintf(&b, "modparam %s %s %s\n", p.Module, p.Param, exprText(p.Value))
	}
	var names []string
	for k := range sc.core {
		if !reloadable[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		v := sc.core[k]
		fmt.Fprintf(&b, "core %s %d %q\n", k, v.K, value.ToStr(v))
	}
	return b.String()
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.IntLit:
		return fmt.Sprintf("int:%d", e.Value)
	case *ast.StrLit:
		return fmt.Sprintf("str:%q", e.Value)
	case *ast.PVar:
		return "pv:" + e.Text
	}
	return "?"
}

// Reload compiles cfg against the running modules and swaps it in. When
// cfg changes the module set, a modparam or a start-time core parameter,
// or does not compile, nothing changes and the diagnostics say why.
func (s *Server) Reload(cfg *ast.Config) diag.List {
	s.mu.Lock()
	defer s.mu.Unlock()
	var diags diag.List
	sc := scan(cfg)
	if sig := sc.signature(); sig != s.sig {
		at := diag.Range{}
		if len(cfg.Files) > 0 {
			at.File = cfg.Files[0]
		}
		d := diags.Errorf(CodeReload, at, "configuration changes need a restart; the running configuration is kept")
		d.Detail = "changed: " + diffLines(s.sig, sig)
		return diags
	}
	prog, cd := interp.Compile(cfg, s.env(sc.core))
	diags = append(diags, cd...)
	if prog == nil || diags.HasErrors() {
		return diags
	}
	// The new hosts written in the configuration resolve now, and
	// force_send_socket's sockets are found, as they would at a restart.
	if t := s.sip.Load(); t != nil {
		if r := prog.FixHosts(t); r != nil {
			what := "does not resolve"
			if r.Host.Socket {
				what = "is not a socket kamgo listens on"
			}
			d := diags.Errorf(CodeUnresolved, r.Host.Rng, "host %q %s", r.Host.Host, what)
			d.Detail = r.Err.Error()
			return diags
		}
	}
	commitKEMI, kd := s.prepareKEMI(cfg)
	if diags = append(diags, kd...); diags.HasErrors() {
		return diags
	}
	core := sc.core
	s.overrideCore(core)
	s.applyCore(core, &diags)
	s.storeDefines(cfg)
	s.core.Store(&core)
	ev := sc.events
	s.events.Store(&ev)
	s.prog.Store(prog)
	commitKEMI()
	return diags
}

// diffLines names the lines present in only one of a and b.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			if l != "" {
				m[l] = true
			}
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "-"+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+"+l)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "the order of loadmodule or modparam statements"
	}
	return strings.Join(out, "; ")
}
