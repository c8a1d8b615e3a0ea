package pv

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kamgo/kamgo/internal/strftime"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Time pseudo-variables. Kamailio stamps a message with the time of the
// first read that needs it, and $Ts, $Tf, $TV(s), $TV(u), $time, $utime,
// $timef and $utimef all read that stamp, so they agree within an event.
// $TS, $TF and $TV(sn|un|Sn|Fn) read the clock, $TV(Sm) the monotonic
// clock.

var (
	tsKey  = event.NewKey() // Context slot: time.Time, the event's stamp
	tvnKey = event.NewKey() // Worker slot: time.Time of the last $TV(sn)
)

// startTime is when the process started ($Tb, Kamailio's up_since).
var startTime = time.Now()

// now is the clock; tests replace it.
var now = time.Now

// monoNow is the monotonic clock in nanoseconds ($TV(Sm)); tests replace
// it.
var monoNow = monotonicNanos

// eventTime is the event's time stamp, taken at its first use.
func eventTime(c *event.Context) time.Time {
	if t, ok := c.Get(tsKey).(time.Time); ok {
		return t
	}
	t := now()
	c.Set(tsKey, t)
	return t
}

// ctime is C's ctime without the trailing newline.
func ctime(t time.Time) string { return t.Local().Format("Mon Jan _2 15:04:05 2006") }

func timeClasses() []*pv.Class {
	return []*pv.Class{
		fixedClass("Ts", func(c *event.Context) value.Value { return uintValue(eventTime(c).Unix()) }),
		fixedClass("Tf", func(c *event.Context) value.Value {
			t := eventTime(c)
			return value.MakeStrInt(ctime(t), value.Wrap(t.Unix()))
		}),
		fixedClass("TS", func(*event.Context) value.Value { return uintValue(now().Unix()) }),
		fixedClass("TF", func(*event.Context) value.Value {
			t := now()
			return value.MakeStrInt(ctime(t), value.Wrap(t.Unix()))
		}),
		fixedClass("Tb", func(*event.Context) value.Value { return uintValue(startTime.Unix()) }),
		{Name: "TV", Module: "pv", Names: []string{"s", "u", "sn", "un", "Sn", "Fn", "Sm"}, Compile: compileTV},
		{Name: "time", Module: "pv", Names: timeNames, Compile: compileTime(false)},
		{Name: "utime", Module: "pv", Names: timeNames, Compile: compileTime(true)},
		{Name: "timef", Module: "pv", Compile: compileTimef(false)},
		{Name: "utimef", Module: "pv", Compile: compileTimef(true)},
	}
}

// uintValue is an unsigned C int as Kamailio's pv_get_uintval gives it: an
// integer, printed unsigned. (Kamailio keeps the signed C int beside the
// text, so arithmetic on values of 2^31 and more differs.)
func uintValue(n int64) value.Value { return value.MakeInt(int64(uint32(n))) }

func compileTV(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	var f func(c *event.Context) value.Value
	switch p.Name.Text {
	case "s":
		f = func(c *event.Context) value.Value { return uintValue(eventTime(c).Unix()) }
	case "u":
		f = func(c *event.Context) value.Value { return uintValue(int64(eventTime(c).Nanosecond() / 1000)) }
	case "sn":
		// $TV(sn) reads the clock and keeps the reading for $TV(un).
		f = func(c *event.Context) value.Value {
			t := now()
			if c.Worker == nil {
				c.Worker = event.NewWorker(0)
			}
			c.Worker.Set(tvnKey, t)
			return uintValue(t.Unix())
		}
	case "un":
		f = func(c *event.Context) value.Value {
			var t time.Time
			if c.Worker != nil {
				t, _ = c.Worker.Get(tvnKey).(time.Time)
			}
			if t.IsZero() {
				return uintValue(0)
			}
			return uintValue(int64(t.Nanosecond() / 1000))
		}
	case "Sn":
		f = func(*event.Context) value.Value {
			t := now()
			return value.MakeStr(fmt.Sprintf("%d.%06d", uint32(t.Unix()), t.Nanosecond()/1000))
		}
	case "Fn":
		f = func(*event.Context) value.Value {
			t := now().Local()
			return value.MakeStr(fmt.Sprintf("%s.%06d", t.Format("2006-01-02 15:04:05"), t.Nanosecond()/1000))
		}
	case "Sm":
		// Kamailio 5.7: the monotonic clock in nanoseconds, as text; null
		// when it cannot be read.
		f = func(*event.Context) value.Value {
			ns, ok := monoNow()
			if !ok {
				return value.NullValue
			}
			return value.MakeStr(strconv.FormatUint(ns, 10))
		}
	default:
		return nil, fmt.Errorf("unknown name %q", p.Name.Text)
	}
	return pv.GetterFunc(f), nil
}

var timeNames = []string{"sec", "min", "hour", "mday", "mon", "year", "wday", "yday", "isdst"}

// compileTime is $time(name) and $utime(name): a field of the event's time,
// local or UTC; months, week days and year days count from 1.
func compileTime(utc bool) func(*pv.Table, *ast.PVar) (pv.Spec, error) {
	return func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("missing name")
		}
		var field func(t time.Time) int
		switch p.Name.Text {
		case "sec":
			field = func(t time.Time) int { return t.Second() }
		case "min":
			field = func(t time.Time) int { return t.Minute() }
		case "hour":
			field = func(t time.Time) int { return t.Hour() }
		case "mday":
			field = func(t time.Time) int { return t.Day() }
		case "mon":
			field = func(t time.Time) int { return int(t.Month()) }
		case "year":
			field = func(t time.Time) int { return t.Year() }
		case "wday":
			field = func(t time.Time) int { return int(t.Weekday()) + 1 }
		case "yday":
			field = func(t time.Time) int { return t.YearDay() }
		case "isdst":
			return pv.GetterFunc(func(c *event.Context) value.Value {
				if !utc && eventTime(c).Local().IsDST() {
					return value.MakeInt(1)
				}
				return value.MakeInt(0)
			}), nil
		default:
			return nil, fmt.Errorf("unknown name %q", p.Name.Text)
		}
		return pv.GetterFunc(func(c *event.Context) value.Value {
			return uintValue(int64(field(zoned(eventTime(c), utc))))
		}), nil
	}
}

func zoned(t time.Time, utc bool) time.Time {
	if utc {
		return t.UTC()
	}
	return t.Local()
}

// compileTimef is $timef(format) and $utimef(format): the event's time
// through strftime. Kamailio formats into 64 bytes; a longer or empty
// result is null.
func compileTimef(utc bool) func(*pv.Table, *ast.PVar) (pv.Spec, error) {
	return func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil || p.Name.Text == "" {
			return nil, fmt.Errorf("missing format")
		}
		format := p.Name.Text
		return pv.GetterFunc(func(c *event.Context) value.Value {
			s := strftime.Format(format, zoned(eventTime(c), utc))
			if s == "" || len(s) >= 64 {
				return value.NullValue
			}
			return value.MakeStr(s)
		}), nil
	}
}
