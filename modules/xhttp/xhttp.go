// Package xhttp is kamgo's xhttp module: HTTP requests that arrive on the
// TCP connections of the SIP listeners run event_route[xhttp:request] (or
// the KEMI event_callback), where xhttp_reply answers them; $hu is the
// request's URL. The transport hands HTTP requests over as Kamailio's
// core does (runtime/sip NonSIPHandler): with a Via of the peer added, so
// that the reply goes back on the connection and carries that Via renamed
// Sia. url_match and url_skip choose which URLs the module takes;
// {url.path} and {url.querystring} split a URL. Other modules answer
// through Reply (jsonrpcs' jsonrpc_dispatch).
//
// Return codes and log lines follow Kamailio 5.6.3's xhttp module; the
// package README lists where kamgo differs.
package xhttp

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "xhttp.so"` names it.
const Name = "xhttp"

// EventRequest is the event route HTTP requests run.
const EventRequest = "xhttp:request"

func init() { module.Register(new(Module)) }

// Module is one loaded xhttp module.
type Module struct {
	urlMatch, urlSkip string // parameters, "" when unset
	callback          string // event_callback

	match, skip *regexp.Regexp
	host        module.Host
	log         *klog.Logger
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return new(Module) }}
}

// Exports implements module.Exporter. bind_xhttp is an API for C modules,
// not a script function.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "url_match", Type: module.ParamStr},
			{Name: "url_skip", Type: module.ParamStr},
			{Name: "event_callback", Type: module.ParamStr},
		},
		Funcs: []module.Func{
			{Name: "xhttp_reply", MinArgs: 4, MaxArgs: 4, Compile: m.compileReply},
		},
		Classes: []*pv.Class{{Name: "hu", Module: Name, Compile: compileHU}},
		Trans:   []*pv.TransClass{urlTrans()},
		Events:  []string{EventRequest},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "url_match":
		m.urlMatch = v.S
	case "url_skip":
		m.urlSkip = v.S
	case "event_callback":
		m.callback = v.S
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: as Kamailio's mod_init, it
// needs event_route[xhttp:request] (or a KEMI callback), warns when
// tcp_accept_no_cl is off, needs sl, and compiles the URL expressions.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if m.callback != "" {
		if module.EngineOf(h) == nil {
			m.log.Log(klog.Err, Name, "mod_init(): failed to find kemi engine")
			return errors.New("xhttp: event_callback without a KEMI engine")
		}
	} else if !h.Has(event.Event(EventRequest)) {
		m.log.Log(klog.Err, Name, "mod_init(): failed to find event_route[xhttp:request]")
		return errors.New("xhttp: no event_route[xhttp:request]")
	}
	if v, ok := h.CoreParam("tcp_accept_no_cl"); !ok || v.K != value.Int || v.I == 0 {
		m.log.Log(klog.Warn, Name, "mod_init(): tcp_accept_no_cl not set - usually required to handle HTTP requests with no Content-Length")
	}
	if _, ok := h.Module("sl"); !ok {
		m.log.Log(klog.Err, Name, "mod_init(): cannot bind to SL API")
		return errors.New("xhttp needs the sl module")
	}
	var err error
	if m.urlMatch != "" {
		if m.match, err = ere.Compile(m.urlMatch, false); err != nil {
			m.log.Logf(klog.Err, Name, "mod_init(): bad match re %s", m.urlMatch)
			return fmt.Errorf("xhttp: bad url_match %q: %v", m.urlMatch, err)
		}
	}
	if m.urlSkip != "" {
		if m.skip, err = ere.Compile(m.urlSkip, false); err != nil {
			m.log.Logf(klog.Err, Name, "mod_init(): bad skip re %s", m.urlSkip)
			return fmt.Errorf("xhttp: bad url_skip %q: %v", m.urlSkip, err)
		}
	}
	return nil
}

// NonSIP implements sip.NonSIPHandler: an HTTP request whose URL url_skip
// does not exclude and url_match (when set) accepts runs the event route;
// it is taken either way once it is HTTP, as Kamailio drops it after the
// route.
func (m *Module) NonSIP(c *event.Context, msg *sipmsg.Msg) bool {
	if !msg.IsHTTP() {
		return false
	}
	if m.skip != nil && m.skip.MatchString(msg.RURI) {
		return false
	}
	if m.match != nil && !m.match.MatchString(msg.RURI) {
		return false
	}
	c.Event = EventRequest
	if _, ran := module.RunEvent(m.host, c, EventRequest, m.callback); !ran {
		m.log.Log(klog.Err, Name, "xhttp_process_request(): no event route or kemi callback found for execution")
	}
	return true
}

// Reply answers the HTTP request of c: code and reason, a Content-Type
// header when ctype is not empty, and body, through the connection it came
// on. It returns 0, or -1 when the reply could not be sent (Kamailio's
// xhttp API reply).
func (m *Module) Reply(c *event.Context, code int, reason, ctype, body string) int {
	req := sipmsg.FromContext(c)
	t := sip.From(c)
	if req == nil || t == nil {
		return -1
	}
	headers := req.ReplyHeaders
	if ctype != "" {
		headers += "Content-Type: " + ctype + "\r\n"
	}
	buf := sip.BuildReply(req, sip.Reply{Code: code, Reason: reason, Headers: headers, Body: body, Server: t.Server()})
	if err := t.SendReply(c, req, buf); err != nil {
		m.log.Log(klog.Err, Name, "xhttp_send_reply(): Error while sending reply")
		return -1
	}
	return 0
}

// compileReply compiles xhttp_reply(code, reason, ctype, body): the code
// a number or a pseudo-variable holding one, the others format strings.
func (m *Module) compileReply(h module.Host, args []*module.Arg) (module.Call, error) {
	code, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	var strs [3]module.StrFunc
	for i := range strs {
		if strs[i], err = args[i+1].Str(h); err != nil {
			return nil, err
		}
	}
	return func(c *event.Context) int {
		n, ok := code(c)
		if !ok {
			m.log.Log(klog.Err, Name, "w_xhttp_send_reply(): no reply code value")
			return -1
		}
		return m.reply(c, n, strs[0](c), strs[1](c), strs[2](c))
	}, nil
}

// reply is xhttp_reply with its checks: a code in 100..700 and a reason.
func (m *Module) reply(c *event.Context, code int64, reason, ctype, body string) int {
	if code < 100 || code > 700 {
		m.log.Log(klog.Err, Name, "w_xhttp_send_reply(): invalid code parameter")
		return -1
	}
	if reason == "" {
		m.log.Log(klog.Err, Name, "w_xhttp_send_reply(): invalid reason parameter")
		return -1
	}
	if m.Reply(c, int(code), reason, ctype, body) < 0 {
		return -1
	}
	return 1
}

// compileHU compiles $hu: the URL of the HTTP request (the request line's
// URI as received).
func compileHU(_ *pv.Table, _ *ast.PVar) (pv.Spec, error) {
	return pv.GetterFunc(func(c *event.Context) value.Value {
		if msg := sipmsg.FromContext(c); msg != nil && msg.IsRequest() {
			return value.MakeStr(msg.RURI)
		}
		return value.NullValue
	}), nil
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ sip.NonSIPHandler  = (*Module)(nil)
)
