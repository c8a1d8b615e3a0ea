package rr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The script functions: each compiles its arguments as Kamailio's fixups
// do and runs the function on the event's message.

// compileLoose compiles loose_route() (modeAny) and
// loose_route_preloaded().
func (m *Module) compileLoose(which int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) {
		return func(c *event.Context) int {
			rc := m.looseRoute(c, sipmsg.FromContext(c), 0)
			if which == modePreloaded {
				return preloadedRC(rc)
			}
			return rc
		}, nil
	}
}

// preloadedRC is loose_route_preloaded's result: 1 only for a preloaded
// Route set that named only this server.
func preloadedRC(rc int) int {
	if rc == rrPreloaded {
		return 1
	}
	return -1
}

// compileLooseMode compiles loose_route_mode(mode): an int or a
// pseudo-variable holding one.
func (m *Module) compileLooseMode(h module.Host, args []*module.Arg) (module.Call, error) {
	mode, err := args[0].Int(h)
	if err != nil {
		return nil, errors.New("fixup_igp_null(): Cannot convert function parameter 1 to FPARAM_INT|FPARAM_PVS")
	}
	return func(c *event.Context) int {
		v, ok := mode(c)
		if !ok {
			logf(c, klog.Err, "w_loose_route_mode(): failed to get the mode parameter")
			return -1
		}
		return m.looseRoute(c, sipmsg.FromContext(c), v)
	}, nil
}

// str compiles an optional format-string argument.
func str(h module.Host, args []*module.Arg, i int) (module.StrFunc, error) {
	if i >= len(args) {
		return nil, nil
	}
	return args[i].Str(h)
}

func (m *Module) compileRecordRoute(h module.Host, args []*module.Arg) (module.Call, error) {
	params, err := str(h, args, 0)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		p := ""
		if params != nil {
			p = params(c)
		}
		return m.doRecordRoute(c, sipmsg.FromContext(c), p, "w_record_route")
	}, nil
}

func (m *Module) compilePreset(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		addrs := make([]string, len(fs))
		for i, f := range fs {
			addrs[i] = f(c)
		}
		return m.doPreset(c, sipmsg.FromContext(c), addrs, "w_record_route_preset", false)
	}, nil
}

func (m *Module) compileAdvertised(h module.Host, args []*module.Arg) (module.Call, error) {
	addr, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.doAdvertised(c, sipmsg.FromContext(c), addr(c), "w_record_route_advertised_address")
	}, nil
}

func (m *Module) compileAddParam(h module.Host, args []*module.Arg) (module.Call, error) {
	param, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if m.addParam(c, sipmsg.FromContext(c), param(c)) < 0 {
			return -1
		}
		return 1
	}, nil
}

// compileRE compiles a regular expression as Kamailio's fixup_regexp_null
// does: POSIX extended, case-insensitive, newline-sensitive.
func compileRE(pat string) (*regexp.Regexp, error) {
	t, err := ere.Translate(pat, true)
	if err != nil {
		return nil, err
	}
	return regexp.Compile("(?m)" + t)
}

func (m *Module) compileCheckParam(_ module.Host, args []*module.Arg) (module.Call, error) {
	pat, ok := args[0].Literal()
	if !ok {
		return nil, errors.New("check_route_param: the regular expression must be a string")
	}
	re, err := compileRE(pat)
	if err != nil {
		return nil, fmt.Errorf("fix_actions(): fixing failed (code=-1): bad regular expression %q: %v", pat, err)
	}
	return func(c *event.Context) int { return checkRouteParam(c, sipmsg.FromContext(c), re) }, nil
}

// parseDirection reads is_direction's argument, any case.
func parseDirection(s string) (int, bool) {
	switch {
	case strings.EqualFold(s, "downstream"):
		return downstream, true
	case strings.EqualFold(s, "upstream"):
		return upstream, true
	}
	return 0, false
}

func (m *Module) compileDirection(_ module.Host, args []*module.Arg) (module.Call, error) {
	if m.appendFromTag == 0 {
		return nil, errors.New(`direction_fixup(): usage of "is_direction" function requires parameter "append_fromtag" enabled`)
	}
	s, ok := args[0].Literal()
	if !ok {
		return nil, errors.New("direction_fixup(): the direction must be downstream or upstream")
	}
	dir, ok := parseDirection(s)
	if !ok {
		return nil, fmt.Errorf("direction_fixup(): unknown direction '%s'", s)
	}
	return func(c *event.Context) int { return m.isDirection(c, sipmsg.FromContext(c), dir) }, nil
}

func (m *Module) compileRemove(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.remove(c, sipmsg.FromContext(c)) }, nil
}

func (m *Module) compileNextHop(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.nextHopRoute(c, sipmsg.FromContext(c)) }, nil
}
