package tm

import (
	"sync"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Return codes of t_cell_append_branches besides the number of branches
// sent (Kamailio 6.0's t_cell_append_branches).
const (
	appendNotFound = -1 // no such transaction (or nothing could be added or sent)
	appendCanceled = -2 // the transaction was canceled
	appendAnswered = -3 // the transaction sent a final reply already
)

// compileCellAppendBranches compiles t_cell_append_branches(index, label):
// two integers, each a number or a pseudo-variable (fixup_igp_igp).
func (m *Module) compileCellAppendBranches(h module.Host, args []*module.Arg) (module.Call, error) {
	index, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	label, err := args[1].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		i, ok := index(c)
		if !ok {
			m.log.Log(klog.Err, Name, "w_t_cell_append_branches(): invalid index parameter")
			return -1
		}
		l, ok := label(c)
		if !ok {
			m.log.Log(klog.Err, Name, "w_t_cell_append_branches(): invalid label parameter")
			return -1
		}
		return m.CellAppendBranches(c, i, l)
	}, nil
}

// CellAppendBranches adds the destination set of c's message as new
// branches of the transaction index:label and sends them (Kamailio 6.0's
// t_cell_append_branches): typically the INVITE still ringing for a user
// whose new device just registered. The branches are built from the
// transaction's request as it was relayed, through the branch_route its
// last forwarding ran, with the transaction's AVPs and flags; a branch
// the transaction already has (same Request-URI and ruid) is not added
// again. The destination set is consumed. It returns the number of
// branches sent, -1 when there is no such transaction or no branch could
// be added or sent (the error is left for sl_reply_error), -2 when the
// transaction was canceled and -3 when it already sent a final reply.
func (m *Module) CellAppendBranches(c *event.Context, index, label int64) int {
	// The numbers are taken as unsigned, as Kamailio's lookup takes them.
	idx, lbl := uint32(index), uint32(label)
	if idx >= tableSize {
		m.log.Logf(klog.Err, Name, "t_lookup_ident_filter(): invalid hash_index=%d", idx)
	}
	x := m.table.byIdent(idx, lbl)
	if x == nil {
		m.log.Logf(klog.Err, Name, "t_cell_append_branches(): transaction [%d:%d] not found", idx, lbl)
		return appendNotFound
	}
	took := lockFor(c, x)
	defer x.unlock(took)
	switch {
	case x.gone:
		// Deleted between the lookup and the lock.
		m.log.Logf(klog.Err, Name, "t_cell_append_branches(): transaction [%d:%d] not found", idx, lbl)
		return appendNotFound
	case x.flags&flagCanceled != 0:
		m.log.Logf(klog.Dbg, Name, "t_cell_append_branches(): transaction [%d:%d] was canceled", idx, lbl)
		return appendCanceled
	case x.uas.status >= 200:
		m.log.Logf(klog.Dbg, Name, "t_cell_append_branches(): transaction [%d:%d] already answered %d", idx, lbl, x.uas.status)
		return appendAnswered
	}
	req := x.request()
	if req == nil || x.ctx == nil {
		// A transaction tm started itself has no request to copy.
		m.log.Log(klog.Err, Name, "t_append_branches(): the transaction has no received request to fork")
		return appendNotFound
	}
	msg := sipmsg.FromContext(c)
	var set []sipmsg.Branch
	if msg != nil {
		set, msg.Branches = msg.Branches, nil
	}
	faked := x.fakedRequest(nil)
	rc := 0
	add := func(ctx *event.Context) { rc = x.appendBranches(ctx, faked, set) }
	if c == x.ctx {
		// Called from a route of the transaction itself: its event is
		// already the transaction's.
		saved := sipmsg.FromContext(c)
		sipmsg.Set(c, faked)
		add(c)
		sipmsg.Set(c, saved)
	} else {
		x.runFuncInTxn(c, add, routetype.Failure, faked, -1)
	}
	if rc < 0 {
		sip.NoteError(c, &sip.Error{Code: x.lastError})
		return appendNotFound
	}
	sip.NoteError(c, nil)
	return rc
}

// appendBranches adds and sends the branches of set not already in x,
// with ctx the transaction's event and faked its request. It returns the
// number sent, or -1 with x.lastError saying why. x.mu must be held.
func (x *txn) appendBranches(ctx *event.Context, faked *sipmsg.Msg, set []sipmsg.Branch) int {
	m := x.m
	before := len(x.branches)
	onBranch := m.branchRoutes.name(x.onBranchDelayed)
	lowest := sip.ErrUnspec
	var added []*branch
	for _, sb := range set {
		if x.hasBranchFor(sb, before) {
			continue
		}
		b, e := x.addBranch(ctx, faked, sb, onBranch, relayOpts{})
		if x.flags&flagCanceled != 0 {
			// Canceled meanwhile: the branches made are not sent.
			x.branches = x.branches[:before]
			x.lastError = sip.ErrCanceled
			return -1
		}
		if b == nil {
			lowest = min(lowest, e)
			continue
		}
		added = append(added, b)
	}
	if len(added) == 0 {
		if lowest != sip.ErrCfg {
			m.log.Logf(klog.Err, Name, "t_append_branches(): failure to add branches (%d)", lowest)
		}
		x.lastError = lowest
		return -1
	}
	return x.sendBranches(ctx, added)
}

// hasBranchFor reports whether one of the first n branches of x went to
// sb's Request-URI with sb's ruid.
func (x *txn) hasBranchFor(sb sipmsg.Branch, n int) bool {
	for _, b := range x.branches[:n] {
		if b.ruid == sb.Ruid && b.uri == sb.URI {
			return true
		}
	}
	return false
}

// routeNames numbers route names: a transaction keeps a small number
// instead of a string (txn.onBranchDelayed). Numbers start at 1; 0 is no
// route. The names are the configuration's routes, so the list stays
// small.
type routeNames struct {
	mu    sync.Mutex
	names []string
	nums  map[string]uint16
}

// index returns the number of name, numbering it on first use (0 when
// the list is full, which a configuration never reaches).
func (r *routeNames) index(name string) uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.nums[name]; ok {
		return n
	}
	if len(r.names) >= 1<<16-1 {
		return 0
	}
	if r.nums == nil {
		r.nums = map[string]uint16{}
	}
	r.names = append(r.names, name)
	n := uint16(len(r.names))
	r.nums[name] = n
	return n
}

// name returns the name numbered n, "" for 0.
func (r *routeNames) name(n uint16) string {
	if n == 0 {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[n-1]
}
