package textops

import (
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Header names are compared as Kamailio compares them: a known header by
// its type (any case, long or compact form), another by its name, case
// insensitive. sipmsg.CanonName gives both.

// nameArg compiles a header-name argument (hname_fixup): a constant,
// not empty.
func nameArg(fn string, a *module.Arg) (string, error) {
	s, ok := literal(a)
	if !ok || s == "" {
		return "", argErr(fn, "empty header name parameter")
	}
	return sipmsg.CanonName(s), nil
}

// rawBody is the value of h as Kamailio's hf->body: from the first
// character after the colon and white space to the end of the field,
// line end and trailing white space left out; at is its offset in Buf.
func rawBody(m *sipmsg.Msg, h *sipmsg.Header) (at int, body string) {
	field := m.Buf[h.Start:h.End]
	i := strings.IndexByte(field, ':')
	if i < 0 {
		return h.End, ""
	}
	i++
	for i < len(field) && (field[i] == ' ' || field[i] == '\t') {
		i++
	}
	return h.Start + i, strings.TrimRight(field[i:], " \t\r\n")
}

func (m *Module) compileAddHF(appendIt bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		text, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		name := ""
		if len(args) == 2 {
			if name, err = nameArg("append_hf", args[1]); err != nil {
				return nil, err
			}
		}
		return func(c *event.Context) int {
			return m.addHF(sipmsg.FromContext(c), text(c), name, appendIt)
		}, nil
	}
}

// addHF adds text after the last header named name (append) or before
// the first (insert); without name, or when there is no such header,
// after the last header or before the first.
func (m *Module) addHF(msg *sipmsg.Msg, text, name string, appendIt bool) int {
	if len(msg.Headers) == 0 {
		m.logf(klog.Err, "add_hf_helper(): error while parsing message")
		return -1
	}
	var at int
	if appendIt {
		at = msg.HeadersEnd()
	} else {
		at = msg.Headers[0].Start
	}
	if name != "" {
		for i := range msg.Headers {
			h := &msg.Headers[i]
			if !h.Is(name) {
				continue
			}
			if appendIt {
				at = h.End
				continue
			}
			at = h.Start
			break
		}
	}
	if text == "" {
		m.logf(klog.Info, "add_hf_helper(): nothing to add")
		return -1
	}
	msg.Insert(at, text)
	return 1
}

// compileAppendURIHF is append_urihf(prefix, suffix): a header made of
// prefix, the Request-URI as received and suffix, after the last header.
func (m *Module) compileAppendURIHF(_ module.Host, args []*module.Arg) (module.Call, error) {
	pre, suf := plainArg(args[0]), plainArg(args[1])
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		return m.addHF(msg, pre(c)+msg.RURI+suf(c), "", true)
	}, nil
}

func (m *Module) compileRemoveHF(_ module.Host, args []*module.Arg) (module.Call, error) {
	name, err := nameArg("remove_hf", args[0])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return removeHF(sipmsg.FromContext(c), name) }, nil
}

// removeHF removes every header named name (canonical); -1 when there is
// none.
func removeHF(msg *sipmsg.Msg, name string) int {
	n := 0
	for _, h := range msg.Headers {
		if h.Is(name) {
			msg.Remove(h.Start, h.End-h.Start)
			n++
		}
	}
	return rc(n > 0)
}

// removeHFName is remove_hf_pv and KSR.textops.remove_hf: the core's
// KSR.hdr.remove, which succeeds when there is no such header.
func (m *Module) removeHFName(c *event.Context, s []string) int {
	removeHF(sipmsg.FromContext(c), sipmsg.CanonName(s[0]))
	return 1
}

func (m *Module) compileRemoveHFIdx(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	idx, err := args[1].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		i, ok := idx(c)
		if !ok {
			m.logf(klog.Err, "remove_hf_idx_f(): failed to get header index")
			return -1
		}
		return removeHFIdx(sipmsg.FromContext(c), name(c), int(i))
	}, nil
}

// removeHFIdx removes the header named name at index idx (negative from
// the end); 2 when there is none at a positive index.
func removeHFIdx(msg *sipmsg.Msg, name string, idx int) int {
	name = sipmsg.CanonName(name)
	var hs []*sipmsg.Header
	for i := range msg.Headers {
		if msg.Headers[i].Is(name) {
			hs = append(hs, &msg.Headers[i])
		}
	}
	switch {
	case idx >= 0 && idx >= len(hs):
		return 2
	case idx < 0:
		idx += len(hs)
		if idx < 0 {
			return 1
		}
	}
	h := hs[idx]
	msg.Remove(h.Start, h.End-h.Start)
	return 1
}

func (m *Module) compileRemoveHFRe(_ module.Host, args []*module.Arg) (module.Call, error) {
	re, err := regexArg("remove_hf_re", args[0], true)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return removeHFRe(sipmsg.FromContext(c), re, nil) }, nil
}

func (m *Module) compileRemoveHFExp(_ module.Host, args []*module.Arg) (module.Call, error) {
	re, err := regexArg("remove_hf_exp", args[0], true)
	if err != nil {
		return nil, err
	}
	skip, err := regexArg("remove_hf_exp", args[1], true)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return removeHFRe(sipmsg.FromContext(c), re, skip) }, nil
}

// removeHFRe removes the headers whose name (as written) matches re and
// not skip; -1 when none does.
func removeHFRe(msg *sipmsg.Msg, re, skip *regexp.Regexp) int {
	n := 0
	for _, h := range msg.Headers {
		if skip != nil && skip.MatchString(h.Name) || !re.MatchString(h.Name) {
			continue
		}
		msg.Remove(h.Start, h.End-h.Start)
		n++
	}
	return rc(n > 0)
}

