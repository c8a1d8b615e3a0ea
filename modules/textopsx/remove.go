package textopsx

import (
	"regexp"
	"strconv"

	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) compileRemoveBody(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return removeBody(sipmsg.FromContext(c)) }, nil
}

// removeBody is remove_body(): the body removed (the rebuilt message's
// Content-Length follows); a message without a body succeeds.
func removeBody(msg *sipmsg.Msg) int {
	start := msg.BodyStart()
	if start < len(msg.Buf) {
		msg.Remove(start, len(msg.Buf)-start)
	}
	return 1
}

func (m *Module) compileKeepHF(_ module.Host, args []*module.Arg) (module.Call, error) {
	var re *regexp.Regexp
	if len(args) == 1 {
		s, ok := args[0].Literal()
		if !ok {
			if n, isInt := args[0].IntLiteral(); isInt {
				s, ok = strconv.FormatInt(n, 10), true
			}
		}
		if !ok {
			return nil, fixupErr("fixup_regexp_null", "the regular expression must be a constant")
		}
		var err error
		if re, err = ere.Compile(s, true); err != nil {
			return nil, fixupErr("fixup_regexp_null", "bad regular expression %q: %v", s, err)
		}
	}
	return func(c *event.Context) int { return keepHF(sipmsg.FromContext(c), re) }, nil
}

// keptHeaders are the headers keep_hf never removes.
var keptHeaders = map[string]bool{
	"from": true, "to": true, "call-id": true, "cseq": true, "via": true, "contact": true,
	"content-length": true, "content-type": true, "route": true, "record-route": true,
	"max-forwards": true,
}

// keepHF is keep_hf([re]): every header but the kept ones whose name (as
// written) does not match re, or every one without re, is removed. It
// returns -1 whatever it removed, as Kamailio's does.
func keepHF(msg *sipmsg.Msg, re *regexp.Regexp) int {
	for _, h := range msg.Headers {
		if keptHeaders[sipmsg.CanonName(h.Name)] {
			continue
		}
		if re == nil || !re.MatchString(h.Name) {
			msg.Remove(h.Start, h.End-h.Start)
		}
	}
	return -1
}
