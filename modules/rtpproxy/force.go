package rtpproxy

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/modules/nathelper/sdp"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// force asks the proxy for the relay of each media stream of the SDP and
// rewrites the stream's port, RTCP port and connection address (and the
// session's origin address) with its answer: Kamailio's force_rtp_proxy.
// offer chooses U (create) or L (lookup); newip is the address written
// when the proxy answers without one (the local address the message
// arrived on) or, with forced, always. 1 done, -1 error, -2 the SDP was
// already proxied (a=nortpproxy) and f was not given, -3 no proxy.
func (m *Module) force(c *event.Context, msg *sipmsg.Msg, flags, newip string, offer, forced bool) int {
	opts := []byte{'?'}
	var repOpts []byte
	flookup, forceFl, real, orgip, commip, autobridge, extra := false, false, false, false, false, false, false
	via := 0
	for i := 0; i < len(flags); i++ {
		switch ch := flags[i]; ch {
		case '1', '2', '3':
			viaOption(ch, msg, &via)
		case 'a', 'A':
			opts = append(opts, 'A')
			real = true
		case 'b':
			extra = true
		case 'i', 'I':
			opts = append(opts, 'I')
		case 'e', 'E':
			opts = append(opts, 'E')
		case 'l', 'L':
			if !offer {
				return -1
			}
			flookup = true
		case 'f', 'F':
			forceFl = true
		case 'r', 'R':
			real = true
		case 'c', 'C':
			commip = true
		case 'o', 'O':
			orgip = true
		case 'x', 'X':
			autobridge = true
		case 'w', 'W':
			opts = append(opts, 'S')
		case 'z', 'Z':
			repOpts = append(repOpts, 'Z')
			for i+1 < len(flags) && flags[i+1] >= '0' && flags[i+1] <= '9' {
				i++
				repOpts = append(repOpts, flags[i])
			}
		case 't', 'T':
		default:
			logf(c, klog.Err, "force_rtp_proxy(): unknown option `%c'", ch)
			return -1
		}
	}
	_ = orgip // the o= address is always rewritten, as in Kamailio
	create := offer
	body, bodyAt, warn, err := sdp.Extract(msg)
	if warn != "" {
		logf(c, klog.Warn, "check_content_type(): %s", warn)
	}
	if err != nil {
		logf(c, klog.Err, "extract_body(): %s", err.Error())
		logf(c, klog.Err, "force_rtp_proxy(): can't extract body from the message")
		return -1
	}
	k, ok := callOf(c, msg, "force_rtp_proxy")
	if !ok {
		return -1
	}
	callidSuffix := ""
	if via != 0 {
		b, ok := viaBranch(msg, via)
		if !ok {
			logf(c, klog.Err, "force_rtp_proxy(): can't get Via branch")
			return -1
		}
		callidSuffix = ";" + b
	} else if extra {
		if id, ok := m.extraIDOf(c); ok {
			callidSuffix = ";" + id
		}
	}
	fromTag, toTag := k.fromTag, k.toTag
	switch {
	case flookup:
		if toTag == "" {
			return -1
		}
		if msg.IsRequest() {
			fromTag, toTag = toTag, fromTag
		}
		create = false
	case (!msg.IsRequest() && offer) || (msg.IsRequest() && !offer):
		if toTag == "" {
			return -1
		}
		fromTag, toTag = toTag, fromTag
	}
	proxied := false
	if m.nortp != "" {
		for cp := 0; len(body)-cp >= len(m.nortp); {
			i := strings.Index(body[cp:], m.nortp)
			if i < 0 {
				break
			}
			i += cp
			if i > 0 && (body[i-1] == '\n' || body[i-1] == '\r') {
				proxied = true
				break
			}
			cp = i + len(m.nortp)
		}
	}
	if proxied && !forceFl {
		return -2
	}
	sd, err := sdp.FromMsg(msg)
	if err != nil {
		logf(c, klog.Err, "force_rtp_proxy(): Unable to parse sdp")
		return -1
	}
	set := m.setFor(c, msg)
	if create {
		opts[0] = 'U'
	} else {
		opts[0] = 'L'
	}
	icePrio := int64(0)
	if m.iceAVP != nil {
		icePrio = 2
		if v := m.iceAVP.Get(c); !v.IsNull() {
			n := v.I
			if v.K == value.Str {
				n = int64(atoi(v.S))
			}
			if n < 0 || n > 2 {
				logf(c, klog.Err, "force_rtp_proxy(): invalid ice candidate priority value %d", n)
				return -1
			}
			icePrio = n
		}
	}
	sess := sd.Session
	if len(sess.Streams) == 0 {
		logf(c, klog.Err, "force_rtp_proxy(): sdp w/o streams")
		return -1
	}
	medianum := 0
	c1Altered := false
	oDone := false
	for _, st := range sess.Streams {
		if icePrio != 0 && st.RemoteCands {
			break
		}
		oldip, pf := st.IP, st.PF
		if !st.IP.Present() {
			oldip, pf = sess.IP, sess.PF
		}
		medianum++
		nip, npf := msg.Src.IP, sdp.IPv4
		if sipmsg.IsIPv6(msg.Src.IP) {
			npf = sdp.IPv6
		}
		if real {
			nip, npf = oldip.Text, pf
		}
		if pf == sdp.IPv6 {
			if autobridge {
				opts = append(opts, 'E', 'I')
				autobridge = false
			}
			opts = append(opts, '6')
		} else if autobridge {
			opts = append(opts, 'I', 'E')
			autobridge = false
		}
		num := strconv.Itoa(medianum)
		var reply string
		for {
			n := m.selectNode(set, k.callid, true)
			if n == nil {
				logf(c, klog.Err, "force_rtp_proxy(): no available proxies")
				return -3
			}
			m.setInst(c, n)
			var cmd strings.Builder
			cmd.Write(opts)
			if len(repOpts) > 0 {
				if !n.rep {
					logf(c, klog.Warn, "force_rtp_proxy(): re-packetization is requested but is not supported by the selected RTP proxy node")
				} else {
					cmd.Write(repOpts)
				}
			}
			if st.IsRTP && st.Payloads != "" && n.ptl {
				cmd.WriteString(payloadList(st.Payloads))
			}
			cmd.WriteString(" " + k.callid + callidSuffix + " " + nip + " " + st.Port.Text + " " + fromTag + ";" + num)
			if toTag != "" {
				cmd.WriteString(" " + toTag + ";" + num)
			}
			switch ts := m.strs["timeout_socket"]; {
			case m.timeoutTag != nil && opts[0] == 'U' && ts != "":
				// From Kamailio 5.8 the timeout socket goes with every
				// create command, followed by the notification tag.
				tag := m.timeoutTag.String(c)
				if tag == "" {
					logf(c, klog.Err, "force_rtp_proxy(): can't get timeout notification tag")
					return -1
				}
				cmd.WriteString(" " + ts + " " + tag)
			case toTag != "" && opts[0] == 'U' && ts != "":
				cmd.WriteString(" " + ts)
			}
			r, ok := m.command(n, cmd.String())
			if ok {
				reply = r
				break
			}
		}
		argv := strings.Fields(reply)
		if len(argv) > 10 {
			argv = argv[:10]
		}
		if len(argv) < 1 {
			logf(c, klog.Err, "force_rtp_proxy(): no reply from rtp proxy")
			return -1
		}
		port := atoi(argv[0])
		if port <= 0 || port > 65535 {
			if port != 0 || !flookup {
				logf(c, klog.Err, "force_rtp_proxy(): incorrect port %d in reply from rtp proxy", port)
			}
			return -1
		}
		switch {
		case len(argv) == 2:
			npf = sdp.IPv4
		case len(argv) >= 3:
			npf = sdp.IPv4
			if argv[2][0] == '6' {
				npf = sdp.IPv6
			}
		}
		switch {
		case sdp.IsNullAddr(oldip.Text, pf):
			nip = "0.0.0.0"
			if npf == sdp.IPv6 {
				nip = "::"
			}
		case forced || len(argv) < 2:
			nip = newip
		default:
			nip = argv[1]
		}
		newport := strconv.Itoa(port)
		if st.Port.Text != "0" && st.Port.Text != newport {
			msg.Replace(st.Port.At, len(st.Port.Text), newport)
		}
		if st.RTCPPort.Present() {
			if rtcp := strconv.Itoa(port + 1); rtcp != st.RTCPPort.Text {
				msg.Replace(st.RTCPPort.At, len(st.RTCPPort.Text), rtcp)
			}
		}
		if icePrio != 0 && st.Candidates > 0 {
			msg.Insert(st.FirstCandidate, candidates(nip, port, icePrio))
		}
		if st.IP.Present() || !c1Altered {
			alterIP(msg, oldip, pf, nip, npf)
			if !st.IP.Present() {
				c1Altered = true
			}
		}
		if commip && sess.IP.Present() && !c1Altered {
			alterIP(msg, sess.IP, sess.PF, nip, npf)
			c1Altered = true
		}
		if !oDone && sess.OIP.Present() {
			alterIP(msg, sess.OIP, sess.OPF, nip, npf)
			oDone = true
		}
	}
	if !proxied && m.nortp != "" {
		msg.Insert(bodyAt+len(body), "\r\n"+m.nortp)
	}
	return 1
}

