package rtpproxy

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/modules/nathelper/sdp"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: params,
		Funcs: []module.Func{
			{Name: "set_rtp_proxy_set", MinArgs: 1, MaxArgs: 1, Compile: m.compileSetSet},
			{Name: "unforce_rtp_proxy", MinArgs: 0, MaxArgs: 1, Compile: m.compileFlags(m.unforce)},
			{Name: "rtpproxy_destroy", MinArgs: 0, MaxArgs: 1, Compile: m.compileFlags(m.unforce)},
			{Name: "start_recording", MinArgs: 0, MaxArgs: 0, Compile: m.compileFlags(func(c *event.Context, msg *sipmsg.Msg, _ string) int {
				return m.startRecording(c, msg)
			})},
			{Name: "rtpproxy_offer", MinArgs: 0, MaxArgs: 2, Compile: m.compileOfferAnswer(true)},
			{Name: "rtpproxy_answer", MinArgs: 0, MaxArgs: 2, Compile: m.compileOfferAnswer(false)},
			{Name: "rtpproxy_stream2uac", MinArgs: 2, MaxArgs: 2, Compile: m.compileStream(true)},
			{Name: "rtpproxy_stream2uas", MinArgs: 2, MaxArgs: 2, Compile: m.compileStream(false)},
			{Name: "rtpproxy_stop_stream2uac", MinArgs: 0, MaxArgs: 0, Compile: m.compileFlags(func(c *event.Context, msg *sipmsg.Msg, _ string) int {
				return m.stopStream(c, msg, true)
			})},
			{Name: "rtpproxy_stop_stream2uas", MinArgs: 0, MaxArgs: 0, Compile: m.compileFlags(func(c *event.Context, msg *sipmsg.Msg, _ string) int {
				return m.stopStream(c, msg, false)
			})},
			{Name: "rtpproxy_manage", MinArgs: 0, MaxArgs: 2, Compile: m.compileManage},
		},
		Classes: m.classes(),
	}
}

// compileFlags compiles a function with an optional flags string.
func (m *Module) compileFlags(run func(c *event.Context, msg *sipmsg.Msg, flags string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		var f module.StrFunc
		if len(args) > 0 {
			var err error
			if f, err = args[0].Str(h); err != nil {
				return nil, err
			}
		}
		return func(c *event.Context) int {
			flags := ""
			if f != nil {
				flags = f(c)
			}
			return run(c, sipmsg.FromContext(c), flags)
		}, nil
	}
}

// compileOfferAnswer compiles rtpproxy_offer and rtpproxy_answer: flags,
// and an address to write instead of the proxy's.
func (m *Module) compileOfferAnswer(offer bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			msg := sipmsg.FromContext(c)
			flags := ""
			if len(fs) > 0 {
				flags = fs[0](c)
			}
			if len(fs) == 2 {
				return m.offerAnswer(c, msg, flags, fs[1](c), offer, true)
			}
			return m.offerAnswer(c, msg, flags, "", offer, false)
		}, nil
	}
}

// offerAnswer is rtpproxy_offer and rtpproxy_answer: an answer in a
// request is only for ACK (-1 otherwise).
func (m *Module) offerAnswer(c *event.Context, msg *sipmsg.Msg, flags, ip string, offer, forced bool) int {
	if !offer && msg.IsRequest() && msg.Method != "ACK" {
		return -1
	}
	if !forced {
		ip = msg.Dst.IP
	}
	return m.force(c, msg, flags, ip, offer, forced)
}

// compileManage compiles rtpproxy_manage([flags [, ip]]).
func (m *Module) compileManage(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		flags, ip, hasIP := "", "", false
		if len(fs) > 0 {
			flags = fs[0](c)
		}
		if len(fs) > 1 {
			ip, hasIP = fs[1](c), true
		}
		return m.manage(c, msg, flags, ip, hasIP)
	}, nil
}

