package textopsx

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The iterators are a worker's, as Kamailio's are a process's: four
// header iterators and four body line iterators, each named by the first
// start that finds a free slot, for good. A position belongs to the
// message it was taken in: in another message, or once the message was
// re-parsed (msg_apply_changes), an iterator has no current header or
// line (Kamailio keeps pointers into the old message there).

const (
	iterSlots   = 4
	iterNameMax = 32 // names must be shorter
)

// hfIter is a header iterator: it and prev are indexes in msg.Headers, -1
// for none; eoh is set once next went past the last header.
type hfIter struct {
	name     string
	msg      *sipmsg.Msg
	parsed   []sipmsg.Header // msg.Headers when the position was taken
	it, prev int
	eoh      bool
}

// blIter is a body line iterator: the body is Buf[body:bodyEnd] (hasBody
// false after end), the current line Buf[at:at+n] (hasLine false before
// the first and after the last); eob is set once next went past the last
// line.
type blIter struct {
	name          string
	msg           *sipmsg.Msg
	parsed        []sipmsg.Header
	hasBody       bool
	body, bodyEnd int
	hasLine       bool
	at, n         int
	eob           bool
}

type iterators struct {
	hf [iterSlots]hfIter
	bl [iterSlots]blIter
}

var iterKey = event.NewKey()

// iters returns the iterators of the worker running c (of the event when
// it runs on none).
func iters(c *event.Context) *iterators {
	get, set := c.Get, c.Set
	if c.Worker != nil {
		get, set = c.Worker.Get, c.Worker.Set
	}
	if it, ok := get(iterKey).(*iterators); ok {
		return it
	}
	it := &iterators{}
	set(iterKey, it)
	return it
}

// current drops the position of an iterator taken in another message or
// another text of this one.
func (h *hfIter) current(msg *sipmsg.Msg) {
	if h.msg != msg || !sameParse(h.parsed, msg.Headers) {
		h.msg, h.parsed, h.it, h.prev = msg, msg.Headers, -1, -1
	}
}

func (b *blIter) current(msg *sipmsg.Msg) {
	if b.msg != msg || !sameParse(b.parsed, msg.Headers) {
		b.msg, b.parsed, b.hasBody, b.hasLine = msg, msg.Headers, false, false
	}
}

// sameParse reports whether two header lists are one parse of a
// message: a re-parse makes a new list.
func sameParse(a, b []sipmsg.Header) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// hfFind returns the header iterator named name, logging from fn when
// there is none.
func (m *Module) hfFind(c *event.Context, fn, name string) *hfIter {
	its := iters(c)
	for i := range its.hf {
		if h := &its.hf[i]; h.name != "" && h.name == name {
			h.current(sipmsg.FromContext(c))
			return h
		}
	}
	m.logf(klog.Err, "%s(): iterator not available [%s]", fn, name)
	return nil
}

func (m *Module) blFind(c *event.Context, fn, name string) *blIter {
	its := iters(c)
	for i := range its.bl {
		if b := &its.bl[i]; b.name != "" && b.name == name {
			b.current(sipmsg.FromContext(c))
			return b
		}
	}
	m.logf(klog.Err, "%s(): iterator not available [%s]", fn, name)
	return nil
}

// slot returns the index of the slot named name, else of the first free
// one (named ""), else -1.
func slot(names [iterSlots]string, name string) int {
	free := -1
	for i, n := range names {
		if n != "" && n == name {
			return i
		}
		if n == "" && free < 0 {
			free = i
		}
	}
	return free
}

func (m *Module) hfStart(c *event.Context, name string) int {
	its := iters(c)
	var names [iterSlots]string
	for i := range its.hf {
		names[i] = its.hf[i].name
	}
	k := slot(names, name)
	if k < 0 {
		m.logf(klog.Err, "ki_hf_iterator_start(): no iterator available - max number is %d", iterSlots)
		return -1
	}
	h := &its.hf[k]
	if h.name == "" {
		if len(name) >= iterNameMax {
			m.logf(klog.Err, "ki_hf_iterator_start(): iterator name is too big [%s] (max %d)", name, iterNameMax)
			return -1
		}
		h.name = name
	}
	msg := sipmsg.FromContext(c)
	h.msg, h.parsed, h.it, h.prev, h.eoh = msg, msg.Headers, -1, -1, false
	if len(msg.Headers) == 0 {
		m.logf(klog.Err, "ki_hf_iterator_start(): no headers for iterator [%s]", name)
		return -1
	}
	return 1
}

