// Package tm is kamgo's tm module: SIP transactions, as Kamailio's tm has
// them. A request the script hands to t_newtran or t_relay becomes a server
// transaction that absorbs its retransmissions (answering them with the
// last reply) and the ACK of a negative reply; t_relay sends it to the
// Request-URI and every branch of the destination set as client
// transactions (branch_route per branch), retransmits them over UDP (RFC
// 3261 timers A/E with retr_timer1/retr_timer2) and gives up after
// fr_timer / fr_inv_timer with a local 408. Replies are matched to their
// branch by the Via branch kamgo wrote, run onreply_route, and are relayed
// upstream as RFC 3261 §16.7 says: provisional replies at once (except
// 100), 2xx to INVITE at once (every one), the best final reply once every
// branch has one, after failure_route (t_on_failure), which may start new
// branches instead. Negative replies to INVITE are acknowledged hop by hop;
// a CANCEL for a pending INVITE is answered 200 and sent on every branch
// that has a provisional reply (cancel_b_method for the others). t_reply
// answers from the script, statefully (retransmitted until the ACK for a
// negative INVITE reply). t_suspend and t_continue (tmx, evapi's async
// relay) take a transaction off its worker and resume it in a route later.
//
// The package README lists the functions and parameters, and where kamgo
// differs from Kamailio.
package tm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Name is the module name, as `loadmodule "tm.so"` names it.
const Name = "tm"

// Event route names the module raises.
const (
	EventLocalRequest = "tm:local-request"
	// EventLocalAckSent runs after tm sent the ACK of a 2xx to an INVITE
	// it started itself (Kamailio 6.1), with the 2xx as message; the
	// catalog has it from 6.1 on (overrides.txt), so it is not in Events.
	EventLocalAckSent      = "tm:local-ack-sent"
	EventLocalResponse     = "tm:local-response"
	EventLocalResponseSent = "tm:local-response-sent"
	EventBranchFailure     = "tm:branch-failure"
)

const logErr = klog.Err

func init() { module.Register(new(Module)) }

// Module is one loaded tm module.
type Module struct {
	cfg   config     // the parameters
	live  liveConfig // cfg plus the tm group's changes (conf)
	host  module.Host
	log   *klog.Logger
	clock Clock
	table *table
	tags  *sip.Tagger

	mu      sync.Mutex
	stopped bool

	stats counters
	cbs   moduleCallbacks // other modules' callbacks (callbacks.go)
	// otherStops are the cancel functions of timers on a clock other
	// than the system's (timers.go).
	otherStops otherStops
	alarms     alarms // the transactions' alarms on the system clock
	// branchRoutes numbers the branch_route names forwarding ran, for
	// txn.onBranchDelayed (append_branches.go).
	branchRoutes routeNames
	// localAcks holds, by transaction, the ACK t_uac_ack_local built
	// for a local INVITE's 2xx (*localAck), sent again for each
	// retransmitted 2xx; a side table, as few transactions have one
	// (local_ack.go). The transaction's release deletes its entry.
	localAcks sync.Map
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{cfg: defaultConfig(), clock: systemClock{}, table: newTable(),
		tags: sip.NewTagger("SER-TM/tags", '-')}
}

// SetClock makes the module's timers run on c (tests give it a clock they
// advance by hand). Call it before the first transaction.
func (m *Module) SetClock(c Clock) { m.clock = c }

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	var params []module.Param
	for _, d := range m.paramDefs() {
		params = append(params, d.p)
	}
	return module.Exports{
		Params: params,
		Funcs:  m.funcs(),
		Events: []string{EventLocalRequest, EventLocalResponse, EventLocalResponseSent, EventBranchFailure + ":*"},
	}
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if e := m.conf().evlreqMode; e < 0 || e > evlreqCancel|evlreqACK {
		m.log.Logf(klog.Err, Name, "mod_init(): evlreq_mode tm modparam must be in [0,%d]", evlreqCancel|evlreqACK)
		return fmt.Errorf("evlreq_mode %d out of range", e)
	}
	if m.conf().contactsAVP != "" && m.conf().contactFlowsAVP == "" {
		m.log.Log(klog.Err, Name, "mod_init(): contact_flows_avp param has not been defined")
		return errors.New("contact_flows_avp param has not been defined")
	}
	return m.declareCfg(h)
}

// Start implements module.Starter: tm has nothing to start; its timers
// start with the transactions.
func (m *Module) Start(context.Context) error { return nil }

// Stop implements module.Starter: the timers of every live transaction
// are stopped and the transactions dropped.
func (m *Module) Stop(context.Context) error {
	m.mu.Lock()
	m.stopped = true
	m.mu.Unlock()
	for _, x := range m.table.list(0, true, nil) {
		x.mu.Lock()
		x.release()
		x.mu.Unlock()
	}
	return nil
}

// Request implements sip.Layer: tm claims no request before
// request_route; the script hands requests over (t_check_trans,
// t_newtran, t_relay), as in Kamailio.
func (m *Module) Request(*event.Context, *sipmsg.Msg) bool { return false }

// Reply implements sip.Layer: a reply to a branch of a transaction is
// the transaction's (reply_received); other replies go on statelessly.
func (m *Module) Reply(c *event.Context, rpl *sipmsg.Msg) bool { return m.replyReceived(c, rpl) }

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ sip.Layer          = (*Module)(nil)
	_ sip.RequestDoner   = (*Module)(nil)
)
