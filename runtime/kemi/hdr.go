package kemi

import (
	"slices"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// hdrFuncs are KSR.hdr.*: the headers of the event's message (the faked
// request outside SIP events). Reads see the headers as received; the
// functions that add or remove headers change the message as it would be
// sent ($mbu), as Kamailio's lumps do, not what later reads see.
func hdrFuncs() []module.KEMIFunc {
	i, s, x, b := module.KEMIInt, module.KEMIStr, module.KEMIXVal, module.KEMIBool
	get := func(mode xnull, indexed bool) kemiCall {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			var idx int64
			if indexed {
				idx = a[1].I
			}
			vals := sipmsg.FromContext(c).HeaderValues(a[0].S)
			if idx < 0 {
				idx += int64(len(vals))
			}
			if idx < 0 || idx >= int64(len(vals)) {
				return mode.value()
			}
			return module.KEMIOf(value.MakeStr(vals[idx]))
		}
	}
	return []module.KEMIFunc{
		{Module: "hdr", Name: "append", Params: str1, Ret: i, Call: hdrAppend},
		{Module: "hdr", Name: "append_after", Params: str2, Ret: i, Call: hdrAppendAfter},
		{Module: "hdr", Name: "insert", Params: str1, Ret: i, Call: hdrInsert},
		{Module: "hdr", Name: "insert_before", Params: str2, Ret: i, Call: hdrInsertBefore},
		{Module: "hdr", Name: "remove", Params: str1, Ret: i, Call: hdrRemove},
		{Module: "hdr", Name: "rmappend", Params: str2, Ret: i, Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			if rc := hdrRemove(h, c, a[:1]); rc.I < 0 {
				return rc
			}
			return hdrAppend(h, c, a[1:])
		}},
		{Module: "hdr", Name: "rminsert", Params: str2, Ret: i, Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			if rc := hdrRemove(h, c, a[:1]); rc.I < 0 {
				return rc
			}
			return hdrInsert(h, c, a[1:])
		}},
		{Module: "hdr", Name: "is_present", Params: str1, Ret: i, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			if _, ok := sipmsg.FromContext(c).Header(a[0].S); ok {
				return truth
			}
			return module.KEMIRC(-1)
		}},
		{Module: "hdr", Name: "append_to_reply", Params: str1, Ret: i, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			// kamgo sends no SIP replies, so there is nothing to add
			// the header to; the call succeeds as Kamailio's does.
			return truth
		}},
		{Module: "hdr", Name: "get", Params: str1, Ret: x, Call: get(nullNil, false)},
		{Module: "hdr", Name: "gete", Params: str1, Ret: x, Call: get(nullEmpty, false)},
		{Module: "hdr", Name: "getw", Params: str1, Ret: x, Call: get(nullPrint, false)},
		{Module: "hdr", Name: "get_idx", Params: []module.KEMIType{s, i}, Ret: x, Call: get(nullNil, true)},
		{Module: "hdr", Name: "gete_idx", Params: []module.KEMIType{s, i}, Ret: x, Call: get(nullEmpty, true)},
		{Module: "hdr", Name: "getw_idx", Params: []module.KEMIType{s, i}, Ret: x, Call: get(nullPrint, true)},
		{Module: "hdr", Name: "match_content", Params: str4, Ret: b, Call: hdrMatch},
	}
}

// hline is one header line of a message's text: Start is where its name
// begins, End is past its line end (continuation lines included).
type hline struct {
	name       string
	start, end int
}

// lines splits the header section of m's text. eoh is where the empty line
// ending the headers starts: what follows the last header.
func lines(m *sipmsg.Msg) (hs []hline, first, eoh int) {
	buf := m.Buf
	at := strings.IndexByte(buf, '\n') + 1
	first, eoh = at, at
	for at > 0 && at < len(buf) {
		n := strings.IndexByte(buf[at:], '\n')
		next := len(buf)
		if n >= 0 {
			next = at + n + 1
		}
		l := strings.TrimRight(buf[at:next], "\r\n")
		if l == "" {
			break
		}
		if (l[0] == ' ' || l[0] == '\t') && len(hs) > 0 {
			hs[len(hs)-1].end = next
		} else if name, _, ok := strings.Cut(l, ":"); ok {
			hs = append(hs, hline{name: sipmsg.CanonName(name), start: at, end: next})
		}
		at = next
		eoh = at
	}
	return hs, first, eoh
}

