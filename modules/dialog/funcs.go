package dialog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The script functions of Kamailio 5.6.3's dialog, each compiled as its
// fixup does.

func (m *Module) funcs() []module.Func {
	return []module.Func{
		{Name: "dlg_manage", Compile: m.compileManage},
		{Name: "set_dlg_profile", MinArgs: 1, MaxArgs: 2, Compile: m.compileProfile(m.setProfile)},
		{Name: "unset_dlg_profile", MinArgs: 1, MaxArgs: 2, Compile: m.compileProfile(m.unsetProfile)},
		{Name: "is_in_profile", MinArgs: 1, MaxArgs: 2, Compile: m.compileProfile(m.inProfile)},
		{Name: "get_profile_size", MinArgs: 2, MaxArgs: 3, Compile: m.compileProfileSize},
		{Name: "dlg_setflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.setFlag)},
		{Name: "dlg_resetflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.resetFlag)},
		{Name: "dlg_isflagset", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.isFlagSet)},
		{Name: "dlg_bye", MinArgs: 1, MaxArgs: 1, Compile: m.compileBye},
		{Name: "dlg_refer", MinArgs: 2, MaxArgs: 2, Compile: m.compileRefer},
		{Name: "dlg_bridge", MinArgs: 3, MaxArgs: 3, Compile: m.compileBridge},
		{Name: "dlg_get", MinArgs: 3, MaxArgs: 3, Compile: m.compileGet},
		{Name: "is_known_dlg", Compile: m.compileKnown},
		{Name: "dlg_set_timeout", Arities: []int{1, 3}, Compile: m.compileSetTimeout},
		{Name: "dlg_set_timeout_by_profile", MinArgs: 2, MaxArgs: 3, Compile: m.compileTimeoutByProfile},
		{Name: "dlg_set_property", MinArgs: 1, MaxArgs: 1, Compile: m.compileProperty(true)},
		{Name: "dlg_reset_property", MinArgs: 1, MaxArgs: 1, Compile: m.compileProperty(false)},
		{Name: "dlg_remote_profile", MinArgs: 5, MaxArgs: 5, Compile: m.compileRemoteProfile},
		{Name: "dlg_set_ruri", Compile: m.compileSetRURI},
		{Name: "dlg_db_load_callid", MinArgs: 1, MaxArgs: 1, Compile: m.compileDBLoadCallID},
		{Name: "dlg_db_load_extra", Compile: m.compileDBLoadExtra},
	}
}

func rc(ok bool) int {
	if ok {
		return 1
	}
	return -1
}

func (m *Module) compileManage(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.manage(c) }, nil
}

// manage is dlg_manage(): a request inside a dialog is matched by Call-ID
// and tags; an initial INVITE gets a dialog, watched by tm once its
// transaction is made, or at once when it exists already.
func (m *Module) manage(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	to, ok := msg.Header("to")
	na, err := sipmsg.ParseNameAddr(to)
	if !ok || err != nil {
		m.logf(c, klog.Err, "bad TO header")
		return -1
	}
	if tag, _ := na.Param("tag"); tag != "" {
		m.onRoute(c, msg, "", matchNoID)
		return 1
	}
	if m.newDialog(c, msg) != 0 {
		return -1
	}
	m.mu.Lock()
	d := m.ctxDialog(ctxOf(c))
	m.mu.Unlock()
	if d == nil {
		return -1
	}
	if t, has := m.tm.CurrentTxn(c); has {
		// the transaction was made first (t_newtran): its replies are
		// followed from now on
		x := ctxOf(c)
		m.watch(t, d, x.spiral == 1)
		x.t = true
	}
	return 1
}

// profileArg compiles the profile name (a literal naming a defined
// profile) and the optional value (a format string).
func (m *Module) profileArg(h module.Host, args []*module.Arg) (*profile, module.StrFunc, error) {
	name, ok := args[0].Literal()
	if !ok || name == "" {
		return nil, nil, fmt.Errorf("param 1 is empty string")
	}
	p := m.profiles[name]
	if p == nil {
		return nil, nil, fmt.Errorf("profile <%s> not defined", name)
	}
	if len(args) < 2 {
		return p, nil, nil
	}
	v, err := args[1].Str(h)
	if err != nil {
		return nil, nil, fmt.Errorf("wrong format for value param: %v", err)
	}
	return p, v, nil
}

func (m *Module) compileProfile(run func(c *event.Context, p *profile, val string, withVal bool) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		p, v, err := m.profileArg(h, args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			val := ""
			if v != nil {
				if val = v(c); val == "" {
					m.logf(c, klog.Warn, "cannot get string for value")
					return -1
				}
			}
			if p.hasValue && val == "" {
				m.logf(c, klog.Err, "invalid value parameter")
				return -1
			}
			return run(c, p, val, v != nil)
		}, nil
	}
}

