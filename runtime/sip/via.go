package sip

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The Via kamgo adds to a request it forwards, and what it writes in the
// Via of the request it received, follow Kamailio's msg_translator.c: the
// same parameters in the same places, so that both servers' messages
// compare equal.

// viaLine is the Via header kamgo adds when it sends m from s over proto:
// the advertised host and port (the message's, else the core's, else the
// socket's) or the socket's address, the port left out when it is the
// socket's own 5060, then the branch, the id of the TCP connection m came
// over, and rport when asked for.
func (t *Transport) viaLine(m *sipmsg.Msg, s *socket, proto int, branch string) string {
	var b strings.Builder
	b.WriteString("Via: SIP/2.0/")
	b.WriteString(strings.ToUpper(sipmsg.ProtoName(proto, false)))
	b.WriteByte(' ')
	vf := m.Send.Via()
	host, port := vf.Host, vf.Port
	if host == "" {
		host = vf.AdvAddress
	}
	if port == "" {
		port = vf.AdvPort
	}
	if host == "" {
		host = s.info.AdvIP
	}
	if host == "" {
		host = s.info.IP
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	b.WriteString(host)
	own := false
	if port == "" && s.info.AdvPort != 0 {
		port = strconv.Itoa(s.info.AdvPort)
	}
	if port == "" {
		port, own = s.portText(), true
	}
	if !own || s.info.Port != SIPPort {
		b.WriteByte(':')
		b.WriteString(port)
	}
	if branch != "" {
		b.WriteString(";branch=")
		b.WriteString(branch)
	}
	if m.ConnID != 0 && m.Rcv != nil && m.Rcv.Proto == sipmsg.ProtoTCP {
		b.WriteString(";i=")
		b.WriteString(revHex(uint32(m.ConnID)))
	}
	if m.Send.LocalRport || t.cfg.LocalRport {
		b.WriteString(";rport")
	}
	b.WriteString(vf.Params)
	if vf.VBFlags != 0 {
		b.WriteString(";" + sipmsg.ViaBodyFlagsParam + "=")
		b.WriteString(strconv.FormatUint(uint64(vf.VBFlags), 16))
	}
	b.WriteString("\r\n")
	return b.String()
}

// viaEdits are the changes to the received top Via of a request being
// forwarded (RFC 3261 §18.2.1, RFC 3581): received when the Via's host is
// not the source address or the Via already has received or rport; rport
// with the source port when the Via asks for it or force_rport ran. An
// existing parameter is replaced where it is; a new one goes right after
// sent-by, rport before received. A folded top Via is left alone.
func viaEdits(m *sipmsg.Msg) []sipmsg.Edit {
	v, at, ok := m.TopVia()
	if !ok || at < 0 {
		return nil
	}
	_, _, hasRcvd := v.ParamSpan("received")
	rs, re, hasRport := v.ParamSpan("rport")
	rcvd := hasRcvd || hasRport || !sameHost(m.Src.IP, v.Host)
	rport := m.Send.ForceRport || hasRport
	var edits []sipmsg.Edit
	rportText := ";rport=" + strconv.Itoa(m.Src.Port)
	anchor := at + v.HostEnd()
	if rcvd {
		e := sipmsg.Edit{At: anchor, Text: ";received=" + m.Src.IP}
		if s, end, ok := v.ParamSpan("received"); ok {
			e = sipmsg.Edit{At: at + s, Len: end - s, Text: e.Text}
		}
		if rport && !hasRport {
			e.Text = rportText + e.Text
		}
		edits = append(edits, e)
	} else if rport && !hasRport {
		edits = append(edits, sipmsg.Edit{At: anchor, Text: rportText})
	}
	if hasRport {
		edits = append(edits, sipmsg.Edit{At: at + rs, Len: re - rs, Text: rportText})
	}
	return edits
}

// sameHost reports whether the Via host names the IP address ip, as
// Kamailio compares them without DNS: the same text, IPv6 also in
// brackets and in any case.
func sameHost(ip, host string) bool {
	if strings.Contains(ip, ":") {
		return strings.EqualFold(trimBrackets(host), ip)
	}
	return host == ip
}

// statelessBranch returns the branch parameter of a request forwarded statelessly,
// as Kamailio computes it so that a retransmission gets the same one:
// "z9hG4bK", the transaction's hash slot (of Call-ID and CSeq number), and
// the MD5 of the transaction key (From tag, To tag except for INVITE, ACK
// and CANCEL, Call-ID, the received Request-URI, CSeq number, and the top
// Via's host, port and branch), then branch number 0.
func statelessBranch(m *sipmsg.Msg) (string, error) {
	callID, ok1 := m.Header("call-id")
	cseq, _, ok2 := m.CSeq()
	from, ok3 := m.Header("from")
	to, ok4 := m.Header("to")
	v, _, ok5 := m.TopVia()
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return "", errors.New("can't calculate char_value due to a parsing error")
	}
	fna, err1 := sipmsg.ParseNameAddr(from)
	tna, err2 := sipmsg.ParseNameAddr(to)
	if err1 != nil || err2 != nil {
		return "", errors.New("error while parsing From header")
	}
	ftag, _ := fna.Param("tag")
	ttag, _ := tna.Param("tag")
	switch strings.ToUpper(m.Method) {
	case "INVITE", "ACK", "CANCEL":
		ttag = ""
	}
	vbranch, _ := v.Param("branch")
	h := md5.New()
	for _, s := range []string{ftag, ttag, callID, m.RURI, cseq, v.Host, v.Port, vbranch} {
		h.Write([]byte(strings.Trim(s, " \t\r\n")))
	}
	slot := corehash.Sum(strings.TrimSpace(callID), strings.TrimSpace(cseq), 1<<16)
	return "z9hG4bK" + revHex(slot) + "." + hex.EncodeToString(h.Sum(nil)) + ".0", nil
}

// revHex writes n in hexadecimal, lowest digit first, as Kamailio's
// int2reverse_hex.
func revHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

// parseRevHex reads revHex's text.
func parseRevHex(s string) (uint32, bool) {
	var n uint32
	for i := len(s) - 1; i >= 0; i-- {
		d := strings.IndexByte("0123456789abcdef", s[i]|0x20)
		if d < 0 || len(s) > 8 {
			return 0, false
		}
		n = n<<4 | uint32(d)
	}
	return n, true
}
