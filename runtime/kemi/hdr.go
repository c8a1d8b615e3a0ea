package kemi

import (
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
		{Module: "hdr", Name: "append_to_reply", Params: str1, Ret: i, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			m := sipmsg.FromContext(c)
			m.ReplyHeaders += a[0].S
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

// find returns the first header of m named name (long or compact form,
// any case), or nil.
func find(m *sipmsg.Msg, name string) *sipmsg.Header {
	name = sipmsg.CanonName(name)
	for i := range m.Headers {
		if m.Headers[i].Is(name) {
			return &m.Headers[i]
		}
	}
	return nil
}

// The functions that change headers add lumps (runtime/sipmsg's Insert
// and Remove), as Kamailio's do.

func hdrAppend(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	m.Insert(m.HeadersEnd(), a[0].S)
	return truth
}

func hdrInsert(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	if len(m.Headers) == 0 {
		logf(c, klog.Err, "sr_kemi_hdr_insert(): error while parsing message")
		return module.KEMIRC(-1)
	}
	m.Insert(m.Headers[0].Start, a[0].S)
	return truth
}

// hdrAppendAfter adds text after the first header named a[1], or after
// the last header when there is none.
func hdrAppendAfter(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	at := m.HeadersEnd()
	if h := find(m, a[1].S); h != nil {
		at = h.End
	}
	m.Insert(at, a[0].S)
	return truth
}

// hdrInsertBefore adds text before the first header named a[1], or before
// the first header when there is none.
func hdrInsertBefore(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	if len(m.Headers) == 0 {
		logf(c, klog.Err, "sr_kemi_hdr_insert_before(): error while parsing message")
		return module.KEMIRC(-1)
	}
	at := m.Headers[0].Start
	if h := find(m, a[1].S); h != nil {
		at = h.Start
	}
	m.Insert(at, a[0].S)
	return truth
}

// hdrRemove removes every header named a[0]; it succeeds when there is
// none.
func hdrRemove(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	name := sipmsg.CanonName(a[0].S)
	for _, h := range m.Headers {
		if h.Is(name) {
			m.Remove(h.Start, h.End-h.Start)
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
