package sipmsg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A message rebuilt with its changes, or given a new text by the script,
// is parsed again in place, as Kamailio's sip_msg_update_buffer does it
// (textopsx's msg_apply_changes and msg_set_buffer, tm's
// t_msg_apply_changes).

// MaxBuf is Kamailio's BUF_SIZE: a message's new text must be shorter.
const MaxBuf = 65535

// ErrBufTooLarge is ParseUpdate's error for a text of MaxBuf bytes or
// more.
var ErrBufTooLarge = errors.New("new buffer is too large")

// ParseUpdate parses text as a message's new text: refused when it is
// MaxBuf bytes or longer (ErrBufTooLarge), when it does not parse, or
// when its main headers do not (MainHeadersParse). The error's text is
// the line Kamailio's core logs.
func ParseUpdate(text string) (*Msg, error) {
	if len(text) >= MaxBuf {
		return nil, fmt.Errorf("sip_msg_update_buffer(): %w (%d)", ErrBufTooLarge, len(text))
	}
	nm, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("sip_msg_update_buffer(): parsing new sip message failed [[%s]]", text)
	}
	if !MainHeadersParse(nm) {
		return nil, fmt.Errorf("sip_msg_update_buffer(): parsing main headers of new sip message failed [[%s]]", text)
	}
	return nm, nil
}

// Reparse makes m the freshly parsed nm (ParseUpdate) while keeping what
// belongs to the event rather than to the text, as Kamailio's
// sip_msg_update_buffer keeps it: the message number, where it came from
// and on which socket, the forced socket, the destination URI, the path
// vector, the advertised address and the send flags. The destination set
// (the Request-URI's q and branch flags, the other branches) is not part
// of Kamailio's message and stays too. The changes are applied (no new
// Request-URI, no edits, no headers for local replies: Kamailio frees its
// reply lumps with the old message) and the location attributes that
// lookup sets (ruid, user agent, instance, reg-id, outbound connection)
// are cleared, as Kamailio's free_sip_msg clears them.
func (m *Msg) Reparse(nm *Msg) {
	old := *m
	*m = *nm
	m.ID = old.ID
	m.Src, m.Dst, m.Proto = old.Src, old.Dst, old.Proto
	m.Rcv, m.ConnID = old.Rcv, old.ConnID
	m.ForceSocket = old.ForceSocket
	m.DstURI = old.DstURI
	m.PathVec = old.PathVec
	m.Send = old.Send
	m.RuriQ, m.RuriFlags, m.Branches = old.RuriQ, old.RuriFlags, old.Branches
	m.Out = old.Out
}

// MainHeadersParse reports whether the To and CSeq headers of m parse, as
// Kamailio checks them when it parses the main headers of a message it
// rebuilt with its changes (msg_apply_changes and the like).
func MainHeadersParse(m *Msg) bool {
	if v, ok := m.Header("to"); ok {
		if _, err := ParseNameAddr(v); err != nil {
			return false
		}
	}
	if _, ok := m.Header("cseq"); ok {
		num, method, _ := m.CSeq()
		if _, err := strconv.ParseUint(num, 10, 32); err != nil || method == "" || strings.ContainsAny(method, " \t") {
			return false
		}
	}
	return true
}
