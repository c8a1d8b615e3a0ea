// Package sanity is kamgo's sanity module: checks that a SIP message is
// well formed before a configuration relies on it. sanity_check runs the
// checks its bit masks (or the default_checks and uri_checks parameters)
// choose, in Kamailio's order, and stops at the first that fails; a failed
// check answers the request through sl with the code and reason Kamailio
// sends (400 Bad Request URI, 420 Bad Proxy Require Extension ...), or,
// with the noreply parameter, keeps that reply for sanity_reply.
//
// Checks, replies, return codes and log lines follow Kamailio 5.6.3's
// sanity module; the package README lists where kamgo differs.
package sanity

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "sanity.so"` names it.
const Name = "sanity"

// The checks of the first argument of sanity_check (and default_checks).
const (
	CheckRURIVersion   = 1 << 0
	CheckRURIScheme    = 1 << 1
	CheckRequired      = 1 << 2
	CheckViaVersion    = 1 << 3
	CheckViaProtocol   = 1 << 4
	CheckCSeqMethod    = 1 << 5
	CheckCSeqValue     = 1 << 6
	CheckCL            = 1 << 7
	CheckExpires       = 1 << 8
	CheckProxyRequire  = 1 << 9
	CheckParseURIs     = 1 << 10
	CheckDigest        = 1 << 11
	CheckDupTags       = 1 << 12
	CheckAuthorization = 1 << 13
	CheckVia1          = 1 << 14
	checksEnd          = 1 << 15 // one past the largest mask

	// DefaultChecks is default_checks' default.
	DefaultChecks = CheckRURIVersion | CheckRURIScheme | CheckRequired | CheckCSeqMethod |
		CheckCSeqValue | CheckCL | CheckExpires | CheckProxyRequire | CheckDigest
)

// The URIs check CheckParseURIs parses (the second argument, uri_checks).
const (
	URIRequest = 1 << 0
	URIFrom    = 1 << 1
	URITo      = 1 << 2
	URIContact = 1 << 3
	urisEnd    = 1 << 4

	// DefaultURIChecks is uri_checks' default.
	DefaultURIChecks = URIRequest | URIFrom | URITo
)

func init() { module.Register(new(Module)) }

// Module is one loaded sanity module.
type Module struct {
	// Parameters (modparam).
	defaultChecks int64
	uriChecks     int64
	proxyRequire  string
	autodrop      int64
	noreply       int64

	supported []string // proxy_require as a list
	host      module.Host
	reply     replyFunc
}

// stateKey holds the event's sanity state (see state).
var stateKey = event.NewKey()

// replyFunc sends a stateless reply to the request of c (sl's
// sl_send_reply): 1 when sent, -1 when not.
type replyFunc func(c *event.Context, code int, reason string) int

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{defaultChecks: DefaultChecks, uriChecks: DefaultURIChecks, autodrop: 1}
}

// Exports implements module.Exporter. bind_sanity is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "default_checks", Type: module.ParamInt, Default: value.MakeInt(DefaultChecks)},
			{Name: "uri_checks", Type: module.ParamInt, Default: value.MakeInt(DefaultURIChecks)},
			{Name: "proxy_require", Type: module.ParamStr, Default: value.MakeStr("")},
			{Name: "autodrop", Type: module.ParamInt, Default: value.MakeInt(1)},
			{Name: "noreply", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: []module.Func{
			{Name: "sanity_check", MinArgs: 0, MaxArgs: 2, Compile: m.compileCheck},
			{Name: "sanity_reply", Compile: m.compileReply},
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "default_checks":
		m.defaultChecks = v.I
	case "uri_checks":
		m.uriChecks = v.I
	case "proxy_require":
		m.proxyRequire = v.S
	case "autodrop":
		m.autodrop = v.I
	case "noreply":
		m.noreply = v.I
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: it binds sl, whose replies
// the checks send, and reads proxy_require.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	m.supported = splitList(m.proxyRequire)
	sl, ok := h.Module("sl")
	if !ok {
		return errors.New("mod_init(): cannot bind to SL API")
	}
	m.reply = slReply(h, sl)
	if m.reply == nil {
		return errors.New("mod_init(): cannot bind to SL API")
	}
	return nil
}

// slReply returns sl's stateless reply (sl_send_reply).
func slReply(_ module.Host, sl module.Module) replyFunc {
	r, ok := sl.(interface {
		SendReply(c *event.Context, code int, reason string) int
	})
	if !ok {
		return nil
	}
	return r.SendReply
}

// splitList splits a comma-separated list as Kamailio's parse_str_list:
// the elements trimmed, empty ones kept; nil for an empty text.
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
