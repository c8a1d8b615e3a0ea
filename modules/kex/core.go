package kex

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileSetDstURI compiles setdsturi(uri): $du becomes the format's
// value (an empty one unsets it). Returns 1.
func compileSetDstURI(h module.Host, args []*module.Arg) (module.Call, error) {
	uri, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		sipmsg.FromContext(c).DstURI = uri(c)
		return 1
	}, nil
}

// resetDstURI is resetdsturi(): $du is unset. Returns 1.
func resetDstURI(c *event.Context) int {
	sipmsg.FromContext(c).DstURI = ""
	return 1
}

// isDstURISet is isdsturiset(): 1 when $du is set, else -1.
func isDstURISet(c *event.Context) int {
	if sipmsg.FromContext(c).DstURI == "" {
		return -1
	}
	return 1
}

// compilePVPrintf compiles pv_printf(pv, format) and avp_printf: the
// first argument names a writable pseudo-variable, which gets the
// format's value as a string. Returns 1, or -1 when the assignment fails.
func compilePVPrintf(h module.Host, args []*module.Arg) (module.Call, error) {
	dst, err := args[0].OutPV(h)
	if err != nil {
		return nil, err
	}
	format, err := args[1].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if err := dst.Set(c, value.MakeStr(format(c))); err != nil {
			logf(c, klog.Err, "w_pv_printf(): setting PV failed")
			return -1
		}
		return 1
	}, nil
}

// compileIsMyself compiles is_myself(uri): a sip: or sips: URI is this
// server when its host is, at its port and transport when it names them;
// anything else is taken as a host. 1 or -1.
func compileIsMyself(h module.Host, args []*module.Arg) (module.Call, error) {
	arg, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if isMyself(c, arg(c)) {
			return 1
		}
		return -1
	}, nil
}

func isMyself(c *event.Context, s string) bool {
	host, port, proto := s, 0, sipmsg.ProtoNone
	if len(s) > 4 && (strings.HasPrefix(s, "sip:") || strings.HasPrefix(s, "sips:")) {
		u, err := sipmsg.ParseURI(s)
		if err != nil || u.IsTel() || u.Host == "" {
			logf(c, klog.Err, "w_is_myself(): failed to parse uri [%s]", s)
			return false
		}
		host = u.Host
		if u.Port != "" {
			port = u.PortNumber()
		}
		if _, ok := u.Param("transport"); ok {
			proto = u.Proto()
		}
	}
	t := sip.From(c)
	return t != nil && t.Myself(host, port, proto)
}

// compileSetDebug compiles setdebug(level): the log level becomes level
// until resetdebug. Returns 1.
func (m *Module) compileSetDebug(h module.Host, args []*module.Arg) (module.Call, error) {
	level, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := level(c)
		if !ok {
			logf(c, klog.Err, "w_setdebug(): no debug level value")
			return -1
		}
		return m.setDebug(c, n)
	}, nil
}

func (m *Module) setDebug(c *event.Context, n int64) int {
	if c.Log != nil {
		c.Log.SetThreshold(klog.Level(n))
	}
	return 1
}

// resetDebug is resetdebug(): the log level is the core's debug again.
func (m *Module) resetDebug(c *event.Context) int {
	if c.Log != nil {
		c.Log.SetThreshold(m.debug)
	}
	return 1
}
