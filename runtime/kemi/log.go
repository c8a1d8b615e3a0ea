package kemi

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// logFuncs are KSR.dbg, err, info, warn, notice, crit and log: the text as
// given (no pseudo-variables), at the level, from the core.
func logFuncs() []module.KEMIFunc {
	at := func(name string, lv klog.Level) module.KEMIFunc {
		fn := "sr_kemi_core_" + name + "(): "
		return module.KEMIFunc{Name: name, Params: str1, Ret: module.KEMINone,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				coreText(c, lv, fn, a[0].S)
				return module.KEMIVoid
			}}
	}
	return []module.KEMIFunc{
		at("dbg", klog.Dbg),
		at("err", klog.Err),
		at("info", klog.Info),
		at("warn", klog.Warn),
		at("notice", klog.Notice),
		at("crit", klog.Crit),
		{Name: "log", Params: str2, Ret: module.KEMINone, Call: kemiLog},
	}
}

// coreText prints a script's text through the core, with the event's
// log_prefix as script lines have it.
func coreText(c *event.Context, lv klog.Level, fn, text string) {
	if c == nil || c.Log == nil || !c.Log.Enabled(lv) {
		return
	}
	c.Log.LogPrefixed(lv, c.LogPrefix, "core", fn+text)
}

// kemiLog is KSR.log(level, text): dbg, info, notice, warn, err or crit in
// any case; any other level prints as an error.
func kemiLog(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	lv := klog.Err
	switch strings.ToLower(a[0].S) {
	case "dbg":
		lv = klog.Dbg
	case "info":
		lv = klog.Info
	case "notice":
		lv = klog.Notice
	case "warn":
		lv = klog.Warn
	case "crit":
		lv = klog.Crit
	}
	coreText(c, lv, "sr_kemi_core_log(): ", a[1].S)
	return module.KEMIVoid
}
