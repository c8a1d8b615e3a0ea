// Package kemi owns the core's KEMI functions: what Kamailio's core exports
// to embedded languages as KSR.<name> (logging, flags, the message's method
// and protocol, the Request-URI and destination URI, route, and, over the
// SIP transport, is_myself*, forward, the send flags and the next hop's
// transport), KSR.pv.<name> (pseudo-variables named by text) and
// KSR.hdr.<name> (headers of the event's message). Modules declare their
// own KEMI functions (module.KEMIExporter); engines such as app_lua bind
// all of them. The functions follow Kamailio 5.6.3's core/kemi.c: names,
// parameter types, return codes and log lines.
package kemi

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Core returns the core's KEMI functions. Each call returns functions with
// their own cache of compiled pseudo-variable names, so one load of a
// configuration calls it once.
func Core() []module.KEMIFunc {
	var out []module.KEMIFunc
	out = append(out, logFuncs()...)
	out = append(out, msgFuncs()...)
	out = append(out, sipFuncs()...)
	out = append(out, pvFuncs(&module.KEMICache{})...)
	out = append(out, hdrFuncs()...)
	return out
}

// Shorthands for the declarations.
var (
	none  = []module.KEMIType(nil)
	str1  = []module.KEMIType{module.KEMIStr}
	str2  = []module.KEMIType{module.KEMIStr, module.KEMIStr}
	int1  = []module.KEMIType{module.KEMIInt}
	int2  = []module.KEMIType{module.KEMIInt, module.KEMIInt}
	strI  = []module.KEMIType{module.KEMIStr, module.KEMIInt}
	str4  = []module.KEMIType{module.KEMIStr, module.KEMIStr, module.KEMIStr, module.KEMIStr}
	falsy = module.KEMIRC(0)
	truth = module.KEMIRC(1)
)

// boolRC is a KEMI boolean result.
func boolRC(b bool) module.KEMIValue {
	if b {
		return truth
	}
	return falsy
}

// logf prints a core line as Kamailio's core functions do: "<core>" origin,
// the C function's name first.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c == nil || c.Log == nil || !c.Log.Enabled(lv) {
		return
	}
	c.Log.Logf(lv, "core", format, args...)
}

// xnull is the value a getter returns for null, by its mode: nil (get),
// "<null>" (getw) or "" (gete), as Kamailio's sr_kemi_xval_null.
type xnull uint8

const (
	nullNil xnull = iota
	nullPrint
	nullEmpty
)

func (m xnull) value() module.KEMIValue {
	switch m {
	case nullPrint:
		return module.KEMIOf(value.MakeStr("<null>"))
	case nullEmpty:
		return module.KEMIOf(value.MakeStr(""))
	}
	return module.KEMIOf(value.NullValue)
}
