package htable

import (
	"fmt"
	"regexp"

	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileRE compiles a pattern as Kamailio's htable does: POSIX extended,
// case-insensitive, with REG_NEWLINE (anchors match at line breaks, "."
// does not match one).
func compileRE(pat string) (*regexp.Regexp, error) {
	t, err := ere.Translate(pat, true)
	if err != nil {
		return nil, err
	}
	return regexp.Compile("(?m)" + t)
}

// The match operators of sht_rm_name, sht_rm_value, sht_match_name and
// sht_match_str_value.
const (
	opEq = "eq"
	opNe = "ne"
	opRe = "re"
	opSw = "sw"
)

// RemoveRE removes the items whose name (or string value, byValue)
// matches the regular expression pat (Kamailio's ht_rm_cell_re).
func (t *Table) RemoveRE(o owner, pat string, byValue bool) error {
	if pat == "" {
		return fmt.Errorf("empty expression")
	}
	re, err := compileRE(pat)
	if err != nil {
		return fmt.Errorf("bad re %s", pat)
	}
	t.removeIf(o, func(c *cell) bool {
		s, ok := subject(c, byValue)
		return ok && re.MatchString(s)
	})
	return nil
}

// RemovePrefix removes the items whose name (or string value) starts with
// p (Kamailio's ht_rm_cell_op with "sw").
func (t *Table) RemovePrefix(o owner, p string, byValue bool) error {
	if p == "" {
		return fmt.Errorf("empty prefix")
	}
	t.removeIf(o, func(c *cell) bool {
		s, ok := subject(c, byValue)
		return ok && hasPrefix(s, p)
	})
	return nil
}

// Match reports whether some item's name (or string value) matches v by
// op: eq, ne, sw or re (Kamailio's ht_match_cell_op_str).
func (t *Table) Match(o owner, op, v string, byValue bool) (bool, error) {
	if v == "" {
		return false, nil
	}
	var pred func(s string) bool
	switch op {
	case opEq:
		pred = func(s string) bool { return s == v }
	case opNe:
		pred = func(s string) bool { return s != v }
	case opSw:
		pred = func(s string) bool { return hasPrefix(s, v) }
	case opRe:
		re, err := compileRE(v)
		if err != nil {
			return false, fmt.Errorf("bad re %s", v)
		}
		pred = re.MatchString
	default:
		return false, fmt.Errorf("unsupported matching operator: %s", op)
	}
	return t.anyMatch(o, func(c *cell) bool {
		s, ok := subject(c, byValue)
		return ok && pred(s)
	}), nil
}

// CountMatching counts the items as $shtcn (names) and $shtcv (values,
// byValue) do, by an expression whose first two characters may choose
// the test: "~~re" (regular expression, also what an expression without
// a known prefix is), "~%s" (ends with s), "%~s" (starts with s), "==s"
// (equal), "eqN" (integer value N; values only) and "**" (every item).
// Expired items not yet removed count, as in Kamailio 5.6.3. err is set
// for a bad regular expression (the count is 0).
func (t *Table) CountMatching(o owner, expr string, byValue bool) (int, error) {
	if expr == "" {
		return 0, nil
	}
	op := ""
	if len(expr) >= 2 {
		switch expr[:2] {
		case "~~", "~%", "%~", "==", "eq", "**":
			op = expr[:2]
		}
	}
	if op == "**" {
		return t.Count(o), nil
	}
	arg := expr
	if op != "" {
		if len(expr) <= 2 {
			return 0, nil
		}
		arg = expr[2:]
	} else {
		op = "~~"
	}
	var pred func(c *cell) bool
	switch op {
	case "eq":
		if !byValue {
			return 0, nil
		}
		n, _ := value.Str2Sint(arg)
		n = wrap32(n)
		pred = func(c *cell) bool { return !c.isStr && c.n == n }
	case "~~":
		re, err := compileRE(arg)
		if err != nil {
			return 0, fmt.Errorf("bad re %s", expr)
		}
		pred = func(c *cell) bool { s, ok := subject(c, byValue); return ok && re.MatchString(s) }
	case "~%":
		pred = func(c *cell) bool { s, ok := subject(c, byValue); return ok && hasSuffix(s, arg) }
	case "%~":
		pred = func(c *cell) bool { s, ok := subject(c, byValue); return ok && hasPrefix(s, arg) }
	case "==":
		pred = func(c *cell) bool { s, ok := subject(c, byValue); return ok && s == arg }
	}
	n := 0
	t.each(o, func(_ int, s *slot) {
		for _, c := range s.cells {
			if pred(c) {
				n++
			}
		}
	})
	return n, nil
}
