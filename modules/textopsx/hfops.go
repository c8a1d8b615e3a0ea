package textopsx

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// hfValue runs the header value function e.op with the value val. hasVal
// is false when there is no value: remove_hf_value and remove_hf_value2,
// and the KEMI functions called with an empty one (which then remove
// what they would assign, as Kamailio's do).
func (m *Module) hfValue(msg *sipmsg.Msg, e *hexpr, val string, hasVal bool) int {
	switch e.op {
	case opAppend:
		if !e.hasIdx {
			return addHeader(msg, msg.HeadersEnd(), e.name, val)
		}
		if v, ok := findIdx(msg, e, true); ok {
			return addValue(msg, v.f, v.lumpEnd, val)
		}
		return addHeader(msg, msg.HeadersEnd(), e.name, val)
	case opInsert:
		v, ok := findIdx(msg, e, true)
		switch {
		case ok && !e.hasIdx:
			return addHeader(msg, v.f.start, e.name, val)
		case !ok && e.idx == 1:
			return addHeader(msg, msg.HeadersEnd(), e.name, val)
		case ok:
			return addValue(msg, v.f, v.lumpAt, val)
		}
		return -1
	case opRemove, opAssign:
		return m.removeAssign(msg, e, val, hasVal)
	case opRemove2, opAssign2:
		return m.removeAssign2(msg, e, val, hasVal)
	}
	return incExc(msg, e, val)
}

// addHeader writes a new header `name: val` at offset at.
func addHeader(msg *sipmsg.Msg, at int, name, val string) int {
	msg.Insert(at, name+": "+val+"\r\n")
	return 1
}

// addValue writes val into the list of f at offset at, with the comma
// that separates it from its neighbour: before it at the end of the
// body, after it elsewhere. Without f (an assignment) no comma is added.
func addValue(msg *sipmsg.Msg, f *field, at int, val string) int {
	switch {
	case f == nil:
		msg.Insert(at, val)
	case at == f.end:
		msg.Insert(at, ","+val)
	default:
		msg.Insert(at, val+",")
	}
	return 1
}

// deleteSpan removes Buf[at:end], or the whole header when that is f's
// whole body.
func deleteSpan(msg *sipmsg.Msg, f *field, at, end int) {
	if f != nil && at == f.body && end == f.end {
		msg.Remove(f.start, f.len)
		return
	}
	msg.Remove(at, end-at)
}

// removeAssign is remove_hf_value and assign_hf_value: a value of the
// list (or with [*] every header), or a parameter of it.
func (m *Module) removeAssign(msg *sipmsg.Msg, e *hexpr, val string, hasVal bool) int {
	if e.all {
		rc := -1
		fs := fieldsNamed(msg, e.canon)
		for i := range fs {
			f := &fs[i]
			if e.param == "" {
				rc = 1
				deleteSpan(msg, f, f.body, f.end)
				continue
			}
			for _, v := range values(msg.Buf, f) {
				if m.params(msg, e, val, hasVal, skipToParams(msg.Buf, v.at, v.end), v.end, false) > 0 {
					rc = 1
				}
			}
		}
		return rc
	}
	v, ok := findIdx(msg, e, true)
	if !ok {
		return -1
	}
	if e.param != "" {
		return m.params(msg, e, val, hasVal, skipToParams(msg.Buf, v.at, v.end), v.end, false)
	}
	if e.op == opRemove {
		d := v.forDelete()
		deleteSpan(msg, d.f, d.lumpAt, d.lumpEnd)
		return 1
	}
	m.remove(msg, v.at, v.end-v.at)
	if val != "" {
		addValue(msg, nil, v.at, val)
	}
	return 1
}

