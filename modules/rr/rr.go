// Package rr is kamgo's rr module: record-routing and loose routing
// (RFC 3261 §16.6, §16.12 and §12), as Kamailio's rr module does them.
//
// record_route and its variants add a Record-Route header naming this
// server to a request, as a change of the message (runtime/sipmsg's
// Insert): it shows in the forwarded message and $mbu, not in $hdr.
// loose_route follows the Route headers of a request: the entries that
// name this server (runtime/sip's Transport.Myself) are removed, the next
// hop becomes the destination URI ($du), and a strict router before or
// after this server is handled as RFC 3261 §16.4 and §16.6 ask (the
// Request-URI taken from or put back into the Route set). is_direction,
// check_route_param, $fti, $tti and $rdir read the parameters of this
// server's Route entry (ftag, the From tag of the request that made the
// dialog).
//
// Texts, return codes and log lines follow Kamailio 5.6.3's rr module;
// the package README lists where kamgo differs.
package rr

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "rr.so"` names it.
const Name = "rr"

func init() { module.Register(new(Module)) }

// Module is one loaded rr module.
type Module struct {
	// Parameters (modparam), with Kamailio's defaults.
	appendFromTag   int64 // append_fromtag: ftag in Record-Route
	doubleRR        int64 // enable_double_rr: 0 off, 1 when sockets differ, 2 always
	fullLR          int64 // enable_full_lr: lr=on instead of lr
	addUsername     int64 // add_username: user@ in Record-Route
	mismatchWarn    int64 // enable_socket_mismatch_warning
	forceSendSocket int64 // force_send_socket: loose_route forces the socket of this server's Route
	ignoreSips      int64 // ignore_sips: sip: Record-Route for a sips: Request-URI
	socknameMode    int64 // sockname_mode: sn=<socket name> in Record-Route, used by loose_route
	customUser      string

	customRef *pv.Ref // custom_user_avp compiled; nil when unset
	log       *klog.Logger
	cbs       callbacks // other modules' loose_route callbacks (callbacks.go)
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{appendFromTag: 1, doubleRR: 1, mismatchWarn: 1}
}

// Exports implements module.Exporter. load_rr is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	i := func(name string, def int64) module.Param {
		return module.Param{Name: name, Type: module.ParamInt, Default: value.MakeInt(def)}
	}
	return module.Exports{
		Params: []module.Param{
			i("append_fromtag", 1),
			i("enable_double_rr", 1),
			i("enable_full_lr", 0),
			i("add_username", 0),
			i("enable_socket_mismatch_warning", 1),
			{Name: "custom_user_avp", Type: module.ParamStr},
			i("force_send_socket", 0),
			i("ignore_sips", 0),
			i("sockname_mode", 0),
		},
		Funcs: []module.Func{
			{Name: "loose_route", Compile: m.compileLoose(modeAny)},
			{Name: "loose_route_preloaded", Compile: m.compileLoose(modePreloaded)},
			{Name: "loose_route_mode", MinArgs: 1, MaxArgs: 1, Compile: m.compileLooseMode},
			{Name: "record_route", MinArgs: 0, MaxArgs: 1, Compile: m.compileRecordRoute},
			{Name: "record_route_preset", MinArgs: 1, MaxArgs: 2, Compile: m.compilePreset},
			{Name: "record_route_advertised_address", MinArgs: 1, MaxArgs: 1, Compile: m.compileAdvertised},
			{Name: "add_rr_param", MinArgs: 1, MaxArgs: 1, Compile: m.compileAddParam},
			{Name: "check_route_param", MinArgs: 1, MaxArgs: 1, Compile: m.compileCheckParam},
			{Name: "is_direction", MinArgs: 1, MaxArgs: 1, Compile: m.compileDirection},
			{Name: "remove_record_route", Compile: m.compileRemove},
			{Name: "rr_next_hop_route", Compile: m.compileNextHop},
		},
		Classes: m.classes(),
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	p := map[string]*int64{
		"append_fromtag":                 &m.appendFromTag,
		"enable_double_rr":               &m.doubleRR,
		"enable_full_lr":                 &m.fullLR,
		"add_username":                   &m.addUsername,
		"enable_socket_mismatch_warning": &m.mismatchWarn,
		"force_send_socket":              &m.forceSendSocket,
		"ignore_sips":                    &m.ignoreSips,
		"sockname_mode":                  &m.socknameMode,
	}
	if name == "custom_user_avp" {
		m.customUser = v.String()
		return nil
	}
	dst, ok := p[name]
	if !ok {
		return fmt.Errorf("unknown parameter %s", name)
	}
	*dst = v.I
	return nil
}

// Provision implements module.Provisioner. custom_user_avp must name a
// pseudo-variable; Kamailio's check that it is an AVP never fires for one
// that parses (its test is inverted), so any readable one is accepted.
func (m *Module) Provision(h module.Host) error {
	m.log = h.Log()
	if m.customUser != "" {
		r, err := h.CompilePV(m.customUser, diag.Range{})
		if err != nil {
			return fmt.Errorf("mod_init(): malformed or non AVP custom_user AVP definition in '%s'", m.customUser)
		}
		m.customRef = r
	}
	return nil
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