// manage is rtpproxy_manage: by method and direction it deletes the
// session (CANCEL, BYE, a negative reply, an INVITE in failure_route),
// or sends the SDP as an offer or an answer. An INVITE's reply with SDP
// is an answer when the INVITE had SDP, else an offer (answered in the
// ACK).
func (m *Module) manage(c *event.Context, msg *sipmsg.Msg, flags, ip string, hasIP bool) int {
	if c.Route&routetype.BranchFailure != 0 {
		return 1
	}
	_, method, ok := msg.CSeq()
	if !ok {
		logf(c, klog.Err, "rtpproxy_manage(): no CSEQ header")
		return -1
	}
	switch method {
	case "INVITE", "ACK", "CANCEL", "BYE", "UPDATE", "PRACK":
	default:
		return -1
	}
	if method == "CANCEL" || method == "BYE" {
		return m.unforce(c, msg, flags)
	}
	if !hasIP {
		ip = msg.Dst.IP
	}
	hasSDP := hasSDPBody(msg)
	if msg.IsRequest() {
		switch {
		case method == "ACK" && hasSDP:
			return m.force(c, msg, flags, ip, false, hasIP)
		case (method == "PRACK" || method == "UPDATE") && hasSDP:
			return m.force(c, msg, flags, ip, true, hasIP)
		case method == "INVITE" && hasSDP:
			if c.Route&routetype.Failure != 0 {
				return m.unforce(c, msg, flags)
			}
			return m.force(c, msg, flags, ip, true, hasIP)
		}
		return -1
	}
	if msg.Status >= 300 {
		return m.unforce(c, msg, flags)
	}
	if !hasSDP {
		return -1
	}
	if method == "PRACK" || method == "UPDATE" {
		return m.force(c, msg, flags, ip, false, hasIP)
	}
	offer := false
	if m.tm != nil {
		if req, ok := m.tm.TxnRequest(c); ok && !hasSDPBody(req) {
			offer = true
		}
	}
	return m.force(c, msg, flags, ip, offer, hasIP)
}

// hasSDPBody reports whether msg's body parses as SDP (Kamailio's
// parse_sdp returning 0).
func hasSDPBody(msg *sipmsg.Msg) bool {
	_, err := sdp.FromMsg(msg)
	return err == nil
}

// unforce is unforce_rtp_proxy and rtpproxy_destroy: the D command for
// the call (1 when sent, whatever the proxy answers).
func (m *Module) unforce(c *event.Context, msg *sipmsg.Msg, flags string) int {
	via, to, extra := 0, true, false
	for i := 0; i < len(flags); i++ {
		switch ch := flags[i]; ch {
		case '1', '2', '3':
			viaOption(ch, msg, &via)
		case 't', 'T':
			to = false
		case 'b':
			extra = true
		case 'a', 'A', 'i', 'I', 'e', 'E', 'l', 'L', 'f', 'F', 'r', 'R', 'c', 'C', 'o', 'O', 'x', 'X', 'w', 'W', 'z', 'Z':
			// rtpproxy_manage passes its offer flags on.
		default:
			logf(c, klog.Err, "unforce_rtp_proxy(): unknown option `%c'", ch)
			return -1
		}
	}
	k, ok := callOf(c, msg, "unforce_rtp_proxy")
	if !ok {
		return -1
	}
	if !to {
		k.toTag = ""
	}
	id := k.callid
	if via != 0 {
		b, ok := viaBranch(msg, via)
		if !ok {
			logf(c, klog.Err, "unforce_rtp_proxy(): can't get Via branch")
			return -1
		}
		id += ";" + b
	} else if extra {
		if e, ok := m.extraIDOf(c); ok {
			id += ";" + e
		}
	}
	n := m.selectNode(m.setFor(c, msg), k.callid, true)
	if n == nil {
		logf(c, klog.Err, "unforce_rtp_proxy(): no available proxies")
		return -1
	}
	m.setInst(c, n)
	cmd := "D " + id + " " + k.fromTag
	if k.toTag != "" {
		cmd += " " + k.toTag
	}
	m.command(n, cmd)
	return 1
}

// startRecording is start_recording(): the R command.
func (m *Module) startRecording(c *event.Context, msg *sipmsg.Msg) int {
	k, ok := callOf(c, msg, "ki_start_recording")
	if !ok {
		return -1
	}
	n := m.selectNode(m.setFor(c, msg), k.callid, true)
	if n == nil {
		logf(c, klog.Err, "ki_start_recording(): no available proxies")
		return -1
	}
	m.setInst(c, n)
	cmd := "R " + k.callid + " "
	if !msg.IsRequest() {
		if k.toTag == "" {
			return -1
		}
		cmd += k.toTag + " " + k.fromTag
	} else {
		cmd += k.fromTag
		if k.toTag != "" {
			cmd += " " + k.toTag
		}
	}
	m.command(n, cmd)
	return 1
}

