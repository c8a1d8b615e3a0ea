package sl

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// sl's to-tags are sip.Tagger's with sl's signature and separator.
var tagger = sip.NewTagger("KAMAILIO-stateless", '.')

// tagLen is the length of sl's to-tags.
const tagLen = sip.TagLen

// toTag is sl's to-tag for replies to msg.
func (m *Module) toTag(first *sipmsg.Socket, msg *sipmsg.Msg) string {
	return tagger.Tag(first, msg)
}

// filterACK reports whether msg is the ACK of a reply sl sent (its To
// tag is sl's for it, within ackWindow of the last reply), after running
// event_route[sl:filtered-ack] for it.
func (m *Module) filterACK(c *event.Context, msg *sipmsg.Msg) bool {
	if !strings.EqualFold(msg.Method, "ACK") {
		return false
	}
	if m.now().UnixNano() >= m.filterUntil.Load() {
		m.log.Log(klog.Dbg, Name, "sl_filter_ACK(): too late to be a local ACK!")
		return false
	}
	to, ok := msg.Header("to")
	if !ok {
		return false
	}
	na, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		m.log.Log(klog.Err, Name, "sl_filter_ACK(): unable to parse To header")
		return true
	}
	tag, _ := na.Param("tag")
	var first *sipmsg.Socket
	if t := sip.From(c); t != nil {
		first = t.First()
	}
	if len(tag) != tagLen || tag != m.toTag(first, msg) {
		return false
	}
	m.log.Log(klog.Dbg, Name, "sl_filter_ACK(): SL local ACK found -> dropping it!")
	m.stats.filteredACKs.Add(1)
	if m.host != nil {
		module.RunEvent(m.host, c, EventFilteredACK, m.evFilteredACK)
	}
	return true
}

// lttClass is $ltt(s|t|x): the to-tag of the reply to the current
// request, sl's (s), the transaction's (t) or whichever replies (x).
func (m *Module) lttClass() *pv.Class {
	return &pv.Class{Name: "ltt", Module: Name, Names: []string{"s", "t", "x"}, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("unknown PV ltt key: ")
		}
		key := p.Name.Text
		if key != "s" && key != "t" && key != "x" {
			return nil, fmt.Errorf("unknown PV ltt key: %s", key)
		}
		return pv.GetterFunc(func(c *event.Context) value.Value {
			if key != "s" && m.tm != nil {
				if tag, ok := m.tm.ToTag(c); ok {
					return value.MakeStr(tag)
				}
			}
			if key == "t" {
				return value.NullValue
			}
			var first *sipmsg.Socket
			if t := sip.From(c); t != nil {
				first = t.First()
			}
			return value.MakeStr(m.toTag(first, sipmsg.FromContext(c)))
		}), nil
	}}
}
