package registrar

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// pathVector joins the request's Path headers with commas (Kamailio's
// build_path_vector); the first hop must be a loose router. With
// path_use_received the received parameter of that hop comes back too.
func (m *Module) pathVector(msg *sipmsg.Msg) (path, received string, ok bool) {
	vals := msg.HeaderValues("path")
	if len(vals) == 0 {
		return "", "", true
	}
	path = strings.Join(vals, ",")
	if len(path)+1 >= maxPath {
		m.log.Logf(errLevel, Name, "build_path_vector(): Overall Path body exceeds max. length of %d", maxPath)
		return "", "", false
	}
	first := sipmsg.SplitList(path)
	if len(first) == 0 {
		m.log.Log(errLevel, Name, "build_path_vector(): failed to parse Path body, no head found")
		return "", "", false
	}
	na, err := sipmsg.ParseNameAddr(first[0])
	if err != nil {
		m.log.Log(errLevel, Name, "build_path_vector(): failed to parse Path body, no head found")
		return "", "", false
	}
	u, err := sipmsg.ParseURI(na.URI)
	if err != nil {
		m.log.Log(errLevel, Name, "build_path_vector(): failed to parse the first Path URI")
		return "", "", false
	}
	if _, lr := u.Param("lr"); !lr {
		m.log.Log(errLevel, Name, "build_path_vector(): first Path URI is not a loose-router, not supported")
		return "", "", false
	}
	if m.ints["path_use_received"] != 0 {
		if r, ok := u.Param("received"); ok {
			dec, ok := unescape(r)
			if !ok {
				m.log.Log(errLevel, Name, "build_path_vector(): unescaping received failed")
				return "", "", false
			}
			received = dec
		}
	}
	return path, received, true
}

// pathDst is where a contact with a Path is sent: the first Path URI, or
// with path_check_local the second when the first is this proxy (then
// path, returned, starts at the second hop; "" dst when no hop is left).
func (m *Module) pathDst(c *event.Context, path string) (dst, rest string, ok bool) {
	hops := sipmsg.SplitList(path)
	if len(hops) == 0 {
		m.log.Log(errLevel, Name, "get_path_dst_uri(): failed to parse Path body no head found")
		return "", "", false
	}
	na, err := sipmsg.ParseNameAddr(hops[0])
	if err != nil {
		m.log.Log(errLevel, Name, "get_path_dst_uri(): failed to parse Path body")
		return "", "", false
	}
	dst, rest = na.URI, path
	if m.ints["path_check_local"] > 0 {
		u, err := sipmsg.ParseURI(dst)
		if err != nil {
			m.log.Log(errLevel, Name, "lookup_helper(): failed to parse the Path URI")
			return "", "", false
		}
		if t := sip.From(c); t != nil && t.Myself(u.Host, 0, sipmsg.ProtoNone) {
			if len(path) > len(dst)+3 {
				rest = path[len(dst)+3:]
				na, err := sipmsg.ParseNameAddr(sipmsg.SplitList(rest)[0])
				if err != nil {
					m.log.Log(errLevel, Name, "lookup_helper(): failed to get second dst_uri for Path")
					return "", "", false
				}
				dst = na.URI
			} else {
				dst = ""
			}
		}
	}
	return dst, rest, true
}

// sockFromRequest is the socket named by the sock_hdr_name header or the
// xavp_cfg "socket" field (Kamailio's get_sock_val), nil when none or
// not a local socket.
func (m *Module) sockFromRequest(c *event.Context, msg *sipmsg.Msg) *sipmsg.Socket {
	var text string
	if h := m.strs["sock_hdr_name"]; h != "" {
		v, ok := msg.Header(h)
		if !ok {
			return nil
		}
		text = strings.TrimSpace(v)
	} else {
		v, ok := m.cfgStr(c, "socket")
		if !ok {
			return nil
		}
		text = v
	}
	if text == "" {
		return nil
	}
	s, err := sip.SocketAt(c, text)
	if err != nil {
		m.log.Logf(errLevel, Name, "get_sock_val(): bad socket <%s> in ", text)
		return nil
	}
	if s == nil {
		m.log.Logf(errLevel, Name, "get_sock_val(): non-local socket <%s>", text)
		return nil
	}
	return s
}

// addSockHdr is add_sock_hdr(name): a header naming the socket the
// request arrived on, added after the last header.
func (m *Module) addSockHdr(c *event.Context, name string) int {
	if name == "" {
		m.log.Log(errLevel, Name, "ki_add_sock_hdr(): invalid header name parameter")
		return -1
	}
	msg := sipmsg.FromContext(c)
	if msg.Rcv == nil {
		m.log.Log(klog.Err, Name, "ki_add_sock_hdr(): the request arrived on no socket")
		return -1
	}
	msg.Insert(msg.HeadersEnd(), name+": "+msg.Rcv.String()+"\r\n")
	return 1
}
