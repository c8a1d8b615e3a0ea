package nathelper

import (
	"strings"

	"github.com/kamgo/kamgo/modules/nathelper/sdp"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// fix_nated_sdp's flags.
const (
	sdpAddDirection = 0x01 // a=direction:active in each media
	sdpFixMediaIP   = 0x02 // c= addresses
	sdpAddNoRTPP    = 0x04 // nortpproxy_str at the end
	sdpFixOriginIP  = 0x08 // o= addresses
)

// extractBody finds the SDP text of msg as Kamailio's extract_body,
// logging what it logs when there is none.
func extractBody(c *event.Context, msg *sipmsg.Msg, fn string) (string, int, bool) {
	body, at, warn, err := sdp.Extract(msg)
	if warn != "" {
		logf(c, klog.Warn, "check_content_type(): %s", warn)
	}
	if err != nil {
		logf(c, klog.Err, "extract_body(): %s", err.Error())
		return "", 0, false
	}
	return body, at, true
}

// fixNatedSDP is fix_nated_sdp(flags [, ip]): 1 when an address changed,
// 2 when none needed to, -1 on error.
func (m *Module) fixNatedSDP(c *event.Context, msg *sipmsg.Msg, level int64, ip string) int {
	body, at, ok := extractBody(c, msg, "fix_nated_sdp")
	if !ok {
		logf(c, klog.Err, "ki_fix_nated_sdp_ip(): cannot extract body from msg!")
		return -1
	}
	end := at + len(body)
	if level&sdpAddDirection != 0 {
		for i := strings.Index(body, "\r\nm="); i >= 0; {
			next := strings.Index(body[i+4:], "\r\nm=")
			stop := len(body)
			if next >= 0 {
				next += i + 4
				stop = next
			}
			msg.Insert(at+stop, "\r\na=direction:active")
			i = next
		}
	}
	if level&sdpAddNoRTPP != 0 && m.nortp != "" {
		msg.Insert(end, "\r\n"+m.nortp)
	}
	count := 0
	if level&(sdpFixMediaIP|sdpFixOriginIP) != 0 {
		newip := ip
		if newip == "" {
			newip = msg.Src.IP
		}
		lines := []struct {
			head    string
			canOmit bool
		}{{"a=rtcp", true}}
		if level&sdpFixMediaIP != 0 {
			lines = append(lines, struct {
				head    string
				canOmit bool
			}{"c=", false})
		}
		if level&sdpFixOriginIP != 0 {
			lines = append(lines, struct {
				head    string
				canOmit bool
			}{"o=", false})
		}
		for _, l := range lines {
			n := m.replaceSDPIP(c, msg, body, at, l.head, newip, l.canOmit)
			if n < 0 {
				return -1
			}
			count += n
		}
	}
	if count > 0 {
		return 1
	}
	return 2
}

// replaceSDPIP replaces the address of every line starting with head
// (Kamailio's replace_sdp_ip) and returns how many it changed.
func (m *Module) replaceSDPIP(c *event.Context, msg *sipmsg.Msg, body string, at int, head, newip string, canOmit bool) int {
	count, pf1 := 0, 0
	for from := 0; ; {
		line, ip, ipAt, pf, ok := mediaIPLine(body, from, head)
		if line < 0 {
			break
		}
		if !ok {
			if canOmit {
				from = line + len(head)
				continue
			}
			logf(c, klog.Err, "replace_sdp_ip(): no `IP[4|6]' in `%s' field", head)
			return -1
		}
		if pf1 == 0 {
			pf1 = pf
		} else if pf != pf1 {
			logf(c, klog.Err, "replace_sdp_ip(): mismatching address families in '%s' SDP", head)
			return -1
		}
		from = ipAt + len(ip)
		if sdp.IsNullAddr(ip, pf) || ip == newip {
			continue
		}
		if m.ints["append_sdp_oldmediaip"] != 0 {
			attr := "\r\na=oldmediaip:"
			if pf == sdp.IPv6 {
				attr = "\r\na=oldmediaip6:"
			}
			msg.Insert(at+len(body), attr+ip)
		}
		msg.Replace(at+ipAt, len(ip), newip)
		count++
	}
	return count
}

// mediaIPLine finds the next line starting with head from offset from of
// body and its address (Kamailio's nh_extract_mediaip): the token after
// "IP4" or "IP6". line is -1 when there is no such line; ok is false when
// the line has no address.
func mediaIPLine(body string, from int, head string) (line int, ip string, ipAt, pf int, ok bool) {
	line = -1
	for cp := from; cp < len(body); {
		i := strings.Index(body[cp:], head)
		if i < 0 {
			return -1, "", 0, 0, false
		}
		i += cp
		if i == 0 || body[i-1] == '\n' || body[i-1] == '\r' {
			line = i
			break
		}
		cp = i + len(head)
	}
	if line < 0 {
		return -1, "", 0, 0, false
	}
	vStart := line + len(head)
	vEnd := len(body)
	if nl := strings.IndexAny(body[vStart:], "\r\n"); nl >= 0 {
		vEnd = vStart + nl
	}
	next := false
	for i := vStart; i < vEnd; {
		for i < vEnd && (body[i] == ' ' || body[i] == '\t') {
			i++
		}
		j := i
		for j < vEnd && body[j] != ' ' && body[j] != '\t' {
			j++
		}
		if j == i {
			break
		}
		tok := body[i:j]
		if next {
			return line, tok, i, pf, true
		}
		if len(tok) == 3 && tok[:2] == "IP" {
			switch tok[2] {
			case '4':
				next, pf = true, sdp.IPv4
			case '6':
				next, pf = true, sdp.IPv6
			}
		}
		i = j
	}
	return line, "", 0, 0, false
}
