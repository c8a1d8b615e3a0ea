package textopsx

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

func (m *Module) blStart(c *event.Context, name string) int {
	its := iters(c)
	var names [iterSlots]string
	for i := range its.bl {
		names[i] = its.bl[i].name
	}
	k := slot(names, name)
	if k < 0 {
		m.logf(klog.Err, "ki_bl_iterator_start(): no iterator available - max number is %d", iterSlots)
		return -1
	}
	b := &its.bl[k]
	if b.name == "" {
		if len(name) >= iterNameMax {
			m.logf(klog.Err, "ki_bl_iterator_start(): iterator name is too big [%s] (max %d)", name, iterNameMax)
			return -1
		}
		b.name = name
	}
	msg := sipmsg.FromContext(c)
	b.msg, b.parsed, b.hasLine, b.eob = msg, msg.Headers, false, false
	b.hasBody, b.body, b.bodyEnd = true, msg.BodyStart(), len(msg.Buf)
	return 1
}

// blNext is bl_iterator_next: the next line of the body, with its line
// end. The last line of a body that does not end in one ends with the
// body (Kamailio 5.6.3 takes one byte past the end there; later releases
// fixed that).
func (m *Module) blNext(c *event.Context, name string) int {
	b := m.blFind(c, "ki_bl_iterator_next", name)
	if b == nil || b.eob {
		return -1
	}
	p := b.body
	if b.hasLine {
		p = b.at + b.n
	}
	if !b.hasBody || p >= b.bodyEnd {
		b.hasLine, b.eob = false, true
		return -1
	}
	end := b.bodyEnd
	if i := strings.IndexByte(b.msg.Buf[p:b.bodyEnd], '\n'); i >= 0 {
		end = p + i + 1
	}
	b.hasLine, b.at, b.n = true, p, end-p
	return 1
}

func (m *Module) blEnd(c *event.Context, name string) int {
	b := m.blFind(c, "ki_bl_iterator_end", name)
	if b == nil {
		return -1
	}
	b.hasLine, b.hasBody, b.eob = false, false, false
	return 1
}

// blCur returns the iterator's current line, logging from
// ki_bl_iterator_index when there is no such iterator.
func (m *Module) blCur(c *event.Context, name string) *blIter {
	b := m.blFind(c, "ki_bl_iterator_index", name)
	if b == nil || !b.hasLine || b.n <= 0 {
		return nil
	}
	return b
}

func (m *Module) blRm(c *event.Context, name string) int {
	b := m.blCur(c, name)
	if b == nil {
		return -1
	}
	b.msg.Remove(b.at, b.n)
	return 1
}

func (m *Module) blAppend(c *event.Context, name, text string) int {
	b := m.blCur(c, name)
	if b == nil {
		return -1
	}
	b.msg.Insert(b.at+b.n, text)
	return 1
}

func (m *Module) blInsert(c *event.Context, name, text string) int {
	b := m.blCur(c, name)
	if b == nil {
		return -1
	}
	b.msg.Insert(b.at, text)
	return 1
}

// blValue is $blitval(name): the current line with its line end.
func (m *Module) blValue(c *event.Context, name string) value.Value {
	b := m.blFind(c, "pv_get_bl_iterator_value", name)
	if b == nil || !b.hasLine {
		return value.NullValue
	}
	return value.MakeStr(b.msg.Buf[b.at : b.at+b.n])
}
