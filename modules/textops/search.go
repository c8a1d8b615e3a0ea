package textops

import (
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// area is the part of the message a search or replace works on.
type area int

const (
	areaAll  area = iota // the whole message (search)
	areaMsg              // after the first line: the first line (and so the Request-URI) is left alone
	areaBody             // the body
	areaHdrs             // the headers, without the first line
)

// region returns the part a of m's text and its offset; ok is false for
// an empty body, which the body functions refuse (-1).
func region(m *sipmsg.Msg, a area) (text string, off int, ok bool) {
	switch a {
	case areaAll:
		return m.Buf, 0, true
	case areaMsg:
		off = strings.IndexByte(m.Buf, '\n') + 1
		return m.Buf[off:], off, true
	case areaHdrs:
		off = strings.IndexByte(m.Buf, '\n') + 1
		end := m.HeadersEnd()
		if end <= off {
			return "", off, false
		}
		return m.Buf[off:end], off, true
	}
	off = m.BodyStart()
	return m.Buf[off:], off, off < len(m.Buf)
}

// regexArg compiles an argument Kamailio's fixup_regexp_* compiles at
// load time: REG_EXTENDED|REG_ICASE, with REG_NEWLINE unless nl is false.
// Kamailio compiles the text as written, pseudo-variables included.
func regexArg(fn string, a *module.Arg, nl bool) (*regexp.Regexp, error) {
	s, ok := literal(a)
	if !ok {
		return nil, argErr(fn, "the regular expression must be a constant")
	}
	re, err := compileRE(s, true, nl)
	if err != nil {
		return nil, argErr(fn, "bad regular expression %q: %v", s, err)
	}
	return re, nil
}

// literal returns the text of a string or integer literal argument.
func literal(a *module.Arg) (string, bool) {
	if s, ok := a.Literal(); ok {
		return s, true
	}
	if n, ok := a.IntLiteral(); ok {
		return value.MakeInt(n).String(), true
	}
	return "", false
}

// plainArg is an argument Kamailio takes as written (no pseudo-variables
// expanded): the text of search_append, replace ...
func plainArg(a *module.Arg) module.StrFunc {
	if s, ok := literal(a); ok {
		return func(*event.Context) string { return s }
	}
	eval := a.Eval
	return func(c *event.Context) string { return eval(c).String() }
}

func (m *Module) compileSearch(a area) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(_ module.Host, args []*module.Arg) (module.Call, error) {
		re, err := regexArg("search", args[0], true)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return m.search(sipmsg.FromContext(c), re, a) }, nil
	}
}

func (m *Module) search(msg *sipmsg.Msg, re *regexp.Regexp, a area) int {
	text, _, ok := region(msg, a)
	if !ok {
		return -1
	}
	return rc(re.MatchString(text))
}

func rc(ok bool) int {
	if ok {
		return 1
	}
	return -1
}

func (m *Module) compileSearchAppend(a area) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(_ module.Host, args []*module.Arg) (module.Call, error) {
		re, err := regexArg("search_append", args[0], true)
		if err != nil {
			return nil, err
		}
		text := plainArg(args[1])
		return func(c *event.Context) int { return searchAppend(sipmsg.FromContext(c), re, text(c), a) }, nil
	}
}

// searchAppend adds val after the first match of re.
func searchAppend(msg *sipmsg.Msg, re *regexp.Regexp, val string, a area) int {
	text, off, ok := region(msg, a)
	if !ok {
		return -1
	}
	loc := re.FindStringIndex(text)
	if loc == nil {
		return -1
	}
	msg.Insert(off+loc[1], val)
	return 1
}

func (m *Module) compileReplace(a area, all bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(_ module.Host, args []*module.Arg) (module.Call, error) {
		re, err := regexArg("replace", args[0], true)
		if err != nil {
			return nil, err
		}
		text := plainArg(args[1])
		return func(c *event.Context) int { return m.replace(sipmsg.FromContext(c), re, text(c), a, all) }, nil
	}
}

func (m *Module) compileReplaceAtOnce(_ module.Host, args []*module.Arg) (module.Call, error) {
	re, err := regexArg("replace_body_atonce", args[0], false)
	if err != nil {
		return nil, err
	}
	text := plainArg(args[1])
	return func(c *event.Context) int { return m.replace(sipmsg.FromContext(c), re, text(c), areaBody, true) }, nil
}

// replace replaces the first match of re, or every one, by val.
func (m *Module) replace(msg *sipmsg.Msg, re *regexp.Regexp, val string, a area, all bool) int {
	text, off, ok := region(msg, a)
	if !ok {
		return -1
	}
	var locs [][]int
	if all {
		locs = re.FindAllStringIndex(text, -1)
	} else if l := re.FindStringIndex(text); l != nil {
		locs = [][]int{l}
	}
	if len(locs) == 0 {
		return -1
	}
	for _, l := range locs {
		if all && l[0] == l[1] {
			m.logf(klog.Err, "replace_all_helper(): matched string is empty... invalid regexp?")
			return -1
		}
		msg.Replace(off+l[0], l[1]-l[0], val)
	}
	return 1
}

func (m *Module) compileReplaceStr(a area) func(module.Host, []*module.Arg) (module.Call, error) {
	return m.compileStrs(func(c *event.Context, s []string) int {
		return replaceStr(sipmsg.FromContext(c), a, s[0], s[1], s[2])
	})
}

// replaceStr replaces the first occurrence of key (mode f or F, or
// empty), or all of them, by val. An empty area or key is success.
func replaceStr(msg *sipmsg.Msg, a area, key, val, mode string) int {
	text, off, ok := region(msg, a)
	if !ok {
		return -1
	}
	if text == "" || key == "" {
		return 1
	}
	first := mode == "" || mode[0] == 'f' || mode[0] == 'F'
	pos := 0
	for {
		i := strings.Index(text[pos:], key)
		if i < 0 {
			return 1
		}
		msg.Replace(off+pos+i, len(key), val)
		if first {
			return 1
		}
		pos += i + len(key)
	}
}

// compileStrs compiles a function whose arguments are all strings with
// pseudo-variables (fixup_spve_*).
func (m *Module) compileStrs(run func(c *event.Context, s []string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			s := make([]string, len(fs))
			for i, f := range fs {
				s[i] = f(c)
			}
			return run(c, s)
		}, nil
	}
}

// compileStrs2 compiles a string test of two arguments.
func (m *Module) compileStrs2(run func(a, b string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return m.compileStrs(func(_ *event.Context, s []string) int { return run(s[0], s[1]) })
}

func (m *Module) compileSearchStr(h module.Host, args []*module.Arg) (module.Call, error) {
	return m.compileStrs(func(_ *event.Context, s []string) int { return m.searchStr(s[0], s[1]) })(h, args)
}

// searchStr is search_str(text, re): 2 for an empty expression, -2 for an
// empty text or a bad expression.
func (m *Module) searchStr(text, expr string) int {
	if expr == "" {
		return 2
	}
	if text == "" {
		return -2
	}
	re, err := compileRE(expr, true, true)
	if err != nil {
		m.logf(klog.Err, "ki_search_str(): failed to compile regex: %s", expr)
		return -2
	}
	return rc(re.MatchString(text))
}
