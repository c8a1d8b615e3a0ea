package dialog

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Dialog states, as Kamailio numbers them ($dlg(state), dlg.list).
const (
	stateUnconfirmed = 1
	stateEarly       = 2
	stateConfirmedNA = 3 // answered, ACK not seen yet
	stateConfirmed   = 4
	stateDeleted     = 5
)

// Events that move a dialog.
const (
	evTDel = iota + 1
	evRpl1xx
	evRpl2xx
	evRpl3xx
	evReqPRACK
	evReqACK
	evReqBYE
	evReq
)

// Dialog memory flags (dflags), Kamailio's values.
const (
	dflagNew         = 1 << 0
	dflagChanged     = 1 << 1
	dflagHasBye      = 1 << 2
	dflagCallerBye   = 1 << 4
	dflagCalleeBye   = 1 << 5
	dflagChangedVars = 1 << 7
	dflagTM          = 1 << 9
	dflagChangedProf = 1 << 10
	dflagExpired     = 1 << 10
)

// Dialog internal flags (iflags), Kamailio's values.
const (
	iflagTimeoutBye   = 1 << 0
	iflagKASrc        = 1 << 1
	iflagKADst        = 1 << 2
	iflagTimerNoreset = 1 << 3
	iflagPRACK        = 1 << 5
)

// Legs and directions.
const (
	caller = 0
	callee = 1

	dirNone       = 0
	dirDownstream = 1
	dirUpstream   = 2
)

// dlg is one dialog. Its fields are guarded by the module's mu.
type dlg struct {
	hEntry, hID uint32
	state       int
	lifetime    uint32 // seconds
	initTS      int64
	startTS     int64
	endTS       int64
	dflags      uint32
	iflags      uint32
	sflags      uint32
	toroute     int
	torouteName string
	fromRRNb    int
	callID      string
	fromURI     string
	toURI       string
	reqURI      string
	tag         [2]string
	cseq        [2]string
	routeSet    [2]string
	contact     [2]string
	bind        [2]*sipmsg.Socket
	links       []*link
	vars        []dvar
	// ref is the reference count dlg.list reports: one for the table,
	// one while the timer holds the dialog, as Kamailio counts them.
	ref int
	// timer: deadline and its cancel function, nil when not armed.
	deadline  time.Time
	timerStop func()
	gone      bool // unlinked from the table
	// kaFailed counts the keep-alives in a row the caller ([0]) and the
	// callee ([1]) answered 408 or 481 (or let time out).
	kaFailed [2]int64
}

// dvar is one dialog variable.
type dvar struct{ key, val string }

// entry is one slot of the hash table.
type entry struct {
	list   []*dlg
	nextID uint32
}

func (m *Module) initTable(size int) {
	m.table = make([]*entry, size)
	step := uint32(m.cfg.hIDStep)
	for i := range m.table {
		e := &entry{}
		if step > 1 {
			e.nextID = uint32(m.cfg.hIDStart) + step*(uint32(rand.IntN(3*size))+1)
		} else {
			e.nextID = uint32(rand.IntN(3 * size))
		}
		m.table[i] = e
	}
}

// hashEntry is the slot of a Call-ID.
func (m *Module) hashEntry(callID string) uint32 {
	return corehash.Sum(callID, "", uint32(len(m.table)))
}

// link adds d to its slot with a fresh id. m.mu must be held.
func (m *Module) link(d *dlg) {
	e := m.table[d.hEntry]
	step := uint32(m.cfg.hIDStep)
	if step > 1 {
		if e.nextID == 0 || e.nextID+step < e.nextID {
			e.nextID = uint32(m.cfg.hIDStart) + step
		}
		d.hID = e.nextID
		e.nextID += step
	} else {
		d.hID = 1 + e.nextID
		e.nextID++
		if d.hID == 0 {
			d.hID = 1
		}
	}
	d.ref++
	e.list = append(e.list, d)
}

// unlink removes d from the table. m.mu must be held.
func (m *Module) unlink(d *dlg) {
	if d.gone {
		return
	}
	d.gone = true
	if d.timerStop != nil {
		d.timerStop()
		d.timerStop = nil
	}
	e := m.table[d.hEntry]
	for i, x := range e.list {
		if x == d {
			e.list = append(e.list[:i], e.list[i+1:]...)
			break
		}
	}
	m.dropLinks(d)
}

