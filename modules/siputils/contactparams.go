package siputils

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// contact_param_encode_alias (Kamailio 6.1) and contact_param_check
// (Kamailio 5.8).

// maxURISize is Kamailio's MAX_URI_SIZE, the buffer the contact encoders
// build a URI in.
const maxURISize = 1024

// aliasParam is the alias parameter as Kamailio writes it by default
// (";alias=ip~port~proto"). nathelper's alias_name renames it in
// Kamailio; kamgo's nathelper keeps that name to itself.
const aliasParam = ";alias="

// coreLogf logs a line of Kamailio's core, which its log shows as <core>.
func coreLogf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, "core", format, args...)
	}
}

// rcvAlias appends the alias parameter of the message's source address
// to uri, as Kamailio's uri_add_rcv_alias: ";alias=IP~PORT~PROTO", an
// IPv6 address in brackets, PROTO the transport's number. ok is false
// when the result would not fit Kamailio's buffer (the size it checks
// counts two bytes for brackets whatever the address).
func rcvAlias(c *event.Context, msg *sipmsg.Msg, uri string) (string, bool) {
	port := strconv.Itoa(msg.Src.Port)
	if n := len(uri) + len(aliasParam) + len(msg.Src.IP) + len(port) + 6; n >= maxURISize-1 {
		coreLogf(c, klog.Err, "uri_add_rcv_alias(): not enough space - new uri len: %d (buf size: %d)", n, maxURISize-1)
		return "", false
	}
	ip := msg.Src.IP
	if sipmsg.IsIPv6(ip) {
		ip = "[" + ip + "]"
	}
	return uri + aliasParam + ip + "~" + port + "~" + string(rune('0'+sipmsg.ProtoNumber(msg.Proto))), true
}

// contactParamEncodeAlias is contact_param_encode_alias(name, addr): as
// contact_param_encode, but the URI encoded in the parameter first gets
// the alias parameter of the message's source address, so that decoding
// it gives a URI that reaches the contact behind its NAT.
func contactParamEncodeAlias(c *event.Context, msg *sipmsg.Msg, a []string) int {
	const fn = "ki_contact_param_encode_helper"
	hs := contactHeaders(msg)
	if len(hs) == 0 {
		return 1
	}
	for _, ct := range contacts(msg, hs[0]) {
		if len(ct.URI) <= 4 {
			continue
		}
		vuri, ok := rcvAlias(c, msg, ct.URI)
		if !ok {
			logf(c, klog.Err, "%s(): failed to add alias to contact uri [%s]", fn, ct.URI)
			return -1
		}
		// Kamailio encodes into a buffer of MAX_URI_SIZE-1 bytes that
		// must also hold the terminating NUL.
		if n := (len(vuri) + 2) / 3 * 4; n >= maxURISize-1 {
			coreLogf(c, klog.Err, "base64url_enc(): not enough output buffer size %d - need %d", maxURISize-1, n+1)
			logf(c, klog.Err, "%s(): failed to encode contact uri [%s] (1)", fn, ct.URI)
			return -1
		}
		enc := strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(vuri)), "=")
		s := a[1] + ";" + a[0] + "=" + enc
		if ct.At == 0 || msg.Buf[ct.At-1] != '<' {
			s = "<" + s + ">"
		}
		if len(s) >= maxURISize {
			logf(c, klog.Err, "%s(): failed to build the new contact for [%s] uri (%d)", fn, ct.URI, len(s))
			return -2
		}
		msg.Replace(ct.At, len(ct.URI), s)
	}
	return 1
}

// contactParamCheck is contact_param_check(name): 1 when a contact URI of
// any Contact header has the parameter (name without case), -1 when none
// has, and 1 without a Contact header. A contact whose URI does not parse
// ends the search with -1; one whose parameters do not parse is skipped.
func contactParamCheck(c *event.Context, msg *sipmsg.Msg, a []string) int {
	if len(contactHeaders(msg)) == 0 {
		return 1
	}
	rc := eachParamContact(c, msg, "ki_contact_param_check", func(ct contactURI) int {
		if _, _, _, ok := paramSpan(ct.URI, a[0]); ok {
			return 1
		}
		return 0
	})
	if rc == 0 {
		return -1
	}
	return rc
}
