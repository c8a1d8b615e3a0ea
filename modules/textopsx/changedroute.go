package textopsx

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) compileChangedRoute(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.changedRoute(h, c, name(c)) }, nil
}

// changedRoute is msg_changed_route(name): route[name] runs on a copy of
// the message with its changes applied (built as msg_apply_changes builds
// it), while the message itself stays as it is, its changes still
// pending. It returns 1 whatever the route does; -1 when there is no such
// route or the changed text is no SIP message.
//
// The copy keeps what Kamailio copies into it: the message number, where
// it came from (source, destination, transport, socket, connection), the
// forced socket, the send state and the message flags. It has no $du, no
// path vector and no Request-URI q or branch flags of its own. The flags
// the route sets stay with the copy, and a drop or exit in it ends only
// that route. The destination set is shared, as Kamailio's is one per
// process: branches the route appends stay.
func (m *Module) changedRoute(h module.Host, c *event.Context, name string) int {
	t := event.Route(name, c.Route)
	if !h.Has(t) {
		m.logf(klog.Err, "ki_msg_changed_route(): route block [%s] not found", name)
		return -1
	}
	msg := sipmsg.FromContext(c)
	text := msg.Build()
	nm, err := sipmsg.Parse(text)
	if err != nil {
		m.logf(klog.Err, "ki_msg_changed_route(): parsing new sip message failed [[%s]]", text)
		return -1
	}
	if !sipmsg.MainHeadersParse(nm) {
		m.logf(klog.Err, "ki_msg_changed_route(): parsing main headers of new sip message failed [[%s]]", text)
		return -1
	}
	nm.ID = msg.ID
	nm.Src, nm.Dst, nm.Proto = msg.Src, msg.Dst, msg.Proto
	nm.Rcv, nm.ConnID = msg.Rcv, msg.ConnID
	nm.ForceSocket = msg.ForceSocket
	nm.Send = msg.Send
	nm.Branches = msg.Branches

	// The route runs in this event (its AVPs, transaction and $var are
	// Kamailio's per-process state), with the copy as its message; what
	// belongs to the copy is put back afterwards.
	route, rc, flags, dropped := c.Route, c.RC, c.Flags, c.Dropped
	sipmsg.Set(c, nm)
	h.Run(c, t)
	sipmsg.Set(c, msg)
	msg.Branches = nm.Branches
	c.Route, c.RC, c.Flags, c.Dropped = route, rc, flags, dropped
	return 1
}