// removeAssign2 is remove_hf_value2 and assign_hf_value2: the header is
// one value, its parameters name=value pairs.
func (m *Module) removeAssign2(msg *sipmsg.Msg, e *hexpr, val string, hasVal bool) int {
	if e.all {
		rc := -1
		fs := fieldsNamed(msg, e.canon)
		for i := range fs {
			f := &fs[i]
			if e.param == "" {
				rc = 1
				deleteSpan(msg, f, f.body, f.end)
			} else if m.params(msg, e, val, hasVal, f.body, f.end, true) > 0 {
				rc = 1
			}
		}
		return rc
	}
	v, ok := findIdx(msg, e, false)
	if !ok {
		return -1
	}
	f := v.f
	switch {
	case e.param != "":
		return m.params(msg, e, val, hasVal, f.body, f.end, true)
	case e.op == opRemove2:
		deleteSpan(msg, f, f.body, f.end)
		return 1
	}
	m.remove(msg, f.body, f.end-f.body)
	if val != "" {
		addValue(msg, nil, f.body, val)
	}
	return 1
}

// params sets (hasVal) or removes (every occurrence of) the parameter
// e.param in Buf[at:end]: ';' parameters, or name=value pairs (pairs).
// It returns 1 when it changed something, -1 when it had nothing to
// remove.
func (m *Module) params(msg *sipmsg.Msg, e *hexpr, val string, hasVal bool, at, end int, pairs bool) int {
	rc := 0
	for {
		var sp paramSpan
		var found bool
		delim := ";"
		if pairs {
			sp, delim, found = findParam2(msg.Buf, at, end, e.param)
		} else {
			sp, found = findParam(msg.Buf, at, end, e.param)
		}
		r := m.paramEdit(msg, e, val, hasVal, found, sp, delim)
		if rc == 0 {
			rc = r
		}
		if hasVal || !found {
			return rc
		}
		at = sp.delEnd
	}
}

// paramEdit writes one parameter change: a found parameter's value
// replaced (a bare name for an empty value) or the parameter removed; a
// missing one added after delim.
func (m *Module) paramEdit(msg *sipmsg.Msg, e *hexpr, val string, hasVal, found bool, sp paramSpan, delim string) int {
	if found {
		if hasVal {
			if sp.updEnd > sp.updAt {
				msg.Remove(sp.updAt, sp.updEnd-sp.updAt)
			}
			if val != "" {
				msg.Insert(sp.updAt, "="+val)
			}
		} else if sp.delEnd > sp.delAt {
			msg.Remove(sp.delAt, sp.delEnd-sp.delAt)
		}
		return 1
	}
	if !hasVal {
		return -1
	}
	s := delim + e.param
	if val != "" {
		s += "=" + val
	}
	msg.Insert(sp.delAt, s)
	return 1
}

// remove is del_lump: a removal of nothing is logged, as Kamailio logs
// it, and recorded.
func (m *Module) remove(msg *sipmsg.Msg, at, n int) {
	if n == 0 {
		m.corelogf(klog.Warn, "del_lump(): 0 len (offset=%d)", at)
	}
	msg.Remove(at, n)
}

// incExc is include_hf_value, exclude_hf_value and hf_value_exists: is
// val (compared without case) a value of the lists of the headers named
// e.name; exclude removes every such value, include adds val after the
// last value of the first such header (or in a new header) unless it is
// there.
func incExc(msg *sipmsg.Msg, e *hexpr, val string) int {
	if val == "" {
		return -1
	}
	fs := fieldsNamed(msg, e.canon)
	for i := range fs {
		for _, v := range values(msg.Buf, &fs[i]) {
			if v.end == v.at || !strings.EqualFold(msg.Buf[v.at:v.end], val) {
				continue
			}
			switch e.op {
			case opInclude, opExists:
				return 1
			case opExclude:
				d := v.forDelete()
				deleteSpan(msg, d.f, d.lumpAt, d.lumpEnd)
			}
		}
	}
	switch e.op {
	case opExists:
		return -1
	case opInclude:
		if len(fs) > 0 {
			return addValue(msg, &fs[0], fs[0].end, val)
		}
		return addHeader(msg, msg.HeadersEnd(), e.name, val)
	}
	return 1
}
