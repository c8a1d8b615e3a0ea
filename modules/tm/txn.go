package tm

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// txn is one server transaction with its client branches: Kamailio's tm
// cell. Every change to it, and every route run for it, happens with mu
// held (Kamailio's reply lock), so that replies, timers, CANCELs and
// t_continue see one state at a time.
type txn struct {
	mu sync.Mutex
	m  *Module

	// Identity: the hash bucket and the label within it ($T(id_index),
	// $T(id_label)).
	index, label uint32
	// hasReq is whether req is set, for the table's lookups, which do
	// not take the transaction's lock (setReq).
	hasReq atomic.Bool
	flags  txnFlags
	// suspendRoute is the route type t_suspend ran in (with the other
	// suspension fields below; here, where it packs with the fields
	// above).
	suspendRoute routetype.Mask
	next         *txn // the next transaction of the bucket, under the table's lock

	// The request that made the transaction, as it was when the
	// transaction was created (or relayed last), and what matching needs
	// of it.
	reqMsg *sipmsg.Msg // request() reads it
	keys   matchKeys
	// ctx is the request's event as the transaction keeps it: its AVPs,
	// XAVPs and flags, for failure routes, reply routes and t_continue.
	ctx *event.Context
	tr  *sip.Transport

	invite bool
	local  bool // made by t_uac_send, or replicated: replies are not relayed
	gone   bool // deleted from the table
	// settled says the event copy was dropped (settle.go).
	settled bool
	// suspended and continuing: see Suspension below.
	suspended, continuing bool
	// onBranchDelayed is the branch_route the last forwarding ran (0 none,
	// else an index into the module's branchRoutes): t_cell_append_branches
	// runs it for the branches it adds later, as Kamailio's
	// on_branch_delayed. A number, to fit the padding before uas.
	onBranchDelayed uint16

	// The server side.
	uas struct {
		status   int     // last reply sent upstream, 0 before any
		buf      string  // its text, for retransmissions
		hop      sip.Hop // where replies go
		hopOK    bool
		toTag    string // the to-tag of local replies
		local    bool   // the last reply was made here, not relayed
		retr     timer  // final negative reply retransmission (timer G)
		retrWait time.Duration
	}
	relayedBranch int // branch whose reply went upstream; -2 a local reply, -1 none

	branches []*branch

	// Routes and settings the script gave (t_on_*, t_set_*).
	onFailure, onReply, onBranch, onBranchFailure string
	frTimeout, frInvTimeout                       time.Duration
	retrT1, retrT2                                time.Duration
	maxLifetime                                   time.Duration
	dropReplies                                   int // t_drop_replies mode for the current failure route
	cancelReason                                  string
	lastError                                     int // Kamailio's ser_error of the last forwarding
	errDelayed                                    int // t_relay's error, answered when request_route ends (0 none)
	// md5 is the transaction's characteristic value, the middle part of
	// the branches it sends (Kamailio's t->md5, branch.go).
	md5 string

	created time.Time
	wait    timer // the wait state's end: the transaction is deleted
	life    timer // max_inv_lifetime / max_noninv_lifetime
	// alarmAt is when the transaction's alarm rings for its timers on the
	// system clock, alarmIdx its place in the module's alarms; both under
	// the alarms' lock (alarms.go).
	alarmAt  time.Duration
	alarmIdx int

	// Suspension (t_suspend, evapi async): whether the request is
	// suspended, or being continued, (above) and the blind branch
	// standing for the application.
	blind          int // the blind branch of a suspended request, -1 none
	suspendedReply int // the branch whose reply is suspended, -1 none

	cbs txnCallbacks // other modules' callbacks (callbacks.go)
}

// txnFlags are the per-transaction switches.
type txnFlags uint16

const (
	flagCanceled txnFlags = 1 << iota
	flag6xx
	flagDisable6xx
	flagDisableFailover
	flagNoE2ECancelReason
	flagDisableInternalReply
	flagAutoInv100
	flagNoAutoAck
	flagInFailure // a failure route is running
	flagUseUACHeaders
	flagNoisyCTimer // a timeout is always answered (a blind branch was added)
)

// matchKeys are the parts of the request transaction matching compares
// (RFC 3261 §17.2.3, and the older rules of RFC 2543).
type matchKeys struct {
	method   string // upper case
	callID   string
	cseqNum  string
	from     string // the From header's value as written
	fromTag  string
	to       string // the To header's value as written
	toURI    string
	toTag    string // the To header's tag, "" when none
	ruri     string // the Request-URI as received
	via1     string // the top via-parm as written
	branch   string // the top Via's branch without the magic cookie, "" when not RFC 3261
	viaHost  string
	viaPort  int
	viaProto string
}

// branch is one client transaction: a copy of the request sent to one
// destination.
type branch struct {
	idx                        int
	uri                        string // the Request-URI it was sent with
	dst                        string // the destination URI ($du), "" when none
	path                       string
	flags                      uint32 // branch flags
	vbflags                    uint32 // via-body flags (tmx's t_vbflag_*; vbflags.go)
	ruid, instance, locationUA string

	msg   *sipmsg.Msg // the branch's copy of the request
	hop   sip.Hop
	buf   string // the request as sent; "" for a blind branch
	viaBr string // the branch parameter of the Via kamgo added
	sent  bool
	// firstOfStep marks the first branch of one t_relay (Kamailio's
	// TM_UAC_FLAG_FB): t_drop_replies("l") drops from there.
	firstOfStep bool

	last  int         // the last reply code received (Kamailio's last_received)
	reply *sipmsg.Msg // the final reply, kept for picking and failure routes
	faked bool        // the final reply was made here (timeout, cancel)
	// kept is the reply stored for picking (Kamailio's uac.reply): only
	// a negative reply that had to wait for other branches is stored, and
	// a failure route that drops replies forgets it.
	kept            keptReply
	replied         bool
	timedOut        bool
	onReply         string // onreply_route for this branch
	onFailure       string // failure_route when its reply is picked
	onBranchFailure string

	retr     timer // request retransmission (timer A / E)
	retrWait time.Duration
	fr       timer // final response timer (B / F, fr_inv)
	frInv    bool  // fr runs with fr_inv_timer

	suspendedMsg *sipmsg.Msg // a reply suspended in onreply_route

	cancel struct {
		buf      string
		sent     bool
		pending  bool // to send on the first provisional reply
		retr     timer
		retrWait time.Duration
		fr       timer
	}
}

// keptReply is what a branch has stored for picking the final reply.
type keptReply uint8

const (
	keptNone  keptReply = iota // nothing: the branch is never picked (but a reply being processed is)
	keptReal                   // a reply received
	keptFaked                  // a reply made here: faked_reply_prio applies
)

// isInvite reports whether method is INVITE.
func isMethod(m *sipmsg.Msg, method string) bool { return strings.EqualFold(m.Method, method) }

// pending reports whether the branch has no final reply yet.
func (b *branch) pending() bool { return b.last < 200 }

// blind reports whether the branch was never sent (t_suspend's).
func (b *branch) isBlind() bool { return b.buf == "" }

// request returns the transaction's request, with its headers: a settled
// transaction keeps it lean (settle.go), and this gives a copy with them
// read again; nil when there is none.
func (x *txn) request() *sipmsg.Msg {
	if x.reqMsg == nil {
		return nil
	}
	return x.reqMsg.Full()
}

// setReq makes r the transaction's request (under x.mu).
func (x *txn) setReq(r *sipmsg.Msg) {
	x.reqMsg = r
	x.hasReq.Store(r != nil)
}
