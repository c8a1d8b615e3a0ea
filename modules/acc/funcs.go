package acc

import (
	"errors"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// funcs are acc's script functions.
func (m *Module) funcs() []module.Func {
	return []module.Func{
		{Name: "acc_log_request", MinArgs: 1, MaxArgs: 1, Compile: m.compileLogRequest},
		{Name: "acc_db_request", MinArgs: 2, MaxArgs: 2, Compile: m.compileDBRequest},
		{Name: "acc_request", MinArgs: 2, MaxArgs: 2, Compile: m.compileRequest},
	}
}

// comment is a parsed "code reason" argument (Kamailio's acc_param).
type comment struct {
	code   string
	reason string
}

// parseComment reads a leading three-digit code and the reason after the
// white space that follows it (Kamailio's acc_parse_code); without a code
// the whole text is the reason and the code is prev's.
func parseComment(s string, prev string) comment {
	if len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) {
		return comment{code: s[:3], reason: strings.TrimLeft(s[3:], " \t\n\r\v\f")}
	}
	return comment{code: prev, reason: s}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// commentArg compiles the first argument of acc_log_request and
// acc_db_request (Kamailio's acc_fixup): a literal with a code and a
// reason, or a format with pseudo-variables read per call. As in
// Kamailio, a format whose value has no code keeps the code of the
// call site's last value that had one.
func commentArg(h module.Host, a *module.Arg) (func(c *event.Context) comment, error) {
	lit, isLit := a.Literal()
	if isLit && lit == "" {
		return nil, errors.New("acc_fixup(): first parameter is empty")
	}
	if isLit && !strings.Contains(lit, "$") {
		cm := parseComment(lit, "")
		return func(*event.Context) comment { return cm }, nil
	}
	f, err := a.Str(h)
	if err != nil {
		return nil, errors.New("acc_fixup(): bad param 1 - parse format error")
	}
	var mu sync.Mutex
	last := ""
	return func(c *event.Context) comment {
		mu.Lock()
		defer mu.Unlock()
		cm := parseComment(f(c), last)
		last = cm.code
		return cm
	}, nil
}

// compileLogRequest compiles acc_log_request(comment).
func (m *Module) compileLogRequest(h module.Host, args []*module.Arg) (module.Call, error) {
	arg, err := commentArg(h, args[0])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.logRequest(c, arg(c))
	}, nil
}

// logRequest writes the "request accounted" line for the request of c.
func (m *Module) logRequest(c *event.Context, cm comment) int {
	msg := sipmsg.FromContext(c)
	if !m.preparse(c, msg) {
		return -1
	}
	to, _ := msg.Header("to")
	up, _ := c.Get(upstreamKey).(bool)
	pe := procEnvOf(c)
	pe.reason = cm.reason
	m.write(c, textRequest, msg, env{to: to, toTag: pe.toTag, code: cm.code, reason: cm.reason, upstream: up})
	return 1
}

// compileDBRequest compiles acc_db_request(comment, table). kamgo has no
// database backend, so it fails at run time as Kamailio's does without
// db_url (a db_url is refused at load).
func (m *Module) compileDBRequest(h module.Host, args []*module.Arg) (module.Call, error) {
	if _, err := commentArg(h, args[0]); err != nil {
		return nil, err
	}
	if lit, ok := args[1].Literal(); ok && lit == "" {
		return nil, errors.New("acc_fixup(): first parameter is empty")
	}
	return func(c *event.Context) int {
		m.logf(c, klog.Err, "w_acc_db_request(): db support not configured")
		return -1
	}, nil
}

// compileRequest compiles acc_request(comment, table): both arguments are
// formats; the comment's value may not hold a '$'. The line is the
// log backend's (the database is never ready in kamgo).
func (m *Module) compileRequest(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.request(c, fs[0](c), fs[1](c))
	}, nil
}

// request is ki_acc_request. The table names a database table, and
// kamgo's database is never ready: only the log line is written.
func (m *Module) request(c *event.Context, text, _ string) int {
	cm, ok := m.kemiComment(c, "ki_acc_request", text)
	if !ok {
		return -1
	}
	msg := sipmsg.FromContext(c)
	if !m.preparse(c, msg) {
		return -1
	}
	rc := m.logRequest(c, cm)
	if rc < 0 {
		m.logf(c, klog.Err, "ki_acc_request(): acc log request failed")
	}
	return rc
}

// kemiComment parses a comment given as a value (Kamailio's
// acc_param_parse): not empty, no pseudo-variable. fn names the caller in
// the error lines.
func (m *Module) kemiComment(c *event.Context, fn, text string) (comment, bool) {
	if text == "" {
		m.logf(c, klog.Err, "acc_param_parse(): invalid parameters")
		m.logf(c, klog.Err, "%s(): failed execution", fn)
		return comment{}, false
	}
	if strings.Contains(text, "$") {
		m.logf(c, klog.Err, "acc_param_parse(): cfg variable detected - not supported")
		m.logf(c, klog.Err, "%s(): failed execution", fn)
		return comment{}, false
	}
	return parseComment(text, ""), true
}

// loadDirection finds rr's is_direction for detect_direction, which
// needs rr with append_fromtag, as Kamailio's mod_init requires.
func (m *Module) loadDirection(h module.Host) error {
	mod, ok := h.Module("rr")
	if !ok {
		return m.fail("mod_init(): can't load RR API")
	}
	k, ok := mod.(module.KEMIExporter)
	if !ok {
		return m.fail("mod_init(): can't load RR API")
	}
	var isDir *module.KEMIFunc
	for _, f := range k.KEMI() {
		if f.Name == "is_direction" {
			f := f
			isDir = &f
		}
	}
	if isDir == nil {
		return m.fail("mod_init(): can't load RR API")
	}
	call := func(c *event.Context) int {
		return int(isDir.Call(h, c, []value.Value{value.MakeStr("upstream")}).I)
	}
	// rr answers E_CFG (-6) to any message without append_fromtag.
	probe := &event.Context{}
	probe.Reset()
	if call(probe) == eCfg {
		return m.fail("mod_init(): 'append_fromtag' RR param is not enabled! - required by 'detect_direction'")
	}
	m.direction = func(c *event.Context) bool { return call(c) > 0 }
	return nil
}

// eCfg is Kamailio's E_CFG, rr's answer without append_fromtag.
const eCfg = -6
