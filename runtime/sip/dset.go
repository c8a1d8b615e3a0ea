package sip

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// DestinationSet is the Contact header line (with its CRLF) a redirect
// reply carries, as Kamailio's print_dset writes it: the Request-URI when
// the script changed it, then every branch, each with its q value and, as
// rich (the rich_redirect parameter of sl and tm) asks, its branch flags
// (1) and its Path as a Route header of the URI (2). ok is false when
// there is nothing to list.
func DestinationSet(req *sipmsg.Msg, rich int) (header string, ok bool) {
	var parts []string
	add := func(uri string, q int, path string, flags uint32) {
		var b strings.Builder
		b.WriteString("<" + uri)
		if rich&2 != 0 && path != "" {
			b.WriteString("?Route=" + escapeHeaderValue(path))
		}
		b.WriteString(">")
		if q != sipmsg.QUnspecified {
			b.WriteString(";q=" + sipmsg.QString(q))
		}
		if rich&1 != 0 {
			b.WriteString(";flags=" + strconv.FormatUint(uint64(flags), 10))
		}
		parts = append(parts, b.String())
	}
	if req.NewURI != "" {
		add(req.NewURI, req.RuriQ, req.PathVec, req.RuriFlags)
	}
	for _, br := range req.Branches {
		add(br.URI, br.Q, br.Path, br.Flags)
	}
	if len(parts) == 0 {
		return "", false
	}
	return "Contact: " + strings.Join(parts, ", ") + "\r\n", true
}

// escapeHeaderValue escapes what may not stand in a URI header value.
func escapeHeaderValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9',
			strings.IndexByte("-_.!~*'()[]/:&+$", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(ch)|0x100, 16)[1:]))
		}
	}
	return b.String()
}