func (m *Module) removeHFReText(c *event.Context, s []string) int {
	re, err := compileRE(s[0], true, true)
	if err != nil {
		m.logf(klog.Err, "ki_remove_hf_re(): failed to compile regex: %s", s[0])
		return -1
	}
	return removeHFRe(sipmsg.FromContext(c), re, nil)
}

func (m *Module) removeHFExpText(c *event.Context, s []string) int {
	re, err := compileRE(s[0], true, true)
	if err != nil {
		m.logf(klog.Err, "ki_remove_hf_exp(): failed to compile regex: %s", s[0])
		return -1
	}
	skip, err := compileRE(s[1], true, true)
	if err != nil {
		m.logf(klog.Err, "ki_remove_hf_exp(): failed to compile regex: %s", s[1])
		return -1
	}
	return removeHFRe(sipmsg.FromContext(c), re, skip)
}

// removeHFMatch is remove_hf_match(name, op, value): the headers named
// name whose value equals (eq), differs from (ne), contains (in) or
// matches (re) value; -2 when none did.
func (m *Module) removeHFMatch(c *event.Context, s []string) int {
	msg := sipmsg.FromContext(c)
	name, op, expr := sipmsg.CanonName(s[0]), strings.ToLower(s[1]), s[2]
	var re *regexp.Regexp
	switch op {
	case "eq", "ne", "in":
	case "re":
		var err error
		if re, err = compileRE(expr, true, true); err != nil {
			m.logf(klog.Err, "ki_remove_hf_match(): failed to compile regex: [%s]", expr)
			return -1
		}
	default:
		m.logf(klog.Err, "ki_remove_hf_match(): unknown operator [%s]", s[1])
		return -1
	}
	ret := -2
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is(name) {
			continue
		}
		_, body := rawBody(msg, h)
		var hit bool
		switch op {
		case "eq":
			hit = body == expr
		case "ne":
			hit = body != expr
		case "in":
			hit = strings.Contains(body, expr)
		case "re":
			hit = re.MatchString(body)
		}
		if hit {
			msg.Remove(h.Start, h.End-h.Start)
			ret = 1
		}
	}
	return ret
}

func (m *Module) compileIsPresentHF(_ module.Host, args []*module.Arg) (module.Call, error) {
	name, err := nameArg("is_present_hf", args[0])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return isPresent(sipmsg.FromContext(c), name) }, nil
}

func isPresent(msg *sipmsg.Msg, name string) int {
	for _, h := range msg.Headers {
		if h.Is(name) {
			return 1
		}
	}
	return -1
}

func (m *Module) isPresentHFName(c *event.Context, s []string) int {
	if s[0] == "" {
		return -1
	}
	return isPresent(sipmsg.FromContext(c), sipmsg.CanonName(s[0]))
}

func (m *Module) compileIsPresentHFRe(_ module.Host, args []*module.Arg) (module.Call, error) {
	re, err := regexArg("is_present_hf_re", args[0], true)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return isPresentRe(sipmsg.FromContext(c), re) }, nil
}

func isPresentRe(msg *sipmsg.Msg, re *regexp.Regexp) int {
	for _, h := range msg.Headers {
		if re.MatchString(h.Name) {
			return 1
		}
	}
	return -1
}

func (m *Module) isPresentHFReText(c *event.Context, s []string) int {
	re, err := compileRE(s[0], true, true)
	if err != nil {
		m.logf(klog.Err, "ki_is_present_hf_re(): failed to compile regex: %s", s[0])
		return -1
	}
	return isPresentRe(sipmsg.FromContext(c), re)
}

func (m *Module) compileSearchHF(_ module.Host, args []*module.Arg) (module.Call, error) {
	name, err := nameArg("search_hf", args[0])
	if err != nil {
		return nil, err
	}
	re, err := regexArg("search_hf", args[1], true)
	if err != nil {
		return nil, err
	}
	flags := plainArg(args[2])
	return func(c *event.Context) int { return searchHF(sipmsg.FromContext(c), name, re, flags(c)) }, nil
}

// searchHF matches re against the values of the headers named name: any
// of them, the first only (flag f) or the last only (flag l).
func searchHF(msg *sipmsg.Msg, name string, re *regexp.Regexp, flags string) int {
	var last *sipmsg.Header
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is(name) {
			continue
		}
		if strings.HasPrefix(flags, "l") {
			last = h
			continue
		}
		_, body := rawBody(msg, h)
		if re.MatchString(body) {
			return 1
		}
		if strings.HasPrefix(flags, "f") {
			return -1
		}
	}
	if last != nil {
		if _, body := rawBody(msg, last); re.MatchString(body) {
			return 1
		}
	}
	return -1
}

func (m *Module) compileAppendToReply(h module.Host, args []*module.Arg) (module.Call, error) {
	text, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		msg.ReplyHeaders += text(c)
		return 1
	}, nil
}

// timeFormat is the Date header append_time writes (RFC 1123 in GMT).
const timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

func (m *Module) date() string {
	return "Date: " + m.now().UTC().Format(timeFormat) + "\r\n"
}

// compileAppendTime is append_time(): a Date header for local replies.
func (m *Module) compileAppendTime(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int {
		sipmsg.FromContext(c).ReplyHeaders += m.date()
		return 1
	}, nil
}

// compileAppendTimeToRequest is append_time_to_request(): a Date header
// after the first header of the message.
func (m *Module) compileAppendTimeToRequest(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		if len(msg.Headers) == 0 {
			return -1
		}
		msg.Insert(msg.Headers[0].End, m.date())
		return 1
	}, nil
}
