package acc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/strftime"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Leading texts of the accounting lines, as Kamailio writes them.
const (
	textRequest  = "ACC: request accounted: "
	textMissed   = "ACC: call missed: "
	textAnswered = "ACC: transaction answered: "
	textAcked    = "ACC: request acknowledged: "
)

// maxLine is Kamailio's MAX_SYSLOG_SIZE: the attributes of one line are
// cut at this length.
const maxLine = 65536

// env is what one accounting event says besides the request (Kamailio's
// acc_env): the To header it is about, the code and reason, and the to-tag
// to use when that To has none.
type env struct {
	to     string // the To header's value
	toTag  string // used when to has no tag
	code   string // the code as text; "" when none
	reason string
	// upstream swaps From and To (detect_direction).
	upstream bool
}

// core are the six core attributes in Kamailio's order.
type core struct {
	method, fromTag, toTag, callID, code, reason string
}

// coreOf reads the core attributes of req for e (Kamailio's core2strar).
func coreOf(req *sipmsg.Msg, e env) core {
	var c core
	if _, method, ok := req.CSeq(); ok {
		c.method = method
	}
	from, _ := req.Header("from")
	to := e.to
	if e.upstream {
		from, to = to, from
	}
	c.fromTag = tagOf(from)
	c.toTag = tagOf(to)
	if c.toTag == "" {
		c.toTag = e.toTag
	}
	if id, ok := req.Header("call-id"); ok {
		c.callID = strings.TrimSpace(id)
	}
	c.code, c.reason = e.code, e.reason
	return c
}

// tagOf is the tag parameter of a From or To value, "" without one.
func tagOf(v string) string {
	if v == "" {
		return ""
	}
	na, err := sipmsg.ParseNameAddr(v)
	if err != nil {
		return ""
	}
	t, _ := na.Param("tag")
	return t
}

// timeOpts say how the time goes in a line (time_mode, time_attr,
// time_exten, time_format).
type timeOpts struct {
	mode   int64
	attr   string
	exten  string
	format string
}

// line is one accounting line: the leading text, the timestamp (and what
// time_mode adds), the core attributes, the extras and the legs (each leg
// a list of values in leg-name order).
type line struct {
	text     string
	when     time.Time
	core     core
	extraN   []string
	extraV   []string
	legN     []string
	legs     [][]string
	warnings []string // truncation notices, for the log
}

// String formats l as Kamailio's acc_log_request prints it.
func (l *line) format(t timeOpts) string {
	var attrs strings.Builder
	full := false
	add := func(name, val string) {
		if full {
			return
		}
		if attrs.Len()+1+len(name)+1+len(val) >= maxLine-2 {
			l.warnings = append(l.warnings, "acc message too long, truncating..")
			full = true
			return
		}
		attrs.WriteByte(';')
		attrs.WriteString(name)
		attrs.WriteByte('=')
		attrs.WriteString(val)
	}
	c := l.core
	for i, v := range []string{c.method, c.fromTag, c.toTag, c.callID, c.code, c.reason} {
		add(coreNames[i], v)
	}
	for i, n := range l.extraN {
		add(n, l.extraV[i])
	}
	for _, leg := range l.legs {
		for i, n := range l.legN {
			add(n, leg[i])
		}
	}
	sec := l.when.Unix()
	usec := l.when.Nanosecond() / 1000
	var b strings.Builder
	b.WriteString(l.text)
	b.WriteString("timestamp=")
	b.WriteString(strconv.FormatInt(sec, 10))
	switch t.mode {
	case 1:
		fmt.Fprintf(&b, ";%s=%d", t.exten, usec)
	case 2:
		fmt.Fprintf(&b, ";%s=%.3f", t.attr, float64(sec)+float64(usec)/1e6)
	case 3, 4:
		w := time.Unix(sec, 0)
		if t.mode == 4 {
			w = w.UTC()
		}
		s := strftime.Format(t.format, w)
		if len(s) >= timeFormatSize {
			s = ""
		}
		fmt.Fprintf(&b, ";%s=%s", t.attr, s)
	}
	b.WriteString(attrs.String())
	return b.String()
}

// coreNames are the core attribute names.
var coreNames = [...]string{"method", "from_tag", "to_tag", "call_id", "code", "reason"}

// timeFormatSize is Kamailio's buffer for a formatted time: a longer
// result is left empty.
const timeFormatSize = 128
