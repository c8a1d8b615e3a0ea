// Package xlog is kamgo's xlog module: xlog, xlogl, xdbg, xinfo, xnotice,
// xwarn, xerr, xbug, xcrit, xalert, xdbgl and xlogm print format strings
// to the log as "LEVEL: <script>: text".
package xlog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

const defaultPrefix = "<script>: "

// Module is one loaded xlog module with its parameters.
type Module struct {
	bufSize    int
	longFormat int
	prefix     string
	prefixSet  bool
	log        *klog.Logger
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "xlog", New: func() module.Module { return newModule() }}
}

func newModule() *Module { return &Module{bufSize: 4096, prefix: defaultPrefix} }

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	fixed := func(name string, lv klog.Level, line bool) module.Func {
		return module.Func{Name: name, MinArgs: 1, MaxArgs: 1,
			Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				return m.compile(h, name, constLevel(lv), args[0], line)
			}}
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "buf_size", Type: module.ParamInt, Default: value.MakeInt(4096)},
			{Name: "force_color", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "long_format", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "prefix", Type: module.ParamStr, Default: value.MakeStr(defaultPrefix)},
			{Name: "log_facility", Type: module.ParamStr},
			{Name: "log_colors", Type: module.ParamStr, Multi: true},
			{Name: "methods_filter", Type: module.ParamInt},
			{Name: "prefix_mode", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: []module.Func{
			{Name: "xlog", MinArgs: 1, MaxArgs: 3, Compile: m.compileLeveled("xlog", false)},
			{Name: "xlogl", MinArgs: 1, MaxArgs: 3, Compile: m.compileLeveled("xlogl", true)},
			{Name: "xlogm", MinArgs: 2, MaxArgs: 2, Compile: m.compileLeveled("xlogm", false)},
			fixed("xdbg", klog.Dbg, false),
			fixed("xdbgl", klog.Dbg, true),
			fixed("xinfo", klog.Info, false),
			fixed("xnotice", klog.Notice, false),
			fixed("xwarn", klog.Warn, false),
			fixed("xerr", klog.Err, false),
			fixed("xbug", klog.Bug, false),
			fixed("xcrit", klog.Crit, false),
			fixed("xalert", klog.Alert, false),
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "buf_size":
		if v.K != value.Int || v.I <= 0 {
			return fmt.Errorf("xlog: buf_size must be a positive integer")
		}
		m.bufSize = int(v.I)
	case "long_format":
		m.longFormat = int(v.I)
	case "prefix":
		m.prefix = v.String()
		m.prefixSet = true
	case "force_color", "log_facility", "log_colors", "methods_filter", "prefix_mode":
		// Accepted for compatibility; colours, syslog facilities and SIP
		// method filters do not apply to kamgo's log.
	default:
		return fmt.Errorf("xlog: unknown parameter %q", name)
	}
	return nil
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.log = h.Log()
	return nil
}

type levelFunc func(c *event.Context) (klog.Level, bool)

func constLevel(lv klog.Level) levelFunc {
	return func(*event.Context) (klog.Level, bool) { return lv, true }
}

// compileLeveled handles xlog([[facility,] level,] fmt).
func (m *Module) compileLeveled(name string, line bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		lv := constLevel(klog.Err)
		if len(args) >= 2 {
			var err error
			lv, err = compileLevel(h, args[len(args)-2])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		if len(args) == 3 {
			if f, ok := args[0].Literal(); ok && !strings.HasPrefix(f, "LOG_") {
				return nil, fmt.Errorf("%s: unknown log facility %q", name, f)
			}
		}
		return m.compile(h, name, lv, args[len(args)-1], line)
	}
}

// compileLevel accepts a level name ("L_INFO", "L_ERR" ...) or a
// pseudo-variable holding a level number.
func compileLevel(h module.Host, a *module.Arg) (levelFunc, error) {
	if s, ok := a.Literal(); ok && !strings.HasPrefix(s, "$") {
		lv, ok := parseLevel(s)
		if !ok {
			return nil, fmt.Errorf("unknown log level %q", s)
		}
		return constLevel(lv), nil
	}
	if n, ok := a.IntLiteral(); ok {
		return constLevel(klog.Level(n)), nil
	}
	r, err := a.PV(h)
	if err != nil {
		return nil, fmt.Errorf("level: %v", err)
	}
	return func(c *event.Context) (klog.Level, bool) {
		v := r.Get(c)
		switch v.K {
		case value.Int:
			return klog.Level(v.I), true
		case value.Str:
			n, err := strconv.Atoi(strings.TrimSpace(v.S))
			return klog.Level(n), err == nil
		}
		return 0, false
	}, nil
}

// parseLevel maps a level name as xlog's fixup does: only the third
// character counts (L_ALERT, L_BUG, L_CRIT, L_ERR, L_WARN, L_NOTICE,
// L_INFO, L_DBG), so "L_NOPE" is L_NOTICE and "XXE" is L_ERR.
func parseLevel(s string) (klog.Level, bool) {
	if len(s) < 3 {
		return 0, false
	}
	switch s[2] {
	case 'A':
		return klog.Alert, true
	case 'B':
		return klog.Bug, true
	case 'C':
		return klog.Crit, true
	case 'E':
		return klog.Err, true
	case 'W':
		return klog.Warn, true
	case 'N':
		return klog.Notice, true
	case 'I':
		return klog.Info, true
	case 'D':
		return klog.Dbg, true
	}
	return 0, false
}

func (m *Module) compile(h module.Host, name string, lv levelFunc, a *module.Arg, line bool) (module.Call, error) {
	text, err := a.Str(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	lineHead := ""
	if line {
		rng := a.Expr.Span()
		if m.longFormat == 1 {
			lineHead = fmt.Sprintf("%s:%d:", rng.File, rng.Start.Line)
		} else {
			lineHead = fmt.Sprintf("%d:", rng.Start.Line)
		}
	}
	log := h.Log()
	head, custom := m.prefix, m.prefixSet && m.prefix != defaultPrefix
	bufSize := m.bufSize
	return func(c *event.Context) int {
		l, ok := lv(c)
		if !ok {
			return -1
		}
		lg := c.Log
		if lg == nil {
			lg = log
		}
		if lg == nil || !lg.Enabled(l) {
			return 1
		}
		msg := text(c)
		if len(msg) >= bufSize {
			lg.Logf(klog.Err, "core", "no more space for the log message - printed:%d buffer:%d", len(msg), bufSize)
			return -1
		}
		msg = lineHead + msg
		if custom {
			lg.LogHead(l, c.LogPrefix, "script", head, msg)
		} else {
			lg.LogPrefixed(l, c.LogPrefix, "script", msg)
		}
		return 1
	}, nil
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
