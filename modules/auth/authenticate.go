package auth

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Return codes of the authentication functions (Kamailio's
// auth_cfg_result_t).
const (
	authUserMismatch    = -8 // the credentials' user is not the From (To) user
	authNonceReused     = -6 // a one-time nonce came back
	authNoCredentials   = -5 // no credentials for the realm
	authStaleNonce      = -4 // the nonce expired (or its extra checks failed)
	authInvalidPassword = -2 // the response does not match
	authError           = -1 // anything else: malformed credentials, a nonce not ours ...
	authOK              = 1
)

// Authentication flags (the third argument of pv_*_authenticate and
// pv_auth_check).
const (
	afHA1          = 1 // the password argument is HA1
	afChallenge    = 2 // on failure, put a challenge in challenge_attr
	afChallengeQOP = 4 // ... with qop="auth"
	afChallengeInt = 8 // ... with qop="auth-int"
)

// authorizedKey marks, per message, the headers credentials were taken
// from (Kamailio's mark_authorized_cred), for consume_credentials.
var authorizedKey = event.NewKey()

// authorized is what authorizedKey holds: the index in msg.Headers of the
// Authorization and Proxy-Authorization headers used, -1 when none.
type authorized struct {
	msg        *sipmsg.Msg
	www, proxy int
}

func markAuthorized(c *event.Context, msg *sipmsg.Msg, kind string, idx int) {
	a, ok := c.Get(authorizedKey).(*authorized)
	if !ok || a.msg != msg {
		a = &authorized{msg: msg, www: -1, proxy: -1}
		c.Set(authorizedKey, a)
	}
	if kind == wwwAuth {
		a.www = idx
	} else {
		a.proxy = idx
	}
}

// authenticate checks the credentials for realm in the headers of kind
// against passwd (Kamailio's pv_authenticate); method is the method the
// response was computed with.
func (m *Module) authenticate(c *event.Context, msg *sipmsg.Msg, realm, passwd string, flags int64, kind, method string) int {
	ret := m.verify(c, msg, &realm, passwd, flags, kind, method)
	if ret < 0 && flags&(afChallenge|afChallengeQOP|afChallengeInt) != 0 {
		qop := ""
		switch {
		case flags&afChallengeInt != 0:
			qop = "auth-int"
		case flags&afChallengeQOP != 0:
			qop = "auth"
		}
		// Never stale: Kamailio reports a stale nonce before it keeps the
		// credentials the stale mark would be read from.
		hf := m.challengeHeader(c, msg, false, realm, qop, kind == proxyAuth)
		if m.challengeAVP == nil {
			return ret // no pv module: no AVP store (Provision)
		}
		if err := m.challengeAVP.Set(c, value.MakeStr(hf)); err != nil {
			m.logf(errLevel, "pv_authenticate(): Error while creating attribute with challenge")
			return authError
		}
	}
	return ret
}

// verify is the check itself; it leaves realm without realm_prefix, as
// the challenge then strips the prefix once more (as Kamailio does).
func (m *Module) verify(c *event.Context, msg *sipmsg.Msg, realm *string, passwd string, flags int64, kind, method string) int {
	if isOneOf(msg, "ACK", "CANCEL", "PRACK") {
		return authOK
	}
	*realm = m.stripRealm(*realm)
	idx, d, res := findCredentials(msg, *realm, kind)
	switch res {
	case parseError:
		m.log.Log(errLevel, "core", "find_credentials(): error while parsing credentials")
		m.logf(errLevel, "pre_auth(): Error while looking for credentials")
		return authError
	case notFound:
		return authNoCredentials
	}
	markAuthorized(c, msg, kind, idx)
	if !d.complete() {
		m.logf(errLevel, "auth_check_hdr_md5(): Credentials are not filled properly")
		return authError
	}
	switch m.checkNonce(d, msg) {
	case nonceOK:
	case nonceChecks, nonceStale:
		return authStaleNonce
	case nonceReused:
		return authNonceReused
	default:
		return authError
	}
	ha1 := passwd
	if flags&afHA1 == 0 {
		ha1 = m.alg.ha1(d.username, *realm, passwd)
	}
	if len(d.response) != m.alg.hexLen {
		return authError
	}
	authInt := d.qopKind == qopAuthInt
	hBody := ""
	if authInt {
		hBody = m.alg.sum(msg.Body)
	}
	if m.alg.response(ha1, d.nonce, d.nc, d.cnonce, d.qop, authInt, method, d.uri, hBody) != d.response {
		return authInvalidPassword
	}
	if m.ints["add_authinfo_hdr"] != 0 {
		m.addAuthInfo(c, msg, d, ha1, authInt, hBody)
	}
	return authOK
}

// addAuthInfo adds the Authentication-Info header to the replies of an
// authenticated request: the response digest without the method, and
// as next nonce a new one with one-time nonces, else the same.
func (m *Module) addAuthInfo(c *event.Context, msg *sipmsg.Msg, d *digest, ha1 string, authInt bool, hBody string) {
	rspauth := m.alg.response(ha1, d.nonce, d.nc, d.cnonce, d.qop, authInt, "", d.uri, hBody)
	next := d.nonce
	if m.otnOn {
		next = m.newNonce(msg, worker(c))
	}
	msg.ReplyHeaders += `Authentication-Info: nextnonce="` + next + `", qop=` + d.qop +
		`, rspauth="` + rspauth + `", cnonce="` + d.cnonce + `", nc=` + d.nc + "\r\n"
}

// authCheck is pv_auth_check: REGISTER is checked against Authorization,
// anything else against Proxy-Authorization; with checks bit 1 the
// credentials' user must also be the From user (the To user for REGISTER
// and PUBLISH, which must equal the From user, and for PUBLISH the
// Request-URI user; hosts too with use_domain).
func (m *Module) authCheck(c *event.Context, msg *sipmsg.Msg, realm, passwd string, flags, checks int64) int {
	kind := proxyAuth
	if msg.Method == "REGISTER" {
		kind = wwwAuth
	}
	ret := m.authenticate(c, msg, realm, passwd, flags, kind, msg.Method)
	if ret != authOK || checks&1 == 0 {
		return ret
	}
	hdr, ok := msg.Header(proxyAuth)
	if !ok {
		hdr, ok = msg.Header(wwwAuth)
	}
	if !ok {
		if isOneOf(msg, "ACK", "CANCEL", "PRACK") {
			return authOK
		}
		return authError
	}
	user := ""
	if d, r := parseDigest(hdr); r == parsedDigest {
		user = d.user
	}
	from, ok := headerURI(msg, "from")
	if !ok {
		return authError
	}
	uri := from
	regPub := isOneOf(msg, "REGISTER", "PUBLISH")
	var to *sipmsg.URI
	if regPub {
		if to, ok = headerURI(msg, "to"); !ok {
			return authError
		}
		uri = to
	}
	if user != uri.User {
		return authUserMismatch
	}
	if !regPub {
		return authOK
	}
	domain := m.ints["use_domain"] != 0
	if from.User != to.User || domain && from.Host != to.Host {
		return authUserMismatch
	}
	if msg.Method == "PUBLISH" {
		ru, err := sipmsg.ParseURI(msg.RequestURI())
		if err != nil {
			return authError
		}
		if from.User != ru.User || domain && from.Host != ru.Host {
			return authUserMismatch
		}
	}
	return authOK
}

// headerURI parses the URI of a From or To header.
func headerURI(msg *sipmsg.Msg, name string) (*sipmsg.URI, bool) {
	v, ok := msg.Header(name)
	if !ok {
		return nil, false
	}
	na, err := sipmsg.ParseNameAddr(v)
	if err != nil {
		return nil, false
	}
	u, err := sipmsg.ParseURI(na.URI)
	return u, err == nil
}

// hasCredentials reports whether the request carries credentials for
// realm (Proxy-Authorization first, then Authorization): 1 or -1.
func (m *Module) hasCredentials(msg *sipmsg.Msg, realm string) int {
	if _, _, r := findCredentials(msg, realm, proxyAuth); r == found {
		return 1
	}
	if _, _, r := findCredentials(msg, realm, wwwAuth); r == found {
		return 1
	}
	return -1
}

// consume removes the credentials the last authentication used from the
// request (an Authorization header before a Proxy-Authorization one): 1,
// or -1 when there are none or for ACK, CANCEL and PRACK.
func (m *Module) consume(c *event.Context, msg *sipmsg.Msg) int {
	if isOneOf(msg, "ACK", "CANCEL", "PRACK") {
		return -1
	}
	idx := -1
	if a, ok := c.Get(authorizedKey).(*authorized); ok && a.msg == msg {
		idx = a.www
		if idx < 0 {
			idx = a.proxy
		}
	}
	if idx < 0 || idx >= len(msg.Headers) {
		m.logf(errLevel, "consume_credentials(): No authorized credentials found (error in scripts)")
		return -1
	}
	h := msg.Headers[idx]
	msg.Remove(h.Start, h.End-h.Start)
	return 1
}
