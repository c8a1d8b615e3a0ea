package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// VBFlags returns the via-body flags of branch i of the event's
// transaction (Kamailio 6.1's uac[i].vbflags); false without a
// transaction.
func (m *Module) VBFlags(c *event.Context, i int) (uint32, bool) {
	s := cur(c)
	x := s.x
	if x == nil || i < 0 {
		return 0, false
	}
	took := s.lock(x)
	defer x.unlock(took)
	return x.vbflagsOf(i), true
}

// SetVBFlags replaces the via-body flags of branch i of the event's
// transaction with update's result. Branch 0 need not exist yet: its
// flags go into the Via of the request it is sent with (tmx sets them in
// request_route, before t_relay, or in its branch_route). False without
// a transaction or for a later branch that does not exist.
func (m *Module) SetVBFlags(c *event.Context, i int, update func(uint32) uint32) bool {
	s := cur(c)
	x := s.x
	if x == nil || i < 0 {
		return false
	}
	took := s.lock(x)
	defer x.unlock(took)
	switch {
	case i < len(x.branches):
		x.branches[i].vbflags = update(x.branches[i].vbflags)
	case i == 0:
		x.cbs.vb0 = update(x.cbs.vb0)
	default:
		return false
	}
	return true
}

// vbflagsOf is branch i's via-body flags, branch 0's before it exists
// included. x.mu must be held.
func (x *txn) vbflagsOf(i int) uint32 {
	switch {
	case i < len(x.branches):
		return x.branches[i].vbflags
	case i == 0:
		return x.cbs.vb0
	}
	return 0
}

// addVBFlags adds the via-body flags of branch idx, about to be made, to
// those of the Via its request gets (the message's own, corex's
// msg_vbflag_set), which the transport writes as one ";kvf=<hex>", as
// Kamailio's create_via_hf ORs them; it returns the branch's for the
// branch. x.mu must be held.
func (x *txn) addVBFlags(bm *sipmsg.Msg, idx int) uint32 {
	f := x.vbflagsOf(idx)
	if f == 0 {
		return 0
	}
	vf := bm.Send.Via()
	vf.VBFlags |= f
	bm.Send.SetVia(vf)
	return f
}
