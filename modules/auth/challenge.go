package auth

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Challenge flags (the second argument of the challenge functions).
const (
	chQOPAuth    = 1  // qop="auth"
	chQOPAuthInt = 2  // qop="auth-int" (wins over 1)
	chNoError    = 4  // no 500 reply when the challenge cannot be made
	chStale      = 16 // stale=true
)

// worker is the worker running c, which picks the nonce id pool (Kamailio
// picks it by process).
func worker(c *event.Context) int {
	if c != nil && c.Worker != nil {
		return c.Worker.ID
	}
	return 0
}

// challengeHeader builds the WWW-Authenticate (proxy false) or
// Proxy-Authenticate header line, CRLF included, with a new nonce for
// msg (nil when there is none) (Kamailio's get_challenge_hf).
func (m *Module) challengeHeader(c *event.Context, msg *sipmsg.Msg, stale bool, realm, qop string, proxy bool) string {
	realm = m.stripRealm(realm)
	name := m.strs["www_challenge_header"]
	if proxy {
		name = m.strs["proxy_challenge_header"]
	}
	var b strings.Builder
	b.WriteString(name + `: Digest realm="` + realm + `", nonce="` + m.newNonce(msg, worker(c)) + `"`)
	if qop != "" {
		b.WriteString(`, qop="` + qop + `"`)
	}
	if stale {
		b.WriteString(", stale=true")
	}
	if a := m.strs["algorithm"]; a != "" {
		b.WriteString(", algorithm=" + a)
	}
	b.WriteString("\r\n")
	return b.String()
}

// flagsQOP is the qop a challenge's flags ask for.
func flagsQOP(flags int64) string {
	switch {
	case flags&chQOPAuthInt != 0:
		return "auth-int"
	case flags&chQOPAuth != 0:
		return "auth"
	}
	return ""
}

// challenge answers the request of c with a 401 (proxy false) or 407
// carrying a challenge (Kamailio's auth_challenge_helper): 1 when sent,
// -3 when the reply could not be sent.
func (m *Module) challenge(c *event.Context, realm string, flags int64, proxy bool) int {
	msg := sipmsg.FromContext(c)
	hf := m.challengeHeader(c, msg, flags&chStale != 0, realm, flagsQOP(flags), proxy)
	code, reason := 401, "Unauthorized"
	if proxy {
		code, reason = 407, "Proxy Authentication Required"
	}
	if m.reply(c, msg, code, reason, hf) < 0 {
		return -3
	}
	return 1
}

// reply sends a reply with an extra header (Kamailio's auth_send_reply):
// statelessly with force_stateless_reply, else as sl's send_reply does
// (through the transaction when the request has one). The header stays
// with the request's reply headers, as Kamailio's reply lump does.
func (m *Module) reply(c *event.Context, msg *sipmsg.Msg, code int, reason, hdr string) int {
	if hdr != "" {
		msg.ReplyHeaders += hdr
	}
	if m.ints["force_stateless_reply"] != 0 {
		return m.sl.SendReply(c, code, reason)
	}
	return m.sl.SendReplyTM(c, code, reason)
}

// internalError is the 500 the challenge functions send when their
// arguments cannot be read, unless flags has chNoError: -1, or -4 when
// even that reply fails.
func (m *Module) internalError(c *event.Context, flags int64) int {
	if flags&chNoError == 0 {
		if m.reply(c, sipmsg.FromContext(c), 500, "Internal Server Error", "") < 0 {
			return -4
		}
	}
	return -1
}

// isOneOf reports whether the request method is one of methods.
func isOneOf(msg *sipmsg.Msg, methods ...string) bool {
	for _, x := range methods {
		if msg.Method == x {
			return true
		}
	}
	return false
}