// alterIP replaces an SDP address (Kamailio's alter_mediaip without
// preserving the old one): nothing for the null address of the same
// family or the same text; with another family the "IP4"/"IP6" digit
// changes too.
func alterIP(msg *sipmsg.Msg, old sdp.Field, oldpf int, newip string, newpf int) {
	if oldpf == newpf && sdp.IsNullAddr(old.Text, oldpf) {
		return
	}
	if old.Text == newip {
		return
	}
	if oldpf == newpf {
		msg.Replace(old.At, len(old.Text), newip)
		return
	}
	at := old.At
	for at > 0 {
		at--
		if msg.Buf[at] == '4' || msg.Buf[at] == '6' {
			break
		}
	}
	digit := "4 "
	if newpf == sdp.IPv6 {
		digit = "6 "
	}
	msg.Replace(at, old.At+len(old.Text)-at, digit+newip)
}

// payloadList is the c option of a command: the stream's payload types,
// comma separated.
func payloadList(payloads string) string {
	b := []byte{'c'}
	for i := 0; i < len(payloads); i++ {
		if payloads[i] >= '0' && payloads[i] <= '9' {
			b = append(b, payloads[i])
			continue
		}
		for i < len(payloads) && !(payloads[i] >= '0' && payloads[i] <= '9') {
			i++
		}
		if i >= len(payloads) {
			break
		}
		b = append(b, ',')
		i--
	}
	return string(b)
}

// candidates are the ICE relay candidates added before a stream's first
// candidate (RTCP first, then RTP), with priority 1 or 2 of
// ice_candidate_priority_avp.
func candidates(ip string, port int, prio int64) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, ip)
	p2, p1 := "2197815294 ", "2197815295 "
	if prio == 2 {
		p2, p1 = "16777214 ", "16777215 "
	}
	return "a=candidate:" + digits + " 2 UDP " + p2 + ip + " " + strconv.Itoa(port+1) + " typ relay\r\n" +
		"a=candidate:" + digits + " 1 UDP " + p1 + ip + " " + strconv.Itoa(port) + " typ relay\r\n"
}