// setProfile is set_dlg_profile: the event's dialog joins p, or, before
// the dialog exists, joins it once dlg_manage (or dlg_flag) makes it.
func (m *Module) setProfile(c *event.Context, p *profile, val string, _ bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.msgDialog(c)
	if d == nil && c.Route&routetype.Request == 0 {
		m.logf(c, klog.Crit, "BUG - dialog not found in a non REQUEST route (1)")
		return -1
	}
	l := &link{p: p}
	if p.hasValue {
		l.val = val
	}
	if d != nil {
		if d.state != stateDeleted {
			m.attach(l, d)
		}
		return 1
	}
	x := ctxOf(c)
	x.pending = append(x.pending, l)
	return 1
}

// unsetProfile is unset_dlg_profile (not in request_route).
func (m *Module) unsetProfile(c *event.Context, p *profile, val string, _ bool) int {
	if c.Route&routetype.Request != 0 {
		m.logf(c, klog.Err, "dialog delete profile cannot be used in request route")
		return -1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.msgDialog(c)
	if d == nil {
		m.logf(c, klog.Warn, "dialog is NULL for delete profile")
		return -1
	}
	for i, l := range d.links {
		if l.p == p && (!p.hasValue || l.val == val) {
			d.links = append(d.links[:i], d.links[i+1:]...)
			detach(l)
			return 1
		}
	}
	return -1
}

// inProfile is is_in_profile.
func (m *Module) inProfile(c *event.Context, p *profile, val string, _ bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.msgDialog(c)
	if d == nil {
		return -1
	}
	for _, l := range d.links {
		if l.p == p && (!p.hasValue || l.val == val) {
			return 1
		}
	}
	return -1
}

// compileProfileSize compiles get_profile_size(profile, [value,] pv):
// the result must be an AVP or a script variable.
func (m *Module) compileProfileSize(h module.Host, args []*module.Arg) (module.Call, error) {
	p, v, err := m.profileArg(h, args[:len(args)-1])
	if err != nil {
		return nil, err
	}
	out, err := args[len(args)-1].OutPV(h)
	if err != nil {
		return nil, err
	}
	if cl := out.Node.Class; cl != "avp" && cl != "var" {
		return nil, fmt.Errorf("return must be an AVP or SCRIPT VAR")
	}
	return func(c *event.Context) int {
		val := ""
		if v != nil {
			if val = v(c); val == "" {
				m.logf(c, klog.Warn, "cannot get string for value")
				return -1
			}
		}
		n := m.size(p, val, v != nil)
		if err := out.Set(c, value.MakeInt(int64(n))); err != nil {
			m.logf(c, klog.Err, "setting profile PV failed")
			return -1
		}
		return 1
	}, nil
}

func (m *Module) compileFlag(run func(c *event.Context, f int64) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		f, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			n, ok := f(c)
			if !ok {
				m.logf(c, klog.Err, "no flag value")
				return -1
			}
			return run(c, n)
		}, nil
	}
}

// setFlag is dlg_setflag: the flag goes to the context and, when it has
// one, to its dialog.
func (m *Module) setFlag(c *event.Context, f int64) int {
	if f < 0 || f > 31 {
		return -1
	}
	x := ctxOf(c)
	x.flags |= 1 << uint(f)
	m.mu.Lock()
	if d := m.ctxDialog(x); d != nil {
		d.sflags |= 1 << uint(f)
	}
	m.mu.Unlock()
	return 1
}

func (m *Module) resetFlag(c *event.Context, f int64) int {
	if f < 0 || f > 31 {
		return -1
	}
	x := ctxOf(c)
	x.flags &^= 1 << uint(f)
	m.mu.Lock()
	if d := m.ctxDialog(x); d != nil {
		d.sflags &^= 1 << uint(f)
	}
	m.mu.Unlock()
	return 1
}

func (m *Module) isFlagSet(c *event.Context, f int64) int {
	if f < 0 || f > 31 {
		return -1
	}
	x := ctxOf(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.ctxDialog(x); d != nil {
		return rc(d.sflags&(1<<uint(f)) != 0)
	}
	return rc(x.flags&(1<<uint(f)) != 0)
}

// side reads dlg_bye's and dlg_refer's side, any case: 0 all, 1 caller,
// 2 callee.
func side(args []*module.Arg, all bool) (int, error) {
	s, ok := args[0].Literal()
	if !ok {
		return 0, fmt.Errorf("invalid param")
	}
	switch strings.ToLower(s) {
	case "all":
		if all {
			return 0, nil
		}
	case "caller":
		return 1, nil
	case "callee":
		return 2, nil
	}
	return 0, fmt.Errorf("invalid param \"%s\"", s)
}

func (m *Module) compileBye(_ module.Host, args []*module.Arg) (module.Call, error) {
	n, err := side(args, true)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		m.mu.Lock()
		d := m.ctxDialog(ctxOf(c))
		m.mu.Unlock()
		if d == nil {
			return -1
		}
		switch n {
		case 1:
			return rc(m.byeOne(c, d, caller, ""))
		case 2:
			return rc(m.byeOne(c, d, callee, ""))
		}
		return rc(m.byeAll(c, d, ""))
	}, nil
}