func (m *Module) hfNext(c *event.Context, name string) int {
	h := m.hfFind(c, "ki_hf_iterator_next", name)
	if h == nil || h.eoh {
		return -1
	}
	if h.it < 0 {
		h.it = 0
	} else {
		h.prev, h.it = h.it, h.it+1
	}
	if h.it >= len(h.msg.Headers) {
		h.it, h.eoh = -1, true
		return -1
	}
	return 1
}

// hfPrev is hf_iterator_prev: back to the header the last next left,
// else to the one before the current one from the third header on;
// otherwise the iterator starts again (Kamailio's walk back finds the
// first header only in a message of two).
func (m *Module) hfPrev(c *event.Context, name string) int {
	h := m.hfFind(c, "ki_hf_iterator_prev", name)
	if h == nil || h.eoh {
		return -1
	}
	if h.prev < 0 {
		return m.hfStart(c, name)
	}
	if h.prev != h.it {
		h.it = h.prev
		return 1
	}
	n := len(h.msg.Headers)
	switch {
	case h.it >= 2:
		h.it, h.prev = h.it-1, h.it-2
		return 1
	case h.it == 1 && n == 2:
		h.it, h.prev = 0, -1
		return 1
	}
	return m.hfStart(c, name)
}

func (m *Module) hfEnd(c *event.Context, name string) int {
	h := m.hfFind(c, "ki_hf_iterator_end", name)
	if h == nil {
		return -1
	}
	h.it, h.eoh = -1, false
	return 1
}

// hfCur returns the iterator's current header, logging from
// ki_hf_iterator_index when there is no such iterator.
func (m *Module) hfCur(c *event.Context, name string) (*sipmsg.Msg, *sipmsg.Header) {
	h := m.hfFind(c, "ki_hf_iterator_index", name)
	if h == nil || h.it < 0 {
		return nil, nil
	}
	return h.msg, &h.msg.Headers[h.it]
}

func (m *Module) hfRm(c *event.Context, name string) int {
	msg, hdr := m.hfCur(c, name)
	if hdr == nil {
		return -1
	}
	msg.Remove(hdr.Start, hdr.End-hdr.Start)
	return 1
}

func (m *Module) hfAppend(c *event.Context, name, text string) int {
	msg, hdr := m.hfCur(c, name)
	if hdr == nil {
		return -1
	}
	msg.Insert(hdr.End, text)
	return 1
}

func (m *Module) hfInsert(c *event.Context, name, text string) int {
	msg, hdr := m.hfCur(c, name)
	if hdr == nil {
		return -1
	}
	msg.Insert(hdr.Start, text)
	return 1
}

// hfName is $hfitname(name): the current header's name as written.
func (m *Module) hfName(c *event.Context, name string) value.Value {
	h := m.hfFind(c, "pv_get_hf_iterator_hname", name)
	if h == nil || h.it < 0 {
		return value.NullValue
	}
	return value.MakeStr(h.msg.Headers[h.it].Name)
}

// hfBody is $hfitbody(name): the current header's body.
func (m *Module) hfBody(c *event.Context, name string) value.Value {
	h := m.hfFind(c, "pv_get_hf_iterator_hbody", name)
	if h == nil || h.it < 0 {
		return value.NullValue
	}
	f := bodyOf(h.msg, &h.msg.Headers[h.it])
	return value.MakeStr(h.msg.Buf[f.body:f.end])
}

// compileIter compiles an iterator function of one argument, the
// iterator's name (a format string).
func (m *Module) compileIter(run func(c *event.Context, name string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		name, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return run(c, name(c)) }, nil
	}
}

// compileIterText compiles an iterator function of two arguments, the
// iterator's name and a text.
func (m *Module) compileIterText(run func(c *event.Context, name, text string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return run(c, fs[0](c), fs[1](c)) }, nil
	}
}

// compileIterPV compiles $hfitname(name), $hfitbody(name) and
// $blitval(name): the name is taken as written.
func (m *Module) compileIterPV(class string, get func(c *event.Context, name string) value.Value) func(*pv.Table, *ast.PVar) (pv.Spec, error) {
	return func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil || p.Name.Text == "" {
			return nil, fmt.Errorf("$%s needs an iterator name", class)
		}
		name := p.Name.Text
		return pv.GetterFunc(func(c *event.Context) value.Value { return get(c, name) }), nil
	}
}
