package siputils

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func isRequest(_ *event.Context, msg *sipmsg.Msg) int {
	if msg.IsRequest() {
		return 1
	}
	return -1
}

func isReply(_ *event.Context, msg *sipmsg.Msg) int {
	if msg.IsRequest() {
		return -1
	}
	return 1
}

// hasToTag: 1 when the To header has a non-empty tag.
func hasToTag(c *event.Context, msg *sipmsg.Msg) int {
	to, ok := msg.Header("to")
	if !ok {
		logf(c, klog.Err, "has_totag(): no To")
		return -1
	}
	na, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		logf(c, klog.Err, "has_totag(): To parsing failed")
		return -1
	}
	if tag, _ := na.Param("tag"); tag == "" {
		return -1
	}
	return 1
}

// uriParams parses the current Request-URI and splits its parameters
// into name and value pairs; ok is false when it does not parse. valid
// is false when Kamailio's parameter parser refuses the list.
func uriParams(msg *sipmsg.Msg) (u *sipmsg.URI, params [][2]string, ok, valid bool) {
	u, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		return nil, nil, false, false
	}
	return u, splitParams(u.Params), true, paramsValid(u.Params)
}

// paramsValid reports whether Kamailio's parse_params accepts a
// parameter list: a parameter with '=' and no value is accepted only at
// the end of the list.
func paramsValid(s string) bool {
	ps := splitParams(s)
	for i, p := range ps {
		if i < len(ps)-1 && p[1] == "" && strings.Contains(strings.Split(s, ";")[i], "=") {
			return false
		}
	}
	return true
}

// uriParam is uri_param(name[, value]): the first Request-URI parameter
// with that name (with case) has the value, or, without one, no value.
func uriParam(c *event.Context, msg *sipmsg.Msg, a []string) int {
	_, params, ok, valid := uriParams(msg)
	if !ok {
		logf(c, klog.Err, "ki_uri_param_value(): ruri parsing failed")
		return -1
	}
	if !valid {
		logf(c, klog.Err, "ki_uri_param_value(): ruri parameter parsing failed")
		return -1
	}
	for _, p := range params {
		if p[0] != a[0] {
			continue
		}
		if len(a) == 2 && p[1] == a[1] || len(a) == 1 && p[1] == "" {
			return 1
		}
		return -1
	}
	return -1
}

// uriParamAny is uri_param_any(name): the Request-URI has a parameter
// of that name (without case), with or without a value.
func uriParamAny(c *event.Context, msg *sipmsg.Msg, a []string) int {
	_, params, ok, valid := uriParams(msg)
	if !ok {
		logf(c, klog.Err, "ki_uri_param_any(): failed to parse r-uri [%s]", msg.RequestURI())
		return -1
	}
	if len(params) > 0 && !valid {
		logf(c, klog.Err, "ki_uri_param_any(): ruri parameter parsing failed")
		return -1
	}
	for _, p := range params {
		if strings.EqualFold(p[0], a[0]) {
			return 1
		}
	}
	return -1
}

// uriParamRm is uri_param_rm(name): the first parameter of that name
// (without case) is removed from the Request-URI; 1 also when there is
// none.
func uriParamRm(c *event.Context, msg *sipmsg.Msg, a []string) int {
	u, params, ok, valid := uriParams(msg)
	if !ok {
		logf(c, klog.Err, "ki_uri_param_rm(): failed to parse r-uri [%s]", msg.RequestURI())
		return -1
	}
	if len(params) > 0 && !valid {
		logf(c, klog.Err, "ki_uri_param_rm(): ruri parameter parsing failed")
		return -1
	}
	parts := strings.Split(u.Params, ";")
	for i, p := range params {
		if strings.EqualFold(p[0], a[0]) {
			parts = append(parts[:i], parts[i+1:]...)
			u.Params = strings.Join(parts, ";")
			msg.SetRequestURI(u.String())
			return 1
		}
	}
	return 1
}

// addURIParam is add_uri_param(param): ";param" appended to the
// Request-URI's parameters.
func addURIParam(c *event.Context, msg *sipmsg.Msg, a []string) int {
	if a[0] == "" {
		return 1
	}
	u, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		logf(c, klog.Err, "ki_add_uri_param(): ruri parsing failed")
		return -1
	}
	if u.Headers == "" {
		msg.SetRequestURI(msg.RequestURI() + ";" + a[0])
		return 1
	}
	if u.Params != "" {
		u.Params += ";"
	}
	u.Params += a[0]
	msg.SetRequestURI(u.String())
	return 1
}

func isURI(_ *event.Context, _ *sipmsg.Msg, a []string) int {
	if _, err := sipmsg.ParseURI(a[0]); err != nil {
		return -1
	}
	return 1
}

// e164 reports whether s is '+' and digits, at least 3 bytes and at most
// e164_max_len (16 by default: '+' and 2 to 15 digits).
func (m *Module) e164(s string) int {
	if len(s) <= 2 || int64(len(s)) > m.e164MaxLen || s[0] != '+' {
		return -1
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
	}
	return 1
}

func (m *Module) isE164(_ *event.Context, s string) int { return m.e164(s) }

// isURIUserE164: the text between the first ':' and the next '@' is an
// E.164 number.
func (m *Module) isURIUserE164(c *event.Context, s string) int {
	_, rest, ok := strings.Cut(s, ":")
	if !ok {
		logf(c, klog.Err, "is_uri_user_e164(): parsing URI failed")
		return -1
	}
	user, _, ok := strings.Cut(rest, "@")
	if !ok {
		return -1
	}
	return m.e164(user)
}

// isTelNumber: digits, optionally after '+' and a non-zero digit; -2
// otherwise.
func isTelNumber(_ *event.Context, _ *sipmsg.Msg, a []string) int {
	s := a[0]
	if s == "" {
		return -2
	}
	i := 0
	if s[0] == '+' {
		if len(s) < 2 || s[1] < '1' || s[1] > '9' {
			return -2
		}
		i = 2
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -2
		}
	}
	return 1
}

func isNumeric(_ *event.Context, _ *sipmsg.Msg, a []string) int {
	if a[0] == "" {
		return -2
	}
	for i := 0; i < len(a[0]); i++ {
		if a[0][i] < '0' || a[0][i] > '9' {
			return -2
		}
	}
	return 1
}

func alnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

// isAlphanum: ASCII letters and digits only; -2 for "", -3 otherwise.
func isAlphanum(c *event.Context, msg *sipmsg.Msg, a []string) int {
	return isAlphanumex(c, msg, []string{a[0], ""})
}

// isAlphanumex: ASCII letters, digits and the bytes of the second
// argument only.
func isAlphanumex(_ *event.Context, _ *sipmsg.Msg, a []string) int {
	if a[0] == "" {
		return -2
	}
	for i := 0; i < len(a[0]); i++ {
		if !alnum(a[0][i]) && strings.IndexByte(a[1], a[0][i]) < 0 {
			return -3
		}
	}
	return 1
}

// isUser is is_user(user): the user of the credentials an earlier
// www_authorize or proxy_authorize accepted is user. kamgo runs no auth
// module, so no credentials of a message are ever authorized, and
// is_user fails as Kamailio's does before either ran.
func isUser(c *event.Context, _ *sipmsg.Msg, _ []string) int {
	logf(c, klog.Err, "ki_is_user(): no authorized credentials found (error in scripts)")
	logf(c, klog.Err, "ki_is_user(): Call {www,proxy}_authorize before calling is_user function !")
	return -1
}
