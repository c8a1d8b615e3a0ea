package textopsx

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// op is what a header value function does.
type op int

const (
	opAppend op = iota
	opInsert
	opRemove
	opAssign
	opRemove2
	opAssign2
	opInclude
	opExclude
	opExists
)

// maxNegIdx is how far from the end a negative index may count
// (Kamailio's MAX_HF_VALUE_STACK).
const maxNegIdx = 10

// hexpr is a header expression, `name [ [idx] ] [ .param ]`, with what
// the function's fixup made of it. Indexes count values of the comma
// list over every header of that name (headers, for the *2 functions),
// from 1; negative ones from the end.
type hexpr struct {
	op     op
	name   string // as written: the name of the headers added
	canon  string // sipmsg.CanonName(name)
	all    bool   // [*]
	hasIdx bool
	idx    int
	param  string
}

// fixupNames are the C fixups that refuse a bad expression, per function.
var fixupNames = map[op]string{
	opAppend: "append_hf_value_fixup", opInsert: "insert_hf_value_fixup",
	opRemove: "remove_hf_value_fixup", opAssign: "assign_hf_value_fixup",
	opRemove2: "remove_hf_value_fixup", opAssign2: "assign_hf_value_fixup",
	opInclude: "include_hf_value_fixup", opExclude: "exclude_hf_value_fixup",
	opExists: "hf_value_exists_fixup",
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// parseHExpr reads a header expression for the function o and applies
// its fixup's rules and defaults. Spaces may surround each part, but the
// expression may not end in one.
func parseHExpr(s string, o op) (*hexpr, error) {
	e := &hexpr{op: o}
	i := 0
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	bad := func(at int) error {
		return fixupErr("fixup_hname_param", "cannot parse header near '%s'", s[at:])
	}
	skip()
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == start {
		return nil, bad(start)
	}
	e.name = s[start:i]
	e.canon = sipmsg.CanonName(e.name)
	skip()
	if i < len(s) && s[i] == '[' {
		i++
		skip()
		e.hasIdx = true
		switch {
		case i < len(s) && s[i] == '*':
			e.all = true
			i++
		case i < len(s) && s[i] != ']':
			j := i
			if j < len(s) && (s[j] == '-' || s[j] == '+') {
				j++
			}
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(strings.TrimPrefix(s[i:j], "+"))
			if err != nil {
				return nil, bad(i)
			}
			e.idx, i = n, j
		}
		skip()
		if i >= len(s) || s[i] != ']' {
			return nil, bad(i)
		}
		i++
	}
	skip()
	if i < len(s) && s[i] == '.' {
		i++
		skip()
		j := i
		for i < len(s) && isNameByte(s[i]) {
			i++
		}
		if i == j {
			return nil, bad(j)
		}
		e.param = s[j:i]
	}
	if i < len(s) {
		return nil, bad(i)
	}
	return e, e.fix()
}

// fix applies the rules of the function's fixup.
func (e *hexpr) fix() error {
	fn := fixupNames[e.op]
	tooLow := func() error {
		if e.idx < -maxNegIdx {
			return fixupErr(fn, "index cannot be lower than %d", -maxNegIdx)
		}
		return nil
	}
	switch e.op {
	case opAppend, opInsert:
		if e.all {
			return fixupErr(fn, "asterisk not supported")
		}
		if !e.hasIdx || e.idx == 0 {
			e.idx = -1
			if e.op == opInsert {
				e.idx = 1
			}
		}
		if err := tooLow(); err != nil {
			return err
		}
		if e.param != "" {
			return fixupErr(fn, "param not supported")
		}
	case opRemove, opRemove2, opAssign, opAssign2:
		if (e.op == opAssign || e.op == opAssign2) && e.all && e.param == "" {
			return fixupErr(fn, "asterisk not supported without param")
		}
		if !e.hasIdx || e.idx == 0 {
			e.idx, e.hasIdx = 1, true
		}
		return tooLow()
	default:
		if e.hasIdx || e.param != "" {
			return fixupErr(fn, "neither index nor param may be specified in '%s'", e.name)
		}
	}
	return nil
}

// compileHFValue compiles one of the header value functions: the header
// expression is fixed at load time, the value is a format string.
func (m *Module) compileHFValue(o op) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		s, ok := args[0].Literal()
		if !ok {
			return nil, fixupErr(fixupNames[o], "the header expression must be a constant")
		}
		e, err := parseHExpr(s, o)
		if err != nil {
			return nil, err
		}
		if len(args) == 1 {
			return func(c *event.Context) int {
				return m.hfValue(sipmsg.FromContext(c), e, "", false)
			}, nil
		}
		val, err := args[1].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			return m.hfValue(sipmsg.FromContext(c), e, val(c), true)
		}, nil
	}
}
