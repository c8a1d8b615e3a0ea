package xlog

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// critNoPrefix is Kamailio's L_CRIT, which KSR.xlog.xcrit logs at: level
// -2, printed without a label (xlog's "L_CRIT" in a native route is
// L_CRIT2, klog.Crit).
const critNoPrefix klog.Level = -2

// KEMI implements module.KEMIExporter: KSR.xlog.*. The text is a format
// string, compiled the first time it is seen; lines carry the prefix
// parameter as given (prefix_mode and methods_filter do not apply, as in
// Kamailio's KEMI functions).
func (m *Module) KEMI() []module.KEMIFunc {
	kc := &module.KEMICache{}
	logText := func(h module.Host, c *event.Context, lv klog.Level, text string) module.KEMIValue {
		lg := c.Log
		if lg == nil {
			lg = h.Log()
		}
		if lg == nil || !lg.Enabled(lv) {
			return module.KEMIRC(1)
		}
		f, err := kc.Format(h, text)
		if err != nil {
			lg.Log(klog.Err, "xlog", "ki_xlog_ex(): error in parsing evaluated second parameter")
			return module.KEMIRC(-1)
		}
		m.emit(c, lg, lv, f.String(c), true)
		return module.KEMIRC(1)
	}
	at := func(name string, lv klog.Level) module.KEMIFunc {
		return module.KEMIFunc{Module: "xlog", Name: name, Params: []module.KEMIType{module.KEMIStr}, Ret: module.KEMIInt,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return logText(h, c, lv, a[0].S)
			}}
	}
	return []module.KEMIFunc{
		at("xdbg", klog.Dbg),
		at("xinfo", klog.Info),
		at("xnotice", klog.Notice),
		at("xwarn", klog.Warn),
		at("xerr", klog.Err),
		at("xalert", klog.Alert),
		at("xcrit", critNoPrefix),
		{Module: "xlog", Name: "xlog", Params: []module.KEMIType{module.KEMIStr, module.KEMIStr}, Ret: module.KEMIInt,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return logText(h, c, kemiLevel(a[0].S), a[1].S)
			}},
	}
}

// kemiLevel maps KSR.xlog.xlog's level name, compared whole and without
// case (unlike the native fixup); an unknown name is L_ERR.
func kemiLevel(s string) klog.Level {
	switch strings.ToLower(s) {
	case "l_alert":
		return klog.Alert
	case "l_bug":
		return klog.Bug
	case "l_crit2":
		return klog.Crit
	case "l_crit":
		return critNoPrefix
	case "l_warn":
		return klog.Warn
	case "l_notice":
		return klog.Notice
	case "l_info":
		return klog.Info
	case "l_dbg":
		return klog.Dbg
	}
	return klog.Err
}
