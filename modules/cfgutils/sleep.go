package cfgutils

import (
	"fmt"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// intArg is a compiled integer-or-pseudo-variable argument, read as
// Kamailio's igp fixup reads it: a literal must be a whole number
// (optional sign, digits, nothing else), text starting with '$' is a
// pseudo-variable whose value must be an integer (a string of digits is
// not one).
type intArg func(c *event.Context) (int64, bool)

func compileIntArg(h module.Host, a *module.Arg) (intArg, error) {
	if s, ok := argText(a); ok && !strings.HasPrefix(s, "$") {
		n, ok := str2sint(s)
		if !ok {
			return nil, fmt.Errorf("cannot convert %q to an integer or a pseudo-variable", s)
		}
		return func(*event.Context) (int64, bool) { return n, true }, nil
	}
	r, err := a.PV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (int64, bool) {
		v := r.Get(c)
		if v.K == value.Int || v.K == value.Str && v.Num {
			return v.I, true
		}
		module.NotInt(c)
		return 0, false
	}, nil
}

// compileSleep builds sleep(s) and usleep(us): the worker blocks, as a
// Kamailio process does. The count is taken as a C unsigned int, so a
// negative one sleeps for very long; a sleeping worker wakes when the
// module stops.
func (m *Module) compileSleep(name string, unit time.Duration) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		get, err := compileIntArg(h, args[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return func(c *event.Context) int {
			n, ok := get(c)
			if !ok {
				logf(c, klog.Err, "m_%s(): cannot get time interval value", name)
				return -1
			}
			m.sleep(time.Duration(uint32(n)) * unit)
			return 1
		}, nil
	}
}

// realSleep waits for d or until the module stops.
func (m *Module) realSleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-m.done:
	}
}

// logf logs a module line on the event's logger.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, "cfgutils", format, args...)
	}
}
