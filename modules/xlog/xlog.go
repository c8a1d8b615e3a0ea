// Package xlog is kamgo's xlog module: xlog, xlogl, xlogm, xdbg, xinfo,
// xnotice, xwarn, xerr, xbug, xcrit, xalert and xdbgl print format
// strings to the log as "LEVEL: <script>: text", and $C(xy) gives the
// terminal colour escapes Kamailio prints.
package xlog

import (
	"fmt"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"strings"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

const defaultPrefix = "<script>: "

// Module is one loaded xlog module with its parameters.
type Module struct {
	bufSize       int
	longFormat    int64
	prefix        string
	prefixSet     bool
	prefixMode    int64
	prefixFmt     *pv.Format // prefix compiled when prefixMode is set
	forceColor    int64
	methodsFilter int64
	cfg           *cfgvars.ModuleGroup // the xlog group: methods_filter as cfg.set leaves it
	colors        bool                 // $C prints escapes: log_stderror or force_color
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "xlog", New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{bufSize: 4096, prefix: defaultPrefix, methodsFilter: -1}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	fixed := func(name string, lv klog.Level, line bool) module.Func {
		return module.Func{Name: name, MinArgs: 1, MaxArgs: 1,
			Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				return m.compile(h, name, "", constLevel(lv), args[0], line, false)
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
			{Name: "methods_filter", Type: module.ParamInt, Default: value.MakeInt(-1)},
			{Name: "prefix_mode", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: []module.Func{
			{Name: "xlog", MinArgs: 1, MaxArgs: 3, Compile: m.compileLeveled("xlog", false, false)},
			{Name: "xlogl", MinArgs: 1, MaxArgs: 3, Compile: m.compileLeveled("xlogl", true, false)},
			{Name: "xlogm", MinArgs: 2, MaxArgs: 2, Compile: m.compileLeveled("xlogm", false, true)},
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
		Classes: []*pv.Class{{Name: "C", Module: "xlog", Compile: m.compileColor}},
	}
}

// SetParam implements module.ParamSetter. Values are checked as
// Kamailio checks them: log_colors when it is set, log_facility and a
// prefix_mode prefix at startup (Provision).
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "buf_size":
		// Kamailio accepts any number; with 0 or less no message fits.
		m.bufSize = int(v.I)
	case "long_format":
		m.longFormat = v.I
	case "prefix":
		m.prefix = v.String()
		m.prefixSet = true
	case "prefix_mode":
		m.prefixMode = v.I
	case "force_color":
		m.forceColor = v.I
	case "methods_filter":
		m.methodsFilter = v.I
	case "log_facility":
		if _, ok := facility(v.String()); !ok {
			return fmt.Errorf("xlog: invalid syslog facility %s", v.String())
		}
	case "log_colors":
		return checkLogColors(v.String())
	default:
		return fmt.Errorf("xlog: unknown parameter %q", name)
	}
	return nil
}

// Provision implements module.Provisioner: it compiles a prefix_mode
// prefix and decides whether $C prints colours (Kamailio prints them
// when it logs to stderr, log_stderror=yes, or with force_color).
func (m *Module) Provision(h module.Host) error {
	if m.prefixMode != 0 {
		f, err := h.CompileFormat(m.prefix, noRange)
		if err != nil {
			return fmt.Errorf("xlog: wrong format[%s]: %v", m.prefix, err)
		}
		m.prefixFmt = f
	}
	m.colors = m.forceColor != 0 || coreTrue(h, "log_stderror")
	g, err := cfgvars.DeclareModule(h, "xlog", cfgDefs, []value.Value{value.MakeInt(m.methodsFilter)})
	m.cfg = g
	return err
}

// cfgDefs is the xlog group of Kamailio's configuration framework.
var cfgDefs = []cfgvars.Def{
	{Name: "methods_filter", Type: cfgvars.Int, Descr: "Bit mask of the request methods xlogm leaves out"},
}

// filter is methods_filter as the event reads it.
func (m *Module) filter(c *event.Context) int64 {
	if m.cfg == nil {
		return m.methodsFilter
	}
	return m.cfg.Int(c, 0)
}

// coreTrue reports whether a core parameter is set to a true value
// (yes, on, 1 ...; the parser reads those words as 1).
func coreTrue(h module.Host, name string) bool {
	v, ok := h.CoreParam(name)
	if !ok {
		return false
	}
	switch v.K {
	case value.Int:
		return v.I != 0
	case value.Str:
		switch strings.ToLower(v.S) {
		case "yes", "on", "true", "enable", "1":
			return true
		}
	}
	return false
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
