package xlog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// levelFunc returns the level of one call; flags is 0, or, when a level
// held in a pseudo-variable is not an integer, the value's type flags as
// Kamailio's error line prints them (1 null, 4 string).
type levelFunc func(c *event.Context) (lv klog.Level, flags int)

func constLevel(lv klog.Level) levelFunc {
	return func(*event.Context) (klog.Level, int) { return lv, 0 }
}

// compileLeveled handles xlog([[facility,] level,] fmt), xlogl with the
// same arguments and xlogm(level, fmt).
func (m *Module) compileLeveled(name string, line, methods bool) func(module.Host, []*module.Arg) (module.Call, error) {
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
			f, _ := argText(args[0])
			if _, ok := facility(f); !ok {
				return nil, fmt.Errorf("%s: invalid syslog facility %s", name, f)
			}
		}
		helper := fmt.Sprintf("xlog_%d_helper", len(args))
		return m.compile(h, name, helper, lv, args[len(args)-1], line, methods)
	}
}

// argText is an argument's source text as a fixup sees it: a string
// literal's value, or the digits of an integer literal (Kamailio hands
// numbers to fixups as strings).
func argText(a *module.Arg) (string, bool) {
	if s, ok := a.Literal(); ok {
		return s, true
	}
	if n, ok := a.IntLiteral(); ok {
		return fmt.Sprint(n), true
	}
	return "", false
}

// compileLevel reads a level argument as xlog's fixup does: text starting
// with '$' is a pseudo-variable that must hold an integer at run time;
// other text must be at least two characters long and only its third
// character counts (see parseLevel).
func compileLevel(h module.Host, a *module.Arg) (levelFunc, error) {
	s, ok := argText(a)
	if ok && !strings.HasPrefix(s, "$") {
		if len(s) < 2 {
			return nil, errors.New("wrong log level")
		}
		lv, ok := parseLevel(s)
		if !ok {
			return nil, errors.New("unknown log level")
		}
		return constLevel(lv), nil
	}
	r, err := a.PV(h)
	if err != nil {
		return nil, fmt.Errorf("invalid level param: %v", err)
	}
	return func(c *event.Context) (klog.Level, int) {
		v := r.Get(c)
		// Kamailio wants the value's integer flag: ints, and strings that
		// carry one ($rp, $Ts ...), not digits in a string.
		switch {
		case v.K == value.Int || v.K == value.Str && v.Num:
			return klog.Level(v.I), 0
		case v.K == value.Str:
			return 0, 4
		}
		return 0, 1
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

// facilities are the syslog facility names Kamailio knows, compared
// without case.
var facilities = []string{
	"LOG_AUTH", "LOG_CRON", "LOG_DAEMON", "LOG_KERN", "LOG_LOCAL0", "LOG_LOCAL1",
	"LOG_LOCAL2", "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5", "LOG_LOCAL6", "LOG_LOCAL7",
	"LOG_LPR", "LOG_MAIL", "LOG_NEWS", "LOG_USER", "LOG_UUCP", "LOG_AUTHPRIV", "LOG_FTP",
	"LOG_SYSLOG",
}

// facility reports whether s names a syslog facility. kamgo's log has no
// facilities, so only the check matters.
func facility(s string) (string, bool) {
	for _, f := range facilities {
		if strings.EqualFold(f, s) {
			return f, true
		}
	}
	return "", false
}
