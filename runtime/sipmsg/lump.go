package sipmsg

import (
	"sort"
	"strconv"
)

// Changes to a message are recorded the way Kamailio records them, as
// lumps, and applied only when the message is rebuilt (Build, $mbu, a
// forward): the parsed fields, and so later reads in the same route, still
// see the message as received.
//
// Kamailio keeps the lumps of a message in one list sorted by offset; a
// new lump goes after every lump at the same or a lower offset. A lump
// either deletes bytes or deletes nothing (an anchor), and carries text
// written at its place. Before the message is rebuilt the list is made
// free of overlaps: a lump that starts inside what an earlier one deletes
// is moved to the end of that deletion, and what it deletes is cut by as
// much (so a header added where a removed one starts is written after the
// removed one's place, not lost). Rebuilding then copies the text up to
// each lump, writes its text and skips what it deletes.
//
// Msg.Edits is that list: each Edit is one lump with all its text (the
// text Kamailio writes before the place, then the text after it). The
// functions here keep Edits in list order and free of overlaps, so that
// Build, which applies edits in order of offset, rebuilds the message as
// Kamailio does. Text that Kamailio adds to one lump in several calls
// comes out last-added first on each side; callers that add more than one
// text to a place pass them joined in that order.
//
// Kamailio also fixes the Content-Length of a message whose body changed
// when it rebuilds it; fixLength keeps an edit of the Content-Length
// value up to date as body edits are added.

// Insert adds text at offset at of Buf, after what is already added there
// (an anchor with text: Kamailio's anchor_lump with
// insert_new_lump_before or insert_new_lump_after).
func (m *Msg) Insert(at int, text string) { m.addEdit(Edit{At: at, Text: text}) }

// Remove deletes n bytes of Buf from offset at (Kamailio's del_lump).
func (m *Msg) Remove(at, n int) { m.addEdit(Edit{At: at, Len: n}) }

// Replace deletes n bytes of Buf from offset at and writes text in their
// place (del_lump with insert_new_lump_after).
func (m *Msg) Replace(at, n int, text string) { m.addEdit(Edit{At: at, Len: n, Text: text}) }

// addEdit puts e in the list after every edit at its offset or before,
// makes the list free of overlaps again and fixes the Content-Length when
// e changes the body.
func (m *Msg) addEdit(e Edit) {
	m.insertEdit(e)
	if e.At > m.HeadersEnd() {
		m.fixLength()
	}
}

func (m *Msg) insertEdit(e Edit) {
	// Edits other code appended keep their order among those at one
	// offset, as Build applies them.
	sort.SliceStable(m.Edits, func(i, j int) bool { return m.Edits[i].At < m.Edits[j].At })
	k := sort.Search(len(m.Edits), func(i int) bool { return m.Edits[i].At > e.At })
	m.Edits = append(m.Edits, Edit{})
	copy(m.Edits[k+1:], m.Edits[k:])
	m.Edits[k] = e
	pos := 0
	for i := range m.Edits {
		d := &m.Edits[i]
		if d.At < pos {
			d.Len = max(0, d.Len-(pos-d.At))
			d.At = pos
		}
		pos = max(pos, d.At+d.Len)
	}
}

// HeadersEnd is the offset where the header section ends: after the last
// header's line end, where the empty line starts (Kamailio's
// msg->unparsed once all headers are parsed). Text appended there comes
// after the last header.
func (m *Msg) HeadersEnd() int {
	if len(m.Headers) > 0 {
		return m.Headers[len(m.Headers)-1].End
	}
	return m.firstLineEnd()
}

// BodyStart is the offset of the body: after the empty line.
func (m *Msg) BodyStart() int {
	end := m.HeadersEnd()
	switch {
	case end+2 <= len(m.Buf) && m.Buf[end:end+2] == "\r\n":
		return end + 2
	case end < len(m.Buf) && (m.Buf[end] == '\n' || m.Buf[end] == '\r'):
		return end + 1
	}
	return len(m.Buf)
}

// DropBodyEdits removes the edits of the body (those after the end of the
// headers), as Kamailio's set_body drops the body lumps before it
// replaces the body.
func (m *Msg) DropBodyEdits() {
	eoh := m.HeadersEnd()
	kept := m.Edits[:0]
	for _, e := range m.Edits {
		if e.At <= eoh {
			kept = append(kept, e)
		}
	}
	m.Edits = kept
	m.fixLength()
}

// fixLength keeps the Content-Length value in step with the body edits:
// once they change the body's length, an edit replaces the value with the
// new length (the first edit at the value's offset that deletes exactly
// the value). It stays once there, writing the value as it was when the
// length is back to the original. As in Kamailio, a message without
// Content-Length gets none.
func (m *Msg) fixLength() {
	at, n, ok := -1, 0, false
	for _, h := range m.Headers {
		if h.Is("content-length") && h.At >= 0 {
			at, n, ok = h.At, len(h.Value), true
			break
		}
	}
	if !ok {
		return
	}
	eoh := m.HeadersEnd()
	delta, own := 0, -1
	for i, e := range m.Edits {
		switch {
		case e.At > eoh:
			delta += len(e.Text) - e.Len
		case e.At == at && e.Len == n && own < 0:
			own = i
		}
	}
	if own < 0 && delta == 0 {
		return
	}
	text := strconv.Itoa(len(m.Buf) - m.BodyStart() + delta)
	if own >= 0 {
		m.Edits[own].Text = text
		return
	}
	m.insertEdit(Edit{At: at, Len: n, Text: text})
}