// compileRefer compiles dlg_refer(side, to): a REFER with Refer-To the
// given URI, then a BYE, as Kamailio's dlg_transfer sends them.
func (m *Module) compileRefer(h module.Host, args []*module.Arg) (module.Call, error) {
	n, err := side(args, false)
	if err != nil {
		return nil, err
	}
	to, err := args[1].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		m.mu.Lock()
		d := m.ctxDialog(ctxOf(c))
		m.mu.Unlock()
		if d == nil {
			return -1
		}
		target := to(c)
		if target == "" {
			m.logf(c, klog.Err, "unable to get To")
			return -1
		}
		leg := caller
		if n == 2 {
			leg = callee
		}
		return rc(m.transfer(c, d, target, leg))
	}, nil
}

// compileBridge compiles dlg_bridge(from, to, op): this server calls
// from with a held SDP (through the outbound proxy op when not empty)
// and, once it answers, refers it to to (bridge).
func (m *Module) compileBridge(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		from, to, op := strs[0](c), strs[1](c), strs[2](c)
		if from == "" {
			m.logf(c, klog.Err, "invalid From parameter")
			return -1
		}
		if to == "" {
			m.logf(c, klog.Err, "invalid To parameter")
			return -1
		}
		return rc(m.bridge(c, from, to, op, "", true))
	}, nil
}

// compileGet compiles dlg_get(callid, ftag, ttag): the dialog found
// becomes the event's.
func (m *Module) compileGet(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		cid, ft, tt := strs[0](c), strs[1](c), strs[2](c)
		return m.get(c, cid, ft, tt)
	}, nil
}

// get is dlg_get: the dialog of Call-ID and tags becomes the event's.
func (m *Module) get(c *event.Context, cid, ft, tt string) int {
	if cid == "" {
		m.logf(c, klog.Err, "invalid Call-ID parameter")
		return -1
	}
	if ft == "" {
		m.logf(c, klog.Err, "invalid From tag parameter")
		return -1
	}
	if tt == "" {
		m.logf(c, klog.Err, "invalid To tag parameter")
		return -1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, dir := m.search(cid, ft, tt)
	if d == nil {
		return -1
	}
	x := ctxOf(c)
	x.setDlg(d)
	x.dir = dir
	return 1
}

func (m *Module) compileKnown(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return rc(m.msgDialog(c) != nil)
	}, nil
}

// setTimeout changes d's lifetime (Kamailio's update_dlg_timeout): the
// timer of an answered dialog is re-armed; one without a timer (ended)
// cannot be changed. m.mu must be held.
func (m *Module) setTimeout(d *dlg, secs int64) bool {
	if d.state != stateUnconfirmed && d.state != stateEarly {
		if d.timerStop == nil {
			m.log.Logf(klog.Crit, Name, "Trying to update a bogus dlg tl [%d:%d]", d.hEntry, d.hID)
			m.log.Log(klog.Err, Name, "failed to update dialog lifetime")
			return false
		}
		m.armTimer(d, time.Duration(secs)*time.Second)
	}
	d.lifetime = uint32(secs)
	d.dflags |= dflagChanged
	return true
}

