package registrar

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// buildContact prepares the Contact header of save's reply: every binding
// of r that has not expired, each with its q, its remaining time as
// expires, its received address, its GRUUs (when the request supports
// them), +sip.instance and reg-id (Kamailio's build_contact). With no
// binding there is no header. With xavp_rcd each binding also goes into
// that XAVP.
func (s *saveCall) buildContact(r *usrloc.Record) {
	m := s.m
	gruu := false
	if sup, ok := optionTags(s.msg, "supported"); ok && sup["gruu"] {
		gruu = true
	}
	var b strings.Builder
	for _, c := range r.Contacts {
		if !c.Valid(s.now) {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("Contact: ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString("<" + c.URI + ">")
		if c.Q != sipmsg.QUnspecified {
			b.WriteString(";q=" + sipmsg.QString(c.Q))
		}
		b.WriteString(";expires=" + strconv.FormatInt(c.Expires-s.now, 10))
		if rp := m.strs["received_param"]; rp != "" && c.Received != "" {
			b.WriteString(";" + rp + "=\"" + c.Received + "\"")
		}
		if m.ints["gruu_enabled"] == 1 && c.Instance != "" && gruu {
			b.WriteString(";pub-gruu=\"sip:")
			if strings.Contains(c.AOR, "@") {
				b.WriteString(c.AOR)
			} else {
				b.WriteString(c.AOR + "@" + s.toHost)
			}
			b.WriteString(";gr=" + trimAngles(c.Instance) + "\"")
			b.WriteString(";temp-gruu=\"sip:" + c.Ruid + "-" + hashDigits(r.Hash) + "@" + s.toHost + ";gr\"")
		}
		if c.Instance != "" {
			b.WriteString(";+sip.instance=\"" + c.Instance + "\"")
		}
		if c.RegID > 0 {
			b.WriteString(";reg-id=" + strconv.FormatUint(uint64(c.RegID), 10))
		}
		if m.strs["xavp_rcd"] != "" {
			m.xavpRcd(s.c, c)
		}
	}
	if b.Len() == 0 {
		s.st.contact = ""
		return
	}
	b.WriteString("\r\n")
	s.st.contact = b.String()
}

// hashDigits writes an AOR hash as a temporary GRUU carries it: hex
// digits, lowest first.
func hashDigits(h uint32) string {
	var b []byte
	for h != 0 {
		b = append(b, "0123456789abcdef"[h&0xf])
		h >>= 4
	}
	return string(b)
}

// trimAngles drops the angle brackets around a +sip.instance value.
func trimAngles(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return s[1 : len(s)-1]
	}
	return s
}

// replyHeaders adds the headers of save's reply to the request's reply
// headers and returns the code (Kamailio's reg_reply_helper): the Contact
// header save built, Path and the outbound headers for a success, the
// header an error calls for, P-Registrar-Error for any other code than
// 200 and Retry-After for a 5xx with retry_after.
func (m *Module) replyHeaders(msg *sipmsg.Msg, st *state) int {
	add := func(name, v string) { msg.ReplyHeaders += name + ": " + v + "\r\n" }
	if st.contact != "" {
		msg.ReplyHeaders += st.contact
		st.contact = ""
	}
	sup, hasSup := optionTags(msg, "supported")
	req, _ := optionTags(msg, "require")
	switch st.rerr {
	case rFine:
		if m.ints["use_path"] != 0 && msg.PathVec != "" {
			switch pm := m.ints["path_mode"]; {
			case pm == pathOff:
			case !hasSup && pm == pathStrict:
				st.rerr = rPathUnsup
				add("Unsupported", "path")
				add("Path", msg.PathVec)
			case sup["path"]:
				add("Path", msg.PathVec)
			case pm == pathStrict:
				st.rerr = rPathUnsup
				add("Unsupported", "path")
				add("Path", msg.PathVec)
			}
		}
		flow := func() {
			if ft := m.ints["flow_timer"]; ft > 0 {
				add("Flow-Timer", strconv.FormatInt(ft, 10))
			}
		}
		switch m.ints["outbound_mode"] {
		case outboundRequire:
			add("Require", "outbound")
			add("Supported", "outbound")
			flow()
		case outboundSupported:
			add("Supported", "outbound")
			if req["outbound"] || sup["outbound"] {
				add("Require", "outbound")
				flow()
			}
		}
	case rOBUnsup:
		add("Require", "outbound")
		add("Supported", "outbound")
	case rOBReqd:
		add("Unsupported", "outbound")
	case rLowExp:
		add("Min-Expires", strconv.FormatInt(m.live("min_expires"), 10))
	}
	code := rerrInfo[st.rerr].code
	if code != 200 {
		add("P-Registrar-Error", rerrInfo[st.rerr].text)
		if code >= 500 && m.live("retry_after") != 0 {
			add("Retry-After", strconv.FormatInt(m.live("retry_after"), 10))
		}
	}
	return code
}

// prepareReply adds the reply headers without replying (save with flags
// 0x12).
func (m *Module) prepareReply(msg *sipmsg.Msg, st *state) int {
	m.replyHeaders(msg, st)
	return 0
}

// sendReply replies to the request with the outcome of the last save
// (Kamailio's reg_send_reply): through its transaction when tm has one,
// statelessly otherwise, as sl's send_reply does.
func (m *Module) sendReply(c *event.Context, msg *sipmsg.Msg, st *state) int {
	code := m.replyHeaders(msg, st)
	reason := reasons[code]
	if m.tm != nil {
		if rc, handled := m.tm.ReplyInTransaction(c, code, reason); handled {
			if rc < 0 {
				m.log.Logf(errLevel, Name, "reg_reply_helper(): failed to send %d %s", code, reason)
				return -1
			}
			return 0
		}
	}
	if m.sl.SendReply(c, code, reason) < 0 {
		m.log.Logf(errLevel, Name, "reg_reply_helper(): failed to send %d %s", code, reason)
		return -1
	}
	return 0
}
