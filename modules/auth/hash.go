package auth

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// algorithm is a digest hash: MD5 (RFC 2617) or SHA-256 (RFC 7616).
type algorithm struct {
	name   string // as the algorithm parameter writes it, "" for MD5 by default
	new    func() hash.Hash
	hexLen int
}

var (
	algMD5    = &algorithm{name: "MD5", new: md5.New, hexLen: 32}
	algSHA256 = &algorithm{name: "SHA-256", new: sha256.New, hexLen: 64}
)

// sum hashes the parts joined by colons and returns lower-case hex.
func (a *algorithm) sum(parts ...string) string {
	h := a.new()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{':'})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ha1 is H(username:realm:password).
func (a *algorithm) ha1(username, realm, password string) string {
	return a.sum(username, realm, password)
}

// response is the request-digest of RFC 2617 3.2.2.1: with a qop value
// (any, even one not understood) nc, cnonce and qop enter it; with
// auth-int H(A2) covers hBody, the hash of the message body.
func (a *algorithm) response(ha1, nonce, nc, cnonce, qop string, authInt bool, method, uri, hBody string) string {
	var ha2 string
	if authInt {
		ha2 = a.sum(method, uri, hBody)
	} else {
		ha2 = a.sum(method, uri)
	}
	if qop != "" {
		return a.sum(ha1, nonce, nc, cnonce, qop, ha2)
	}
	return a.sum(ha1, nonce, ha2)
}
