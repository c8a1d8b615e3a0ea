package textops

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// knownMethods are the methods Kamailio's method parser knows by name;
// any other is METHOD_OTHER.
var knownMethods = map[string]bool{
	"INVITE": true, "CANCEL": true, "ACK": true, "BYE": true, "INFO": true, "REGISTER": true,
	"SUBSCRIBE": true, "NOTIFY": true, "MESSAGE": true, "OPTIONS": true, "PRACK": true,
	"UPDATE": true, "REFER": true, "PUBLISH": true, "KDMQ": true, "GET": true, "POST": true,
	"PUT": true, "DELETE": true,
}

// compileIsMethod is is_method(list): the request's method, or a reply's
// CSeq method, is one of the names in list (separated by ',' or '|').
// A list may hold known methods only; a single unknown name is compared
// with a method Kamailio does not know, case insensitive.
func (m *Module) compileIsMethod(_ module.Host, args []*module.Arg) (module.Call, error) {
	s, ok := literal(args[0])
	if !ok || s == "" {
		return nil, argErr("is_method", "empty method name")
	}
	names := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' })
	set := map[string]bool{}
	for _, n := range names {
		n = strings.ToUpper(strings.TrimSpace(n))
		if n == "" {
			return nil, argErr("is_method", "bad method names")
		}
		if len(names) > 1 && !knownMethods[n] {
			return nil, argErr("is_method", "unknown method in list [%s] - must be only defined methods", s)
		}
		set[n] = true
	}
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		method := msg.Method
		if !msg.IsRequest() {
			_, cm, ok := msg.CSeq()
			if !ok {
				m.logf(klog.Err, "is_method_f(): cannot parse cseq header")
				return -1
			}
			method = cm
		}
		u := strings.ToUpper(method)
		for n := range set {
			if n == u && (knownMethods[n] || !knownMethods[u]) {
				return 1
			}
		}
		return -1
	}, nil
}

// privacy values and their bits, as Kamailio's parse_privacy reads them.
var privacyBits = map[string]uint{
	"user": 1, "header": 2, "session": 4, "none": 8, "critical": 16, "id": 32, "history": 64,
}

// privacyOf reads a Privacy value list (';' separated).
func privacyOf(s string) (uint, bool) {
	var bits uint
	for _, v := range strings.Split(s, ";") {
		b, ok := privacyBits[strings.ToLower(strings.TrimSpace(v))]
		if !ok {
			return 0, false
		}
		bits |= b
	}
	return bits, true
}

func (m *Module) compileIsPrivacy(_ module.Host, args []*module.Arg) (module.Call, error) {
	s, _ := literal(args[0])
	want, ok := privacyOf(s)
	if s == "" || !ok {
		return nil, argErr("is_privacy", "invalid privacy value")
	}
	return func(c *event.Context) int { return isPrivacy(sipmsg.FromContext(c), want) }, nil
}

// isPrivacy: the Privacy header has one of the values of want.
func isPrivacy(msg *sipmsg.Msg, want uint) int {
	h := header(msg, "privacy")
	if h == nil {
		return -1
	}
	got, ok := privacyOf(h.Value)
	if !ok {
		return -1
	}
	return rc(got&want != 0)
}

func (m *Module) compileInList(run func(subject, list string, sep byte) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args[0], args[1])
		if err != nil {
			return nil, err
		}
		sep, ok := literal(args[2])
		if !ok || len(sep) != 1 {
			return nil, argErr("in_list", "invalid separator parameter")
		}
		return func(c *event.Context) int {
			subject := fs[0](c)
			if subject == "" {
				m.logf(klog.Err, "in_list_f(): subject cannot be empty string")
				return -1
			}
			return run(subject, fs[1](c), sep[0])
		}, nil
	}
}

const listSpace = " \t\r\n"