// lookup finds a dialog by its hash entry and id. m.mu must be held.
func (m *Module) lookup(hEntry, hID uint32) *dlg {
	if int(hEntry) >= len(m.table) {
		return nil
	}
	for _, d := range m.table[hEntry].list {
		if d.hID == hID {
			return d
		}
	}
	return nil
}

// match reports whether callid and the tags identify d, and in which
// direction the message goes (Kamailio's match_dialog).
func match(d *dlg, callID, ftag, ttag string) (bool, int) {
	if d.callID != callID {
		return false, dirNone
	}
	if d.tag[callee] == "" {
		// no callee yet: a spiral of the initial request
		if d.tag[caller] == ftag {
			return true, dirDownstream
		}
		return false, dirNone
	}
	if d.tag[caller] == ftag && d.tag[callee] == ttag {
		return true, dirDownstream
	}
	if d.tag[caller] == ttag && d.tag[callee] == ftag {
		return true, dirUpstream
	}
	return false, dirNone
}

// search finds the dialog of callid and tags that is not deleted, else a
// deleted one (Kamailio's internal_get_dlg). m.mu must be held.
func (m *Module) search(callID, ftag, ttag string) (*dlg, int) {
	var gone *dlg
	gdir := dirNone
	for _, d := range m.table[m.hashEntry(callID)].list {
		ok, dir := match(d, callID, ftag, ttag)
		if !ok {
			continue
		}
		if d.state != stateDeleted {
			return d, dir
		}
		if gone == nil {
			gone, gdir = d, dir
		}
	}
	return gone, gdir
}

// nextState moves d for ev (Kamailio's next_state_dlg). It returns the old
// and the new state; profiles are left when the dialog is deleted. m.mu
// must be held.
func (m *Module) nextState(d *dlg, ev int) (old, now int) {
	old = d.state
	switch ev {
	case evTDel:
		if d.state == stateUnconfirmed || d.state == stateEarly {
			d.state = stateDeleted
		}
	case evRpl1xx:
		if d.state == stateUnconfirmed || d.state == stateEarly {
			d.state = stateEarly
		}
	case evRpl3xx:
		if d.state == stateUnconfirmed || d.state == stateEarly {
			d.state = stateDeleted
		}
	case evRpl2xx:
		switch d.state {
		case stateDeleted:
			if d.dflags&dflagHasBye == 0 {
				d.state = stateConfirmedNA
			}
		case stateUnconfirmed, stateEarly:
			d.state = stateConfirmedNA
		}
	case evReqACK:
		if d.state == stateConfirmedNA {
			d.state = stateConfirmed
		}
	case evReqBYE:
		if d.state == stateConfirmedNA || d.state == stateConfirmed {
			d.dflags |= dflagHasBye
			d.state = stateDeleted
		}
	case evReqPRACK:
		if d.state == stateEarly || d.state == stateConfirmedNA {
			d.iflags |= iflagPRACK
		}
	}
	now = d.state
	if now == stateDeleted && old != now {
		m.dropLinks(d)
	}
	return old, now
}

// didParam is the value of the Record-Route parameter of d: the hash
// entry and id in reversed hex, joined by '.'.
func didParam(hEntry, hID uint32) string {
	return reverseHex(hEntry) + "." + reverseHex(hID)
}

// reverseHex writes n in hex, lowest digit first (Kamailio's
// int2reverse_hex).
func reverseHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b strings.Builder
	for n != 0 {
		d := n & 0xf
		if d < 10 {
			b.WriteByte(byte('0' + d))
		} else {
			b.WriteByte(byte('a' + d - 10))
		}
		n >>= 4
	}
	return b.String()
}

// parseReverseHex reads what reverseHex writes (either case).
func parseReverseHex(s string) (uint32, bool) {
	if s == "" || len(s) > 8 {
		return 0, s == ""
	}
	var n uint32
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n += uint32(c - '0')
		case c >= 'a' && c <= 'f':
			n += uint32(c-'a') + 10
		case c >= 'A' && c <= 'F':
			n += uint32(c-'A') + 10
		default:
			return 0, false
		}
	}
	return n, true
}

// parseDid reads a did value into hash entry and id.
func parseDid(v string) (hEntry, hID uint32, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	e, ok1 := parseReverseHex(a)
	i, ok2 := parseReverseHex(b)
	return e, i, ok1 && ok2
}

// all returns every dialog, slot by slot. m.mu must be held.
func (m *Module) all() []*dlg {
	var out []*dlg
	for _, e := range m.table {
		out = append(out, e.list...)
	}
	return out
}
