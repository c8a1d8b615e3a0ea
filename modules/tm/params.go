package tm

import (
	"fmt"
	"time"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// config holds tm's parameters. Times are milliseconds, as modparam gives
// them.
type config struct {
	ruriMatching, via1Matching, callIDMatching, callIDCSeqMatching int64
	frTimer, frInvTimer, wtTimer, retrTimer1, retrTimer2           int64
	maxInvLifetime, maxNonInvLifetime                              int64
	noisyCTimer, autoInv100                                        int64
	autoInv100Reason                                               string
	unixTxTimeout, restartFrOnEachReply                            int64
	frTimerAVP, frInvTimerAVP                                      string
	twAppend                                                       []string
	passProvisional, aggregateChallenges, unmatchedCancel          int64
	defaultCode                                                    int64
	defaultReason                                                  string
	reparseInvite                                                  int64
	acExtraHdrs                                                    string
	blst503, blst503Def, blst503Min, blst503Max                    int64
	blstMethodsAdd, blstMethodsLookup                              int64
	cancelBMethod, reparseOnDNSFailover                            int64
	onSLReply, contactsAVP, contactFlowsAVP                        string
	disable6xx, localAckMode, failureReplyMode, fakedReplyPrio     int64
	remap503500, failureExecMode, dnsReuseRcvSocket                int64
	localCancelReason, e2eCancelReason                             int64
	xavpContact, eventCallback, eventCallbackLresSent              string
	relay100, richRedirect, execTimeCheck, replyRelayMode, uacFR   int64
	frInvTimerNext                                                 int64 // the tm group's, no parameter
	// reply408Code and reply408Reason are the code and reason phrase of
	// the replies tm makes for a branch that timed out (Kamailio 6.0's
	// reply_408_code and reply_408_reason; plain parameters, not in the
	// tm group).
	reply408Code   int64
	reply408Reason string
	// localAckBranchMode is the Via branch of the ACK of a local
	// INVITE's 2xx (Kamailio 6.1's local_ack_branch_mode, local_ack.go);
	// evcbLocalAckSent the KEMI function run for tm:local-ack-sent.
	localAckBranchMode int64
	evcbLocalAckSent   string
	// delayedReply 0 makes t_relay in request_route answer its error at
	// once rather than when the route ends (Kamailio 6.1's delayed_reply).
	delayedReply int64
	// replyMatching's bit 1 keeps a reply from matching a transaction
	// that is on its wait timer or being deleted (Kamailio 6.1.4's
	// reply_matching). kamgo's default is 0, the matching of the
	// releases before (spec/deviations.md).
	replyMatching int64
	// headersMode (Kamailio 6.0's headers_mode): bit 1 copies the
	// received CANCEL's other headers into the CANCELs tm sends for it,
	// bit 2 sends an unmatched CANCEL relayed statelessly with kamgo's
	// Via alone.
	headersMode int64
	// evlreqMode (Kamailio 6.1's evlreq_mode): bit 1 runs
	// event_route[tm:local-request] for each CANCEL tm sends on a
	// branch, bit 2 for each ACK of a negative reply to an INVITE branch.
	evlreqMode int64
}

// The defaults are Kamailio 5.6.3's (tm/config.c, tm.c, t_reply.c), and
// 6.1's for the parameters added since.
func defaultConfig() config {
	return config{
		ruriMatching: 1, via1Matching: 1,
		frTimer: 30000, frInvTimer: 120000, wtTimer: 5000, retrTimer1: 500, retrTimer2: 4000,
		maxInvLifetime: 180000, maxNonInvLifetime: 32000,
		noisyCTimer: 1, autoInv100: 1, autoInv100Reason: "trying -- your call is important to us",
		unixTxTimeout: 500, restartFrOnEachReply: 1, aggregateChallenges: 1,
		defaultCode: 500, defaultReason: "Server Internal Error", reparseInvite: 1,
		blst503Max: 3600, blstMethodsAdd: methodInvite, blstMethodsLookup: ^methodBye,
		cancelBMethod: 1, reparseOnDNSFailover: 1,
		failureReplyMode: 3, remap503500: 1, localCancelReason: 1, e2eCancelReason: 1,
		execTimeCheck: 5000, replyRelayMode: 1, frInvTimerNext: 30000,
		reply408Code: 408, reply408Reason: "Request Timeout",
		delayedReply: 1,
	}
}

// replyMatchingActive is reply_matching's bit: replies match only
// transactions still active.
const replyMatchingActive = 1

// headers_mode's bits.
const (
	headersCancelCopy   = 1 // copy the received CANCEL's headers
	headersCancelFwdUAC = 2 // stateless CANCEL with kamgo's Via alone
)

// evlreq_mode's bits.
const (
	evlreqCancel = 1 // hop-by-hop CANCELs
	evlreqACK    = 2 // ACKs of negative replies
)

// Kamailio's method bits (METHOD_INVITE, METHOD_BYE), as the blst_methods
// parameters take them.
const (
	methodInvite = 1
	methodBye    = 8
)

// paramDef is one parameter: its declaration and where its value goes.
type paramDef struct {
	p   module.Param
	int *int64
	str *string
	add *[]string
}

func (m *Module) paramDefs() []paramDef {
	c := &m.cfg
	i := func(name string, p *int64) paramDef {
		return paramDef{p: module.Param{Name: name, Type: module.ParamInt, Default: value.MakeInt(*p)}, int: p}
	}
	s := func(name string, p *string) paramDef {
		d := paramDef{p: module.Param{Name: name, Type: module.ParamStr}, str: p}
		if *p != "" {
			d.p.Default = value.MakeStr(*p)
		}
		return d
	}
	return []paramDef{
		i("ruri_matching", &c.ruriMatching), i("via1_matching", &c.via1Matching),
		i("callid_matching", &c.callIDMatching), i("callid_cseq_matching", &c.callIDCSeqMatching),
		i("fr_timer", &c.frTimer), i("fr_inv_timer", &c.frInvTimer), i("wt_timer", &c.wtTimer),
		i("retr_timer1", &c.retrTimer1), i("retr_timer2", &c.retrTimer2),
		i("max_inv_lifetime", &c.maxInvLifetime), i("max_noninv_lifetime", &c.maxNonInvLifetime),
		i("noisy_ctimer", &c.noisyCTimer), i("auto_inv_100", &c.autoInv100),
		s("auto_inv_100_reason", &c.autoInv100Reason), i("unix_tx_timeout", &c.unixTxTimeout),
		i("restart_fr_on_each_reply", &c.restartFrOnEachReply),
		s("fr_timer_avp", &c.frTimerAVP), s("fr_inv_timer_avp", &c.frInvTimerAVP),
		{p: module.Param{Name: "tw_append", Type: module.ParamStr, Multi: true}, add: &c.twAppend},
		i("pass_provisional_replies", &c.passProvisional), i("aggregate_challenges", &c.aggregateChallenges),
		i("unmatched_cancel", &c.unmatchedCancel), i("default_code", &c.defaultCode),
		s("default_reason", &c.defaultReason), i("reparse_invite", &c.reparseInvite),
		s("ac_extra_hdrs", &c.acExtraHdrs), i("blst_503", &c.blst503),
		i("blst_503_def_timeout", &c.blst503Def), i("blst_503_min_timeout", &c.blst503Min),
		i("blst_503_max_timeout", &c.blst503Max), i("blst_methods_add", &c.blstMethodsAdd),
		i("blst_methods_lookup", &c.blstMethodsLookup), i("cancel_b_method", &c.cancelBMethod),
		i("reparse_on_dns_failover", &c.reparseOnDNSFailover), s("on_sl_reply", &c.onSLReply),
		s("contacts_avp", &c.contactsAVP), s("contact_flows_avp", &c.contactFlowsAVP),
		i("disable_6xx_block", &c.disable6xx), i("local_ack_mode", &c.localAckMode),
		i("failure_reply_mode", &c.failureReplyMode), i("faked_reply_prio", &c.fakedReplyPrio),
		i("remap_503_500", &c.remap503500), i("failure_exec_mode", &c.failureExecMode),
		i("dns_reuse_rcv_socket", &c.dnsReuseRcvSocket), i("local_cancel_reason", &c.localCancelReason),
		i("e2e_cancel_reason", &c.e2eCancelReason), s("xavp_contact", &c.xavpContact),
		s("event_callback", &c.eventCallback), i("relay_100", &c.relay100),
		i("rich_redirect", &c.richRedirect), s("event_callback_lres_sent", &c.eventCallbackLresSent),
		i("exec_time_check", &c.execTimeCheck), i("reply_relay_mode", &c.replyRelayMode),
		i("enable_uac_fr", &c.uacFR),
		ext(i("reply_408_code", &c.reply408Code), "Kamailio 6.0"),
		ext(s("reply_408_reason", &c.reply408Reason), "Kamailio 6.0"),
		ext(i("local_ack_branch_mode", &c.localAckBranchMode), "Kamailio 6.1"),
		ext(s("evcb_local_ack_sent", &c.evcbLocalAckSent), "Kamailio 6.1"),
		ext(i("delayed_reply", &c.delayedReply), "Kamailio 6.1"),
		// reply_matching came in 6.1.4, the point release the 6.1 catalog is.
		ext(i("reply_matching", &c.replyMatching), "Kamailio 6.1"),
		ext(i("headers_mode", &c.headersMode), "Kamailio 6.0"),
		ext(i("evlreq_mode", &c.evlreqMode), "Kamailio 6.1"),
	}
}

// ext marks a parameter a later Kamailio release added.
func ext(d paramDef, release string) paramDef {
	d.p.Ext = release
	return d
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	for _, d := range m.paramDefs() {
		if d.p.Name != name {
			continue
		}
		switch {
		case d.int != nil:
			*d.int = v.I
		case d.str != nil:
			*d.str = value.ToStr(v)
		case d.add != nil:
			*d.add = append(*d.add, value.ToStr(v))
		}
		return nil
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// ms is a parameter in milliseconds as a duration.
func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
