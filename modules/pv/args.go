package pv

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
)

// logf logs a module message for the event, when it has a logger.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, "pv", format, args...)
	}
}
