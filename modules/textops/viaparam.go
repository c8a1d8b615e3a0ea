package textops

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) compileViaParamRm(h module.Host, args []*module.Arg) (module.Call, error) {
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
			// Kamailio's wrapper logs the name's line for the index too.
			m.logf(klog.Err, "w_via_param_rm(): cannot get name parameter")
			return -2
		}
		return m.viaParamRm(sipmsg.FromContext(c), name(c), int(i))
	}, nil
}

// viaParam is one parameter of a via-parm: semi is the offset in the
// message of the ';' before it, end where its removal ends.
type viaParam struct {
	name      string
	semi, end int
}

// viaParamRm is via_param_rm(name, idx): every parameter called name
// (without case) of the via-parm at idx (0 the first of the message's Via
// headers, -1 the last) is removed, from its ';' to the end of its value.
// It returns how many went, -1 when none did.
//
// Kamailio 5.8 to 6.1 count a negative index from one more than the
// number of via-parms, so that -1 names none and -2 the last; kamgo
// counts as their documentation says (spec/deviations.md).
func (m *Module) viaParamRm(msg *sipmsg.Msg, name string, idx int) int {
	bodies, ok := viaBodies(msg)
	if !ok {
		return -1
	}
	if len(bodies) == 0 {
		m.logf(klog.Warn, "ki_via_param_rm(): no Via header")
		return -1
	}
	if idx < 0 {
		if -idx > len(bodies) {
			return -1
		}
		idx += len(bodies)
	}
	if idx >= len(bodies) {
		return -1
	}
	ret := 0
	for _, p := range bodies[idx] {
		if len(p.name) == len(name) && strings.EqualFold(p.name, name) {
			msg.Remove(p.semi, p.end-p.semi)
			ret++
		}
	}
	if ret == 0 {
		return -1
	}
	return ret
}

// viaBodies returns the parameters of every via-parm of the message's Via
// headers, in order; ok is false when one does not parse (Kamailio could
// not parse the message's headers).
func viaBodies(msg *sipmsg.Msg) (out [][]viaParam, ok bool) {
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is("via") {
			continue
		}
		at, body := rawBody(msg, h)
		for _, seg := range sipmsg.ListSpans(body) {
			text := body[seg[0]:seg[1]]
			v, err := sipmsg.ParseVia(text)
			if err != nil {
				return nil, false
			}
			out = append(out, viaParams(text, at+seg[0], v.HostEnd()))
		}
	}
	return out, true
}

func isViaSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// viaParams reads the ';' parameters of a via-parm after its sent-by
// (from hostEnd in text, which is at off in the message). A parameter
// with a value is removed up to the end of the value (its closing quote
// included); one without, or with an empty value, up to the end of its
// name, as Kamailio's via_param_rm removes it.
func viaParams(text string, off, hostEnd int) []viaParam {
	var out []viaParam
	i := hostEnd
	skip := func() {
		for i < len(text) && isViaSpace(text[i]) {
			i++
		}
	}
	for {
		skip()
		if i >= len(text) || text[i] != ';' {
			return out
		}
		p := viaParam{semi: off + i}
		i++
		skip()
		ns := i
		for i < len(text) && !strings.ContainsRune(";=, \t\r\n", rune(text[i])) {
			i++
		}
		p.name = text[ns:i]
		p.end = off + i
		skip()
		if i < len(text) && text[i] == '=' {
			i++
			skip()
			if i < len(text) && text[i] == '"' {
				vs := i + 1
				ve := strings.IndexByte(text[vs:], '"')
				if ve < 0 {
					return out
				}
				ve += vs
				if ve > vs {
					p.end = off + ve + 1
				}
				i = ve + 1
			} else {
				vs := i
				for i < len(text) && !strings.ContainsRune("; ,\t\r\n", rune(text[i])) {
					i++
				}
				if i > vs {
					p.end = off + i
				}
			}
		}
		if p.name != "" {
			out = append(out, p)
		}
	}
}
