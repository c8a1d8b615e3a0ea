package siputils

import (
	"errors"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Remote-Party-ID from the AVP the rpid_avp parameter names (an
// authentication module's rpid): append_rpid_hf and is_rpid_user_e164.

// rpidValue is the newest value of the rpid AVP when it is a non-empty
// string; fn names the C function, for the log line without an AVP.
func (m *Module) rpidValue(c *event.Context, fn string) (string, bool) {
	if m.rpid == nil {
		logf(c, klog.Err, "%s(): rpid avp not defined", fn)
		return "", false
	}
	v := m.rpid.Get(c)
	if v.K != value.Str || v.S == "" {
		return "", false
	}
	return v.S, true
}

// compileAppendRPID compiles append_rpid_hf() (the prefix and suffix
// parameters) and append_rpid_hf(prefix, suffix), whose arguments are
// taken as written (fixup_str_str).
func (m *Module) compileAppendRPID(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) != 0 && len(args) != 2 {
		return nil, errors.New("append_rpid_hf takes no argument or two")
	}
	if len(args) == 0 {
		return func(c *event.Context) int {
			return m.appendRPID(c, sipmsg.FromContext(c), "append_rpid_hf", m.rpidPrefix, m.rpidSuffix)
		}, nil
	}
	fs, err := literals(h, args)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.appendRPID(c, sipmsg.FromContext(c), "append_rpid_hf_p", fs[0](c), fs[1](c))
	}, nil
}

// appendRPID adds "Remote-Party-ID: PREFIX RPID SUFFIX" after the last
// header.
func (m *Module) appendRPID(c *event.Context, msg *sipmsg.Msg, fn, prefix, suffix string) int {
	rpid, ok := m.rpidValue(c, fn)
	if !ok {
		return -1
	}
	msg.Insert(msg.HeadersEnd(), "Remote-Party-ID: "+prefix+rpid+suffix+"\r\n")
	return 1
}

// isRPIDUserE164: the user of the rpid AVP's URI (a name-addr or a bare
// URI) is an E.164 number.
func (m *Module) isRPIDUserE164(c *event.Context, _ *sipmsg.Msg) int {
	rpid, ok := m.rpidValue(c, "is_rpid_user_e164")
	if !ok {
		return -1
	}
	uri := rpid
	if hasUnquoted(rpid, '<') {
		na, err := sipmsg.ParseNameAddr(rpid)
		if err != nil {
			logf(c, klog.Err, "is_rpid_user_e164(): failed to parse RPID")
			return -1
		}
		uri = na.URI
	}
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		logf(c, klog.Err, "is_rpid_user_e164(): failed to parse RPID URI")
		return -1
	}
	return m.e164(u.UserName())
}

// hasUnquoted reports whether s has ch outside double quotes.
func hasUnquoted(s string, ch byte) bool {
	inq := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"' && (i == 0 || s[i-1] != '\\'):
			inq = !inq
		case !inq && s[i] == ch:
			return true
		}
	}
	return false
}