// inList: subject is one of the elements of list, white space around
// elements ignored.
func inList(subject, list string, sep byte) int {
	if subject == "" || list == "" {
		return -1
	}
	for _, e := range strings.Split(strings.TrimLeft(list, listSpace), string(sep)) {
		if strings.Trim(e, listSpace) == subject {
			return 1
		}
	}
	return -1
}

// inListPrefix: an element of list (not empty) is a prefix of subject.
func inListPrefix(subject, list string, sep byte) int {
	if subject == "" || list == "" {
		return -1
	}
	for _, e := range strings.Split(strings.TrimLeft(list, listSpace), string(sep)) {
		e = strings.Trim(e, listSpace)
		if e != "" && strings.HasPrefix(subject, e) {
			return 1
		}
	}
	return -1
}

// cmp maps a comparison to the codes cmp_str returns: 1 equal, -1 when a
// is greater, -2 when it is less.
func cmpRC(n int) int {
	switch {
	case n == 0:
		return 1
	case n > 0:
		return -1
	}
	return -2
}

// cmpStr compares as Kamailio's cmp_str: the common prefix byte-wise,
// then the shorter is less.
func cmpStr(a, b string) int { return cmpRC(strings.Compare(a, b)) }

func cmpIStr(a, b string) int { return cmpRC(strings.Compare(strings.ToLower(a), strings.ToLower(b))) }

func startsWith(s, prefix string) int {
	if len(s) < len(prefix) {
		return -1
	}
	return cmpRC(strings.Compare(s[:len(prefix)], prefix))
}

func endsWith(s, suffix string) int {
	if len(s) < len(suffix) {
		return -1
	}
	return cmpRC(strings.Compare(s[len(s)-len(suffix):], suffix))
}

// strFind returns the 1-based position of needle in s, -1 when absent.
func strFind(s, needle string) int {
	if len(needle) > len(s) {
		return -1
	}
	if i := strings.Index(s, needle); i >= 0 {
		return i + 1
	}
	return -1
}

func strIFind(s, needle string) int { return strFind(strings.ToLower(s), strings.ToLower(needle)) }

func (m *Module) compileRegexSubstring(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args[0], args[1])
	if err != nil {
		return nil, err
	}
	idx, err := args[2].Int(h)
	if err != nil {
		return nil, err
	}
	cnt, err := args[3].Int(h)
	if err != nil {
		return nil, err
	}
	dst, err := args[4].OutPV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		i, ok1 := idx(c)
		n, ok2 := cnt(c)
		if !ok1 || !ok2 {
			m.logf(klog.Err, "regex_substring_f(): unable to get index")
			return -1
		}
		out, r := m.regexSubstring(fs[0](c), fs[1](c), int(i), int(n))
		if r > 0 {
			_ = dst.Set(c, value.MakeStr(out))
		}
		return r
	}, nil
}

// regexSubstring is regex_substring(input, re, index, count): group index
// (0 the whole match) of the first match of re (case sensitive), when
// index < count; -2 when nothing matches.
func (m *Module) regexSubstring(input, expr string, idx, n int) (string, int) {
	if idx > n-1 {
		m.logf(klog.Err, "ki_regex_substring(): matched_index cannot be bigger than match_count")
		return "", -1
	}
	re, err := compileRE(expr, false, false)
	if err != nil {
		m.logf(klog.Err, "ki_regex_substring(): regular expression coudnt be compiled, Error code: (%d)", 1)
		return "", -1
	}
	loc := re.FindStringSubmatchIndex(input)
	if loc == nil {
		return "", -2
	}
	if idx < 0 || 2*idx+1 >= len(loc) || loc[2*idx] < 0 {
		m.logf(klog.Warn, "ki_regex_substring(): invalid offset for regular expression result")
		return "", -1
	}
	if loc[2*idx] == loc[2*idx+1] {
		m.logf(klog.Warn, "ki_regex_substring(): Matched string is empty")
		return "", -1
	}
	return input[loc[2*idx]:loc[2*idx+1]], 1
}
