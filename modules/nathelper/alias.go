package nathelper

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// handleRURIAlias is handle_ruri_alias([mode]): when the Request-URI has
// an alias parameter (the first, or with mode not 0 the last one), the
// destination URI ($du) becomes the address it encodes and the parameter
// is removed from the Request-URI. 2 when there is none.
func (m *Module) handleRURIAlias(c *event.Context, msg *sipmsg.Msg, mode int64) int {
	cur := msg.RequestURI()
	u, err := sipmsg.ParseURI(cur)
	if err != nil {
		logf(c, klog.Err, "ki_handle_ruri_alias_mode(): while parsing Request-URI")
		return -1
	}
	params := u.Params
	if params == "" {
		return 2
	}
	paramsAt := len(cur) - len(params)
	if u.Headers != "" {
		paramsAt -= len(u.Headers) + 1
	}
	alias := m.alias
	rest, restLen, start := 0, len(params), -1
	for restLen > len(alias)+4 {
		if strings.HasPrefix(params[rest:], alias) {
			start = rest
			if mode == 0 {
				break
			}
			rest += len(alias)
			restLen -= len(alias)
		}
		sep := strings.IndexByte(params[rest:rest+restLen], ';')
		if sep < 0 {
			break
		}
		restLen -= sep + 1
		rest += sep + 1
	}
	if start < 0 {
		return 2
	}
	val := start + len(alias)
	valLen := restLen - len(alias)
	if valLen < 0 {
		valLen = 0
	}
	valEnd := min(val+valLen, len(params))
	t1 := strings.IndexByte(params[val:valEnd], '~')
	if t1 < 0 {
		logf(c, klog.Err, "ki_handle_ruri_alias_mode(): no '~' in alias param value")
		return -1
	}
	port := val + t1 + 1
	// Kamailio writes the ':' of the destination over the '~' in the
	// Request-URI's text itself, where later reads (and the forwarded
	// request) see it even when the function fails further on.
	m.overwriteRURI(msg, cur, paramsAt+val+t1, ':')
	t2 := strings.IndexByte(params[port:valEnd], '~')
	if t2 < 0 {
		logf(c, klog.Err, "ki_handle_ruri_alias_mode(): no second '~' in alias param value")
		return -1
	}
	trans := port + t2
	ipPortLen := trans - val
	du := "sip:" + params[val:val+t1] + ":" + params[port:trans]
	trans++
	if ipPortLen+2 > valLen || trans >= len(params) || params[trans] == ';' || params[trans] == '?' {
		logf(c, klog.Err, "ki_handle_ruri_alias_mode(): no proto in alias param")
		return -1
	}
	proto := int(params[trans]) - '0'
	if proto != sipmsg.ProtoUDP {
		name := protoText(proto)
		if name == "" {
			logf(c, klog.Err, "ki_handle_ruri_alias_mode(): unknown proto in alias param")
			return -1
		}
		du += ";transport=" + name
	}
	if next := trans + 1; ipPortLen+2 < valLen && next < len(params) && params[next] != ';' && params[next] != '?' {
		logf(c, klog.Err, "ki_handle_ruri_alias_mode(): invalid alias param value")
		return -1
	}
	msg.DstURI = du
	aliasLen := len(m.salias) + ipPortLen + 2
	semi := paramsAt + start - 1
	if semi+aliasLen > len(cur) {
		aliasLen = len(cur) - semi
	}
	msg.SetRequestURI(cur[:semi] + cur[semi+aliasLen:])
	return 1
}

// overwriteRURI writes b at offset i of the current Request-URI text cur:
// in the message text when the Request-URI was not rewritten, else in the
// rewritten one.
func (m *Module) overwriteRURI(msg *sipmsg.Msg, cur string, i int, b byte) {
	if msg.NewURI != "" {
		nu := []byte(msg.NewURI)
		nu[i] = b
		msg.NewURI = string(nu)
		return
	}
	at := strings.Index(msg.Buf, " "+cur+" ")
	if at < 0 || at > strings.IndexByte(msg.Buf, '\n') {
		return
	}
	msg.SetBufByte(at+1+i, b)
}
