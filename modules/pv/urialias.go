package pv

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The urialias transformation class: {urialias.encode} turns a SIP URI
// into the host~port~proto form of an alias parameter, {urialias.decode}
// turns that back into a URI. A value that does not convert gives "" (with
// a warning), as in Kamailio.

// uriAliasEncode is host~port~proto; the port defaults to 5060 (5061 for
// TLS) and the protocol to 1 (UDP).
func uriAliasEncode(s string) (string, bool) {
	u, err := sipmsg.ParseURI(s)
	if err != nil {
		return "", false
	}
	proto := u.Proto()
	port := u.Port
	if port == "" {
		port = "5060"
		if proto == sipmsg.ProtoTLS || proto == sipmsg.ProtoWSS {
			port = "5061"
		}
	}
	if proto == sipmsg.ProtoNone {
		proto = sipmsg.ProtoUDP
	}
	return u.Host + "~" + port + "~" + string(rune('0'+proto)), true
}

// uriAliasDecode turns host~port~proto into sip:host:port, with
// ;transport= for protocols other than UDP. Kamailio 5.6.3 returns its
// whole work buffer when there are fewer than two '~'; kamgo returns the
// text converted so far.
func uriAliasDecode(s string) (string, bool) {
	host, rest, ok := strings.Cut(s, "~")
	if !ok {
		return "sip:" + s, true
	}
	port, proto, ok := strings.Cut(rest, "~")
	if !ok {
		return "sip:" + host + ":" + rest, true
	}
	if proto == "" {
		return "", false
	}
	n := int(proto[0]) - '0'
	if n == sipmsg.ProtoNone || n == sipmsg.ProtoUDP {
		return "sip:" + host + ":" + port, true
	}
	name := sipmsg.ProtoName(n, false)
	if name == "" {
		return "", false
	}
	return "sip:" + host + ":" + port + ";transport=" + name, true
}

func aliasOp(f func(s string) (string, bool)) opSpec {
	return simple(func(s string) (value.Value, error) {
		if s == "" {
			return value.NullValue, errTrans
		}
		out, ok := f(s)
		if !ok {
			return value.MakeStr(""), nil
		}
		return value.MakeStr(out), nil
	})
}

var urialiasOps = map[string]opSpec{
	"encode": aliasOp(uriAliasEncode),
	"decode": aliasOp(uriAliasDecode),
}