// atoi reads a number as C's atoi does: leading blanks, a sign, digits
// up to the first other character; 0 without digits.
func atoi(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

func (m *Module) compileSetTimeout(h module.Host, args []*module.Arg) (module.Call, error) {
	ints := make([]module.IntFunc, len(args))
	for i, a := range args {
		f, err := a.Int(h)
		if err != nil {
			return nil, err
		}
		ints[i] = f
	}
	return func(c *event.Context) int {
		to, ok := ints[0](c)
		if !ok {
			m.logf(c, klog.Err, "no timeout value")
			return -1
		}
		if to <= 0 {
			m.logf(c, klog.Err, "invalid timeout value: %d", to)
			return -1
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		var d *dlg
		if len(ints) == 3 {
			he, ok1 := ints[1](c)
			hi, ok2 := ints[2](c)
			if !ok1 || !ok2 {
				return -1
			}
			d = m.lookup(uint32(he), uint32(hi))
		} else {
			d = m.msgDialog(c)
		}
		if d == nil {
			return -1
		}
		return rc(m.setTimeout(d, to))
	}, nil
}

// compileTimeoutByProfile compiles dlg_set_timeout_by_profile(profile,
// [value,] timeout): the dialogs of the profile (with that value) that
// are early or answered get the timeout. As in Kamailio the timeout is
// the argument's text read as a number, pseudo-variables not expanded.
func (m *Module) compileTimeoutByProfile(h module.Host, args []*module.Arg) (module.Call, error) {
	p, v, err := m.profileArg(h, args[:len(args)-1])
	if err != nil {
		return nil, err
	}
	text, _ := args[len(args)-1].Literal()
	if n, ok := args[len(args)-1].IntLiteral(); ok {
		text = strconv.FormatInt(n, 10)
	}
	secs := atoi(text)
	return func(c *event.Context) int {
		val := ""
		withVal := v != nil && p.hasValue
		if withVal {
			if val = v(c); val == "" {
				m.logf(c, klog.Warn, "cannot get string for value")
				return -1
			}
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, l := range append([]*link(nil), p.links...) {
			if l.d == nil || (withVal && l.val != val) {
				continue
			}
			if l.d.state < stateEarly {
				// Kamailio keeps the reference it took to look such a
				// dialog up: dlg.list shows it in ref
				l.d.ref++
				continue
			}
			if !m.setTimeout(l.d, secs) {
				m.logf(c, klog.Err, "Unable to set timeout on %d:%d", l.d.hEntry, l.d.hID)
			}
		}
		return 1
	}, nil
}

// property maps dlg_set_property's names to internal flags.
var property = map[string]uint32{"ka-src": iflagKASrc, "ka-dst": iflagKADst, "timeout-noreset": iflagTimerNoreset}

func (m *Module) compileProperty(set bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		s, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return m.property(c, s(c), set) }, nil
	}
}

func (m *Module) property(c *event.Context, name string, set bool) int {
	if name == "" {
		m.logf(c, klog.Err, "empty property value")
		return -1
	}
	f, ok := property[name]
	if !ok {
		m.logf(c, klog.Err, "unknown property value [%s]", name)
		return -1
	}
	x := ctxOf(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.ctxDialog(x)
	if set {
		x.iflags |= f
		if d != nil {
			d.iflags |= f
		}
	} else {
		x.iflags &^= f
		if d != nil {
			d.iflags &^= f
		}
	}
	return 1
}

// compileRemoteProfile compiles dlg_remote_profile(cmd, profile, value,
// uid, expires): "add" puts a dialog of another server (known by uid)
// into the profile until it expires, "rm" takes it out.
func (m *Module) compileRemoteProfile(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args[0], args[1], args[2], args[3])
	if err != nil {
		return nil, err
	}
	exp, err := args[4].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		cmd, pname, val, uid := strs[0](c), strs[1](c), strs[2](c), strs[3](c)
		e, _ := exp(c)
		p := m.profiles[pname]
		if p == nil {
			m.logf(c, klog.Err, "profile [%s] not found", pname)
			return -1
		}
		if p.hasValue && val == "" {
			m.logf(c, klog.Err, "profile [%s] requires a value", pname)
			return -1
		}
		switch cmd {
		case "add":
			return rc(m.remoteAdd(p, val, uid, e))
		case "rm":
			return rc(m.remoteRemove(p, val, uid))
		}
		m.logf(c, klog.Err, "unknown command [%s]", cmd)
		return -1
	}, nil
}

// compileSetRURI compiles dlg_set_ruri(): the Request-URI becomes the
// Contact of the side the request goes to.
func (m *Module) compileSetRURI(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int {
		m.mu.Lock()
		d, dir := m.msgDialogDir(c)
		if d == nil {
			m.mu.Unlock()
			return -1
		}
		leg := caller
		if dir == dirDownstream {
			leg = callee
		}
		uri := d.contact[leg]
		m.mu.Unlock()
		if uri == "" {
			m.logf(c, klog.Notice, "no contact uri (leg: %d)", leg)
			return -1
		}
		sipmsg.FromContext(c).SetRequestURI(uri)
		return 1
	}, nil
}

// compileDBLoadCallID and compileDBLoadExtra: without a database (db_mode
// 0, the only mode kamgo has) there is nothing to load, and Kamailio's
// functions fail then too.
func (m *Module) compileDBLoadCallID(h module.Host, args []*module.Arg) (module.Call, error) {
	s, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if s(c) == "" {
			return -1
		}
		m.logf(c, klog.Err, "no database connection to load the dialog from")
		return -1
	}, nil
}

func (m *Module) compileDBLoadExtra(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int {
		m.logf(c, klog.Err, "no database connection to load the dialogs from")
		return -1
	}, nil
}
