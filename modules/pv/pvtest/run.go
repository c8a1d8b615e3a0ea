package pvtest

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Run executes a case body with a minimal statement runner (one statement
// per line: `$pv = "str";`, `$pv = 12;`, `$pv = $other;`, `func(args);`)
// and returns the script log lines in the Case.Log shape. When no xlog
// module is loaded, xlog(level, fmt) is emulated. $rc holds the last
// function's return code.
func (h *Host) Run(c *pv.Context, body []string) ([]string, error) {
	h.Lines()
	for _, line := range body {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasSuffix(line, ";") {
			return nil, fmt.Errorf("statement without ';': %s", line)
		}
		line = strings.TrimSpace(strings.TrimSuffix(line, ";"))
		if err := h.stmt(c, line); err != nil {
			return nil, fmt.Errorf("%s: %w", line, err)
		}
	}
	var out []string
	for _, l := range h.Lines() {
		const mark = ": <script>: "
		i := strings.Index(l, mark)
		if i < 0 {
			continue
		}
		out = append(out, strings.Split(l[:i]+": "+l[i+len(mark):], "\n")...)
	}
	return out, nil
}

func (h *Host) stmt(c *pv.Context, line string) error {
	if strings.HasPrefix(line, "$") {
		eq := strings.Index(line, " = ")
		if eq < 0 {
			return fmt.Errorf("expected assignment")
		}
		lhs, rhs := line[:eq], strings.TrimSpace(line[eq+3:])
		r, err := h.CompilePV(lhs, rangeZero)
		if err != nil {
			return err
		}
		v, err := h.value(c, rhs)
		if err != nil {
			return err
		}
		return r.Set(c, v)
	}
	open := strings.IndexByte(line, '(')
	if open < 0 || !strings.HasSuffix(line, ")") {
		return fmt.Errorf("expected a function call")
	}
	name := line[:open]
	args, err := splitArgs(line[open+1 : len(line)-1])
	if err != nil {
		return err
	}
	if name == "xlog" {
		if _, ok := h.Modules["xlog"]; !ok {
			return h.xlog(c, args)
		}
	}
	for _, m := range h.Modules {
		call, err := h.Call(m, name, args...)
		if err != nil {
			if strings.HasPrefix(err.Error(), "no function") || err.Error() == "module exports nothing" {
				continue
			}
			return err
		}
		c.RC = int64(call(c))
		return nil
	}
	return fmt.Errorf("unknown function %s", name)
}

func (h *Host) value(c *pv.Context, rhs string) (value.Value, error) {
	switch {
	case rhs == "$rc":
		return value.MakeInt(c.RC), nil
	case strings.HasPrefix(rhs, `"`):
		s, err := unquote(rhs)
		if err != nil {
			return value.NullValue, err
		}
		f, err := h.CompileFormat(s, rangeZero)
		if err != nil {
			return value.NullValue, err
		}
		return value.MakeStr(f.String(c)), nil
	case strings.HasPrefix(rhs, "$"):
		r, err := h.CompilePV(rhs, rangeZero)
		if err != nil {
			return value.NullValue, err
		}
		return r.Get(c), nil
	}
	var n int64
	if _, err := fmt.Sscanf(rhs, "%d", &n); err != nil {
		return value.NullValue, fmt.Errorf("bad value %q", rhs)
	}
	return value.MakeInt(n), nil
}

func (h *Host) xlog(c *pv.Context, args []string) error {
	lv := klog.Err
	if len(args) == 2 {
		s, err := unquote(args[0])
		if err != nil {
			return err
		}
		l, ok := klog.ParseLevel(s)
		if !ok {
			return fmt.Errorf("bad level %q", s)
		}
		lv = l
		args = args[1:]
	}
	s, err := unquote(args[len(args)-1])
	if err != nil {
		return err
	}
	f, err := h.CompileFormat(s, rangeZero)
	if err != nil {
		return err
	}
	h.Logger.Log(lv, "script", f.String(c))
	c.RC = 1
	return nil
}

// splitArgs splits call arguments at top-level commas, keeping quotes.
func splitArgs(s string) ([]string, error) {
	var out []string
	depth, inq := 0, false
	start := 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case inq && ch == '\\':
			i++
		case ch == '"':
			inq = !inq
		case inq:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if inq {
		return nil, fmt.Errorf("unterminated string")
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	// The runner passes string literals decoded, re-quoted for Args.
	for i, a := range out {
		if strings.HasPrefix(a, `"`) {
			u, err := unquote(a)
			if err != nil {
				return nil, err
			}
			out[i] = `"` + u + `"`
		}
	}
	return out, nil
}

// unquote decodes a double-quoted script string literal.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("expected a string literal: %s", s)
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

var rangeZero = ast.Format{}.Rng