// edit records a change of the message text. An insertion goes before a
// deletion that starts where it does (a header added after the one before
// a removed header), so that the rebuilt text has both.
func edit(m *sipmsg.Msg, at, n int, text string) {
	e := sipmsg.Edit{At: at, Len: n, Text: text}
	if n == 0 {
		for i, old := range m.Edits {
			if old.At == at && old.Len > 0 {
				m.Edits = slices.Insert(m.Edits, i, e)
				return
			}
		}
	}
	m.Edits = append(m.Edits, e)
}

// find returns the first header line named name, or nil.
func find(hs []hline, name string) *hline {
	name = sipmsg.CanonName(name)
	for i := range hs {
		if hs[i].name == name {
			return &hs[i]
		}
	}
	return nil
}

func hdrAppend(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	_, _, eoh := lines(m)
	edit(m, eoh, 0, a[0].S)
	return truth
}

func hdrInsert(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	hs, first, _ := lines(m)
	if len(hs) == 0 {
		logf(c, klog.Err, "sr_kemi_hdr_insert(): error while parsing message")
		return module.KEMIRC(-1)
	}
	edit(m, first, 0, a[0].S)
	return truth
}

// hdrAppendAfter adds text after the first header named a[1], or after
// the last header when there is none.
func hdrAppendAfter(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	hs, _, eoh := lines(m)
	at := eoh
	if h := find(hs, a[1].S); h != nil {
		at = h.end
	}
	edit(m, at, 0, a[0].S)
	return truth
}

// hdrInsertBefore adds text before the first header named a[1], or before
// the first header when there is none.
func hdrInsertBefore(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	hs, first, _ := lines(m)
	if len(hs) == 0 {
		logf(c, klog.Err, "sr_kemi_hdr_insert_before(): error while parsing message")
		return module.KEMIRC(-1)
	}
	at := first
	if h := find(hs, a[1].S); h != nil {
		at = h.start
	}
	edit(m, at, 0, a[0].S)
	return truth
}

// hdrRemove removes every header named a[0]; it succeeds when there is
// none.
func hdrRemove(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	hs, _, _ := lines(m)
	name := sipmsg.CanonName(a[0].S)
	for _, h := range hs {
		if h.name == name {
			edit(m, h.start, h.end-h.start, "")
		}
	}
	return truth
}

// hdrMatch is KSR.hdr.match_content(name, op, value, which): op is eq, ne
// (case-insensitive equality), sw (starts with) or in (contains); which is
// f(irst), l(ast), a(ll) or o(ne of) the headers named name.
func hdrMatch(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	op, want, which := strings.ToLower(a[1].S), a[2].S, a[3].S
	switch op {
	case "eq", "ne", "sw", "in":
	case "re":
		logf(c, klog.Err, "sr_kemi_hdr_match_content(): operator not implemented: %s", a[1].S)
		return falsy
	default:
		logf(c, klog.Err, "sr_kemi_hdr_match_content(): invalid operator: %s", a[1].S)
		return falsy
	}
	if which == "" || !strings.ContainsRune("flaoFLAO", rune(which[0])) {
		logf(c, klog.Err, "sr_kemi_hdr_match_content(): invalid header index: %s", which)
		return falsy
	}
	mode := which[0] | 0x20
	matched := false
	for _, v := range sipmsg.FromContext(c).HeaderValues(a[0].S) {
		lv, lw := strings.ToLower(v), strings.ToLower(want)
		switch op {
		case "eq":
			matched = lv == lw
		case "ne":
			matched = lv != lw
		case "sw":
			matched = strings.HasPrefix(lv, lw)
		case "in":
			matched = strings.Contains(lv, lw)
		}
		switch {
		case mode == 'f':
			return boolRC(matched)
		case mode == 'a' && !matched:
			return falsy
		case mode == 'o' && matched:
			return truth
		}
	}
	return boolRC(matched)
}