// compileStream compiles rtpproxy_stream2uac/uas(prompt, count): the
// prompt is a format string, the count a number (-1 plays forever).
func (m *Module) compileStream(uac bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		name, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		lit, ok := args[1].Literal()
		if !ok {
			if n, isInt := args[1].IntLiteral(); isInt {
				lit, ok = strconv.FormatInt(n, 10), true
			}
		}
		count, valid := value.Str2Sint(strings.TrimSpace(lit))
		if !ok || !valid {
			return nil, errf("bad number <%s>", lit)
		}
		return func(c *event.Context) int {
			return m.stream(c, sipmsg.FromContext(c), name(c), int(count), uac)
		}, nil
	}
}

// stream is rtpproxy_stream2uac/uas: the P command, playing a prompt to
// the caller (uac) or the callee.
func (m *Module) stream(c *event.Context, msg *sipmsg.Msg, prompt string, count int, uac bool) int {
	k, ok := callOf(c, msg, "rtpproxy_stream")
	if !ok {
		return -1
	}
	n := m.selectNode(m.setFor(c, msg), k.callid, true)
	if n == nil {
		logf(c, klog.Err, "rtpproxy_stream(): no available proxies")
		return -1
	}
	if !n.ptl {
		logf(c, klog.Err, "rtpproxy_stream(): required functionality is not supported by the version of the RTPproxy running on the selected node.  Please upgrade the RTPproxy and try again.")
		return -1
	}
	m.setInst(c, n)
	cmd := "P" + strconv.Itoa(count) + " " + k.callid + " " + prompt + " session "
	if !uac {
		if k.toTag == "" {
			return -1
		}
		cmd += k.toTag + ";1 " + k.fromTag + ";1"
	} else {
		cmd += k.fromTag + ";1 "
		if k.toTag != "" {
			cmd += k.toTag + ";1"
		}
	}
	m.command(n, cmd)
	return 1
}

// stopStream is rtpproxy_stop_stream2uac/uas: the S command.
func (m *Module) stopStream(c *event.Context, msg *sipmsg.Msg, uac bool) int {
	k, ok := callOf(c, msg, "rtpproxy_stop_stream")
	if !ok {
		return -1
	}
	n := m.selectNode(m.setFor(c, msg), k.callid, true)
	if n == nil {
		logf(c, klog.Err, "rtpproxy_stop_stream(): no available proxies")
		return -1
	}
	if !n.ptl {
		logf(c, klog.Err, "rtpproxy_stop_stream(): required functionality is not supported by the version of the RTPproxy running on the selected node.  Please upgrade the RTPproxy and try again.")
		return -1
	}
	m.setInst(c, n)
	cmd := "S " + k.callid + " "
	if !uac {
		if k.toTag == "" {
			return -1
		}
		cmd += k.toTag + ";1 " + k.fromTag + ";1"
	} else {
		cmd += k.fromTag + ";1 "
		if k.toTag != "" {
			cmd += k.toTag + ";1"
		}
	}
	m.command(n, cmd)
	return 1
}

// compileSetSet compiles set_rtp_proxy_set(id): a number naming a
// configured set (another is refused at load), or a pseudo-variable
// holding one.
func (m *Module) compileSetSet(h module.Host, args []*module.Arg) (module.Call, error) {
	lit, isLit := args[0].Literal()
	if n, ok := args[0].IntLiteral(); ok {
		lit, isLit = strconv.FormatInt(n, 10), true
	}
	if isLit && !strings.HasPrefix(lit, "$") {
		n, err := strconv.ParseInt(lit, 10, 16)
		if err != nil {
			h.Log().Logf(klog.Err, Name, "fixup_set_id(): bad number <%s>", lit)
			return nil, errf("bad number <%s>", lit)
		}
		s := m.setByID(uint32(n))
		if s == nil {
			h.Log().Logf(klog.Err, Name, "fixup_set_id(): rtpp_proxy set %d not configured", n)
			return nil, errf("rtpp_proxy set %d not configured", n)
		}
		return func(c *event.Context) int {
			m.choose(c, sipmsg.FromContext(c), s)
			return 1
		}, nil
	}
	ref, err := args[0].PV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		v := ref.Get(c)
		if v.K != value.Int && !v.Num {
			logf(c, klog.Err, "set_rtp_proxy_set_f(): pv param must hold an integer value")
			return -1
		}
		return m.setSet(c, sipmsg.FromContext(c), v.I, "set_rtp_proxy_set_f")
	}, nil
}

// setSet chooses set id for the message.
func (m *Module) setSet(c *event.Context, msg *sipmsg.Msg, id int64, fn string) int {
	s := m.setByID(uint32(id))
	if id < 0 || s == nil {
		logf(c, klog.Err, "%s(): could not locate rtpproxy set %d", fn, id)
		return -1
	}
	m.choose(c, msg, s)
	return 1
}
