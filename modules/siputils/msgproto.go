package siputils

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// is_sip, is_http (Kamailio 6.0): which protocol the first line of the
// message names, as Kamailio's first-line parser flags it.

// hasPrefixFold reports whether s starts with prefix, without case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// firstLineProto tells whether the first line of msg names SIP or HTTP. A
// request is SIP when its version starts with SIP/2.0 and HTTP when it
// starts with HTTP/1. or HTTP/2; a reply's version must be one of SIP/2.0,
// HTTP/1.0, HTTP/1.1 or HTTP/2. Case does not matter.
func firstLineProto(msg *sipmsg.Msg) (sip, http bool) {
	v := msg.Version
	if msg.IsRequest() {
		if hasPrefixFold(v, "SIP/2.0") {
			return true, false
		}
		return false, hasPrefixFold(v, "HTTP/1.") || hasPrefixFold(v, "HTTP/2")
	}
	if v == "" || strings.EqualFold(v, "SIP/2.0") {
		// A reply kamgo parsed without a version is a SIP one.
		return true, false
	}
	return false, strings.EqualFold(v, "HTTP/1.0") || strings.EqualFold(v, "HTTP/1.1") || strings.EqualFold(v, "HTTP/2")
}

func isSIP(_ *event.Context, msg *sipmsg.Msg) int {
	if sip, _ := firstLineProto(msg); sip {
		return 1
	}
	return -1
}

func isHTTP(_ *event.Context, msg *sipmsg.Msg) int {
	if _, http := firstLineProto(msg); http {
		return 1
	}
	return -1
}

// sipParseHeaders is sip_parse_headers() (Kamailio 6.0): 1 when every
// header of the message parses. kamgo parses a message's headers to
// their end before the script sees it, and refuses one whose headers do
// not parse, so a message the script has always passes.
func sipParseHeaders(_ *event.Context, _ *sipmsg.Msg) int { return 1 }
