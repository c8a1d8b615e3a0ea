package xlog

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

var noRange diag.Range

// compile builds one logging call: the level, then the format, checked
// against buf_size (a message must be shorter than it), then the line
// with the prefix. line puts the config line (and with long_format=1 the
// file) before the text; methods applies xlogm's methods_filter. helper
// names the C function in the error about a level value
// ("xlog_2_helper").
func (m *Module) compile(h module.Host, name, helper string, lv levelFunc, a *module.Arg, line, methods bool) (module.Call, error) {
	text, err := a.Str(h)
	if err != nil {
		return nil, fmt.Errorf("%s: wrong format: %v", name, err)
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
	bufSize := m.bufSize
	return func(c *event.Context) int {
		if methods && filtered(c, m.filter(c)) {
			return 1
		}
		lg := c.Log
		if lg == nil {
			lg = log
		}
		l, flags := lv(c)
		if flags != 0 {
			if lg != nil {
				lg.Logf(klog.Err, "xlog", "%s(): invalid log level value [%d]", helper, flags)
			}
			return -1
		}
		if lg == nil || !lg.Enabled(l) {
			return 1
		}
		msg := text(c)
		if len(msg) >= bufSize && msg != "" {
			lg.Logf(klog.Err, "core", "no more space for the log message - printed:%d buffer:%d", len(msg), bufSize)
			return -1
		}
		m.emit(c, lg, l, lineHead+msg, line && m.longFormat != 1)
		return 1
	}, nil
}

// emit prints a line with xlog's prefix: the prefix parameter, or with
// prefix_mode its expansion (the raw parameter when that is empty).
// xlogl without long_format always uses the raw parameter, as Kamailio
// does.
func (m *Module) emit(c *event.Context, lg *klog.Logger, l klog.Level, msg string, rawPrefix bool) {
	head := m.prefix
	if m.prefixFmt != nil && !rawPrefix {
		if p := m.prefixFmt.String(c); p != "" {
			head = p
		}
	}
	if head == defaultPrefix {
		lg.LogPrefixed(l, c.LogPrefix, "script", msg)
		return
	}
	lg.LogHead(l, c.LogPrefix, "script", head, msg)
}
