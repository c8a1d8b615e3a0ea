package auth

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strings"
)

// A digest client, written from RFC 2617 and RFC 7616 independently of
// the module, to answer the challenges of both servers.

type client struct {
	alg                string // "MD5" or "SHA-256"
	user, realm, pass  string
	method, uri, body  string
	nonce, qop, nc, cn string
	header             string // "Authorization" or "Proxy-Authorization"
	response           string // when set, sent instead of the computed one
	extra              string // more parameters, appended as written
}

func (cl client) h(parts ...string) string {
	var hh hash.Hash = md5.New()
	if cl.alg == "SHA-256" {
		hh = sha256.New()
	}
	hh.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(hh.Sum(nil))
}

// digestResponse is the request-digest the client sends.
func (cl client) digestResponse() string {
	ha1 := cl.h(cl.user, cl.realm, cl.pass)
	ha2 := cl.h(cl.method, cl.uri)
	if cl.qop == "auth-int" {
		ha2 = cl.h(cl.method, cl.uri, cl.h(cl.body))
	}
	if cl.qop != "" {
		return cl.h(ha1, cl.nonce, cl.nc, cl.cn, cl.qop, ha2)
	}
	return cl.h(ha1, cl.nonce, ha2)
}

// line is the credentials header line, without CRLF.
func (cl client) line() string {
	resp := cl.response
	if resp == "" {
		resp = cl.digestResponse()
	}
	name := cl.header
	if name == "" {
		name = "Authorization"
	}
	s := fmt.Sprintf(`%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"`,
		name, cl.user, cl.realm, cl.nonce, cl.uri, resp)
	if cl.alg != "" {
		s += ", algorithm=" + cl.alg
	}
	if cl.qop != "" {
		s += fmt.Sprintf(`, qop=%s, nc=%s, cnonce="%s"`, cl.qop, cl.nc, cl.cn)
	}
	return s + cl.extra
}

var reNonce = regexp.MustCompile(`nonce="([^"]*)"`)

// challengeNonce returns the nonce of the first challenge in a reply.
func challengeNonce(reply string) string {
	if m := reNonce.FindStringSubmatch(reply); m != nil {
		return m[1]
	}
	return ""
}

// makeNonce builds a nonce without extra checks or ids as RFC-style
// servers of Kamailio's kind do: expire and since (big endian), then
// MD5 of both with the secret, in base64.
func makeNonce(secret string, since, expire uint32) string {
	b := make([]byte, 8, 24)
	binary.BigEndian.PutUint32(b, expire)
	binary.BigEndian.PutUint32(b[4:], since)
	sum := md5.Sum(append(append([]byte{}, b...), secret...))
	return base64.StdEncoding.EncodeToString(append(b, sum[:]...))
}
