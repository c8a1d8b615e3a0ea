package dialog

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strconv"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// The dlg.* management commands of Kamailio 5.6.3, with its names,
// parameters, reply shapes and fault codes.

// RPC implements rpc.Provider.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "dlg.briefing", Doc: "Summary of the dialogs in memory; an optional format picks the fields (ftcFTISEs).", Handler: m.rpcBriefing, Array: true},
		{Name: "dlg.list", Doc: "Lists every dialog.", Handler: m.rpcList(false), Array: true},
		{Name: "dlg.dump_file", Doc: "Appends every dialog, one JSON document per line, to a file.", Handler: m.rpcDumpFile},
		{Name: "dlg.list_ctx", Doc: "Lists every dialog with its context.", Handler: m.rpcList(true), Array: true},
		{Name: "dlg.list_match", Doc: "Lists the dialogs matching: key (ruri, furi, turi, callid, start_ts), operator (eq, re, sw, gt, lt), value [, limit].", Handler: m.rpcListMatch(false), Array: true},
		{Name: "dlg.list_match_ctx", Doc: "dlg.list_match with each dialog's context.", Handler: m.rpcListMatch(true), Array: true},
		{Name: "dlg.dlg_list", Doc: "Lists the dialogs of a Call-ID [and From tag].", Handler: m.rpcListOne(false)},
		{Name: "dlg.dlg_list_ctx", Doc: "dlg.dlg_list with each dialog's context.", Handler: m.rpcListOne(true)},
		{Name: "dlg.end_dlg", Doc: "Ends a dialog with BYEs: hash entry, hash id [, extra headers].", Handler: m.rpcEndDlg},
		{Name: "dlg.profile_get_size", Doc: "The number of dialogs in a profile [with a value].", Handler: m.rpcProfileSize},
		{Name: "dlg.profile_list", Doc: "Lists the dialogs in a profile [with a value].", Handler: m.rpcProfileList, Array: true},
		{Name: "dlg.bridge_dlg", Doc: "Bridges two SIP addresses in a call.", Handler: m.rpcBridge},
		{Name: "dlg.terminate_dlg", Doc: "Ends a dialog with BYEs: Call-ID, From tag, To tag.", Handler: m.rpcTerminate},
		{Name: "dlg.set_state", Doc: "Forces the state of a dialog: Call-ID, From tag, To tag [, state].", Handler: m.rpcSetState},
		{Name: "dlg.stats_active", Doc: "Counts of the dialogs by state [only those with a local socket].", Handler: m.rpcStatsActive},
		{Name: "dlg.is_alive", Doc: "Whether a dialog is confirmed: Call-ID, From tag, To tag.", Handler: m.rpcIsAlive},
	}
}

// dlgValue is one dialog as dlg.list prints it. m.mu must be held.
func (m *Module) dlgValue(d *dlg, withCtx bool) *rpc.Value {
	now := m.nowUnix()
	dur := int64(0)
	switch {
	case d.endTS != 0:
		dur = d.endTS - d.startTS
	case d.startTS != 0:
		dur = now - d.startTS
	}
	timeout := int64(0)
	if !d.deadline.IsZero() {
		timeout = d.deadline.Unix()
	}
	v := rpc.NewStruct()
	v.Set("h_entry", rpc.NewInt(int64(d.hEntry)))
	v.Set("h_id", rpc.NewInt(int64(d.hID)))
	v.Set("ref", rpc.NewInt(int64(d.ref)))
	v.Set("call-id", rpc.NewStr(d.callID))
	v.Set("from_uri", rpc.NewStr(d.fromURI))
	v.Set("to_uri", rpc.NewStr(d.toURI))
	v.Set("state", rpc.NewInt(int64(d.state)))
	v.Set("start_ts", rpc.NewInt(d.startTS))
	v.Set("init_ts", rpc.NewInt(d.initTS))
	v.Set("end_ts", rpc.NewInt(d.endTS))
	v.Set("duration", rpc.NewInt(dur))
	v.Set("timeout", rpc.NewInt(timeout))
	v.Set("lifetime", rpc.NewInt(int64(d.lifetime)))
	v.Set("dflags", rpc.NewInt(int64(d.dflags)))
	v.Set("sflags", rpc.NewInt(int64(d.sflags)))
	v.Set("iflags", rpc.NewInt(int64(d.iflags)))
	for i, name := range []string{"caller", "callee"} {
		leg := rpc.NewStruct()
		leg.Set("tag", rpc.NewStr(d.tag[i]))
		leg.Set("contact", rpc.NewStr(d.contact[i]))
		leg.Set("cseq", rpc.NewStr(d.cseq[i]))
		leg.Set("route_set", rpc.NewStr(d.routeSet[i]))
		sock := ""
		if d.bind[i] != nil {
			sock = d.bind[i].String()
		}
		leg.Set("socket", rpc.NewStr(sock))
		v.Set(name, leg)
	}
	profs := rpc.NewArray()
	if d.state < stateDeleted {
		for _, l := range d.links {
			if l.p.hasValue {
				profs.Append(rpc.NewStruct().Set(l.p.name, rpc.NewStr(l.val)))
			} else {
				profs.Append(rpc.NewStr(l.p.name))
			}
		}
	}
	v.Set("profiles", profs)
	vars := rpc.NewArray()
	if d.state < stateDeleted {
		for _, x := range d.vars {
			vars.Append(rpc.NewStruct().Set(x.key, rpc.NewStr(x.val)))
		}
	}
	v.Set("variables", vars)
	// the context is what modules add through dialog callbacks; kamgo's
	// modules add none
	_ = withCtx
	return v
}

func (m *Module) rpcList(withCtx bool) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, d := range m.all() {
			c.Add(m.dlgValue(d, withCtx))
		}
	}
}

func (m *Module) rpcListOne(withCtx bool) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		callID, ok := c.NextStr()
		if !ok {
			return
		}
		ftag, hasTag, ok := c.OptStr()
		if !ok {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, d := range m.table[m.hashEntry(callID)].list {
			if d.callID == callID && (!hasTag || d.tag[caller] == ftag) {
				c.Add(m.dlgValue(d, withCtx))
			}
		}
	}
}

func (m *Module) rpcListMatch(withCtx bool) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		// Kamailio scans the three strings at once and answers any
		// failure (a number given, a parameter missing) with one fault
		key, ok1 := strParam(c, 0)
		op, ok2 := strParam(c, 1)
		val, ok3 := strParam(c, 2)
		if !ok1 || !ok2 || !ok3 || key == "" || op == "" || val == "" {
			c.Fault(500, "Invalid parameters")
			return
		}
		keys := map[string]int{"ruri": 0, "furi": 1, "turi": 2, "callid": 3, "start_ts": 4}
		k, ok := keys[key]
		if !ok {
			c.Fault(500, "Invalid matching key parameter")
			return
		}
		ops := map[string]int{"eq": 0, "re": 1, "sw": 2, "gt": 3, "lt": 4}
		o, ok := ops[op]
		if len(op) != 2 || !ok {
			c.Fault(500, "Invalid matching operator parameter")
			return
		}
		var re *regexp.Regexp
		if o == 1 {
			var err error
			if re, err = regexp.Compile("(?i)" + val); err != nil {
				c.Fault(500, "Invalid matching value parameter")
				return
			}
		}
		limit := int64(0)
		if v := c.Param(3); v != nil && v.Kind == rpc.Int {
			limit = v.Int
		}
		if k == 4 && o <= 2 {
			c.Fault(500, "Matching operator not supported with start_ts key")
			return
		}
		if k != 4 && o >= 3 {
			c.Fault(500, "Matching operator not supported")
			return
		}
		mv, mvErr := strconv.ParseUint(val, 10, 32)
		m.mu.Lock()
		defer m.mu.Unlock()
		n := int64(0)
		for _, d := range m.all() {
			s := [...]string{d.reqURI, d.fromURI, d.toURI, d.callID, ""}[k]
			matched := false
			switch o {
			case 0:
				matched = s == val
			case 1:
				matched = re.MatchString(s)
			case 2:
				matched = len(val) <= len(s) && s[:len(val)] == val
			case 3:
				matched = mvErr == nil && uint64(d.startTS) > mv
			case 4:
				matched = mvErr == nil && uint64(d.startTS) < mv
			}
			if matched {
				n++
				c.Add(m.dlgValue(d, withCtx))
				if limit > 0 && n == limit {
					break
				}
			}
		}
		if n == 0 {
			c.Fault(404, "Not found")
		}
	}
}

func (m *Module) rpcDumpFile(_ context.Context, c *rpc.Call) {
	name, ok := c.NextStr()
	if !ok {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		m.log.Logf(klog.Err, Name, "failed to open output file: %s", name)
		return
	}
	defer f.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.all() {
		b, err := json.Marshal(dumpDoc(d))
		if err != nil {
			continue
		}
		f.Write(append(b, '\n'))
	}
}

// dumpDoc is a dialog as dlg.dump_file writes it. Keys keep Kamailio's
// order.
func dumpDoc(d *dlg) orderedMap {
	legs := func(i int) orderedMap {
		sock := ""
		if d.bind[i] != nil {
			sock = d.bind[i].String()
		}
		return orderedMap{{"tag", d.tag[i]}, {"contact", d.contact[i]}, {"cseq", d.cseq[i]},
			{"route_set", d.routeSet[i]}, {"socket", sock}}
	}
	profs, vars := orderedMap{}, orderedMap{}
	if d.state < stateDeleted {
		for _, l := range d.links {
			profs = append(profs, kv{l.p.name, l.val})
		}
		for _, x := range d.vars {
			vars = append(vars, kv{x.key, x.val})
		}
	}
	timeout := int64(0)
	if !d.deadline.IsZero() {
		timeout = d.deadline.Unix()
	}
	return orderedMap{{"h_entry", d.hEntry}, {"h_id", d.hID}, {"ref", d.ref}, {"call_id", d.callID},
		{"from_uri", d.fromURI}, {"to_uri", d.toURI}, {"state", d.state}, {"start_ts", d.startTS},
		{"init_ts", d.initTS}, {"end_ts", d.endTS}, {"timeout", timeout}, {"lifetime", d.lifetime},
		{"dflags", d.dflags}, {"sflags", d.sflags}, {"iflags", d.iflags},
		{"caller", legs(caller)}, {"callee", legs(callee)}, {"profiles", profs}, {"variables", vars}}
}

type kv struct {
	k string
	v any
}

// orderedMap is a JSON object that keeps its keys' order.
type orderedMap []kv

func (o orderedMap) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, e := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

func (m *Module) rpcEndDlg(_ context.Context, c *rpc.Call) {
	if c.Remaining() < 2 {
		c.Fault(500, "Invalid parameters")
		return
	}
	he, ok1 := c.NextInt()
	hi, ok2 := c.NextInt()
	if !ok1 || !ok2 {
		return
	}
	hdrs, _, _ := c.OptStr()
	m.mu.Lock()
	d := m.lookup(uint32(he), uint32(hi))
	m.mu.Unlock()
	if d == nil {
		c.Fault(404, "Dialog not found")
		return
	}
	m.byeAll(nil, d, hdrs)
}

// strParam is parameter i as a string, without a fault when it is not
// one.
func strParam(c *rpc.Call, i int) (string, bool) {
	v := c.Param(i)
	switch {
	case v == nil:
		return "", false
	case v.Kind == rpc.Str:
		return v.Str, true
	case c.Convert && v.Kind == rpc.Int:
		return strconv.FormatInt(v.Int, 10), true
	}
	return "", false
}

// threeIDs reads Call-ID, From tag and To tag and finds their dialog.
func (m *Module) threeIDs(c *rpc.Call, fault string) (*dlg, bool) {
	if c.Remaining() < 3 {
		c.Fault(400, "%s", fault)
		return nil, false
	}
	cid, _ := c.NextStr()
	ft, _ := c.NextStr()
	tt, _ := c.NextStr()
	m.mu.Lock()
	d, _ := m.search(cid, ft, tt)
	m.mu.Unlock()
	return d, true
}

func (m *Module) rpcTerminate(_ context.Context, c *rpc.Call) {
	d, ok := m.threeIDs(c, "Need a Callid ,from tag ,to tag")
	if !ok {
		return
	}
	if d == nil {
		m.log.Logf(klog.Err, Name, "Couldnt find callid in dialog '%s' ", c.Param(0).Str)
		c.Fault(500, "Couldnt find callid in dialog")
		return
	}
	if m.byeAll(nil, d, "") {
		m.log.Logf(klog.Warn, Name, "Dialog is terminated callid: '%s' ", d.callID)
	}
}

func (m *Module) rpcSetState(_ context.Context, c *rpc.Call) {
	d, ok := m.threeIDs(c, "Need the callid, from tag,to tag and state")
	if !ok {
		return
	}
	sval := int64(stateDeleted)
	if n, present, okN := c.OptInt(); !okN {
		return
	} else if present {
		sval = n
	}
	if sval < stateUnconfirmed || sval > stateDeleted {
		c.Fault(500, "Invalid state value")
		return
	}
	if d == nil {
		c.Fault(500, "Dialog not found")
		return
	}
	m.mu.Lock()
	if d.state != stateConfirmed || sval != stateDeleted {
		m.log.Logf(klog.Warn, Name, "updating states for not confirmed dialogs not properly supported yet, use at own risk: '%s'", d.callID)
	}
	old := d.state
	d.state = int(sval)
	if old == stateConfirmed && sval == stateDeleted {
		// the dialog stays until its timer (or the clean timer) takes it
		now := m.nowUnix()
		d.initTS, d.endTS = now, now
		m.stats.active.Add(-1)
	}
	d.dflags |= dflagChanged
	cid := d.callID
	m.mu.Unlock()
	m.log.Logf(klog.Notice, Name, "dialog callid '%s' - state change forced - old: %d - new: %d", cid, old, sval)
	c.Add(rpc.NewStr("Done"))
}

func (m *Module) rpcIsAlive(_ context.Context, c *rpc.Call) {
	d, ok := m.threeIDs(c, "Too few parameters (required callid, from-tag, to-tag)")
	if !ok {
		return
	}
	if d == nil {
		c.Fault(404, "Dialog not found")
		return
	}
	m.mu.Lock()
	state := d.state
	m.mu.Unlock()
	if state != stateConfirmed {
		c.Fault(500, "Dialog not in confirmed state")
		return
	}
	c.Add(rpc.NewStr("Alive"))
}

// profileArgs reads a profile name and an optional value.
func (m *Module) profileArgs(c *rpc.Call) (*profile, string, bool, bool) {
	name, ok := c.NextStr()
	if !ok {
		return nil, "", false, false
	}
	val, has, ok := c.OptStr()
	if !ok {
		return nil, "", false, false
	}
	p := m.profiles[name]
	if p == nil {
		c.Fault(404, "Profile not found: %s", name)
		return nil, "", false, false
	}
	return p, val, has, true
}

func (m *Module) rpcProfileSize(_ context.Context, c *rpc.Call) {
	p, val, has, ok := m.profileArgs(c)
	if !ok {
		return
	}
	c.Add(rpc.NewInt(int64(m.size(p, val, has))))
}

func (m *Module) rpcProfileList(_ context.Context, c *rpc.Call) {
	p, val, has, ok := m.profileArgs(c)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, l := range p.links {
		if l.d != nil && (!p.hasValue || !has || l.val == val) {
			c.Add(m.dlgValue(l.d, false))
		}
	}
}

// rpcBridge is dlg.bridge_dlg from to [op [body]]: dlg_bridge from a
// command. "." stands for no op and no body (the held SDP), "_" for an
// empty body. Like Kamailio's, it answers nothing, even when the INVITE
// could not be sent.
func (m *Module) rpcBridge(_ context.Context, c *rpc.Call) {
	from, ok1 := c.NextStr()
	to, ok2 := c.NextStr()
	if !ok1 || !ok2 {
		m.log.Log(klog.Err, Name, "unable to read the parameters")
		c.Fault(500, "Invalid parameters")
		return
	}
	op, body, hold := "", "", true
	if s, present, ok := c.OptStr(); present && ok {
		if s != "." {
			op = s
		}
		if b, present, ok := c.OptStr(); present && ok {
			switch b {
			case ".":
			case "_":
				hold = false
			default:
				body, hold = b, false
			}
		}
	}
	m.bridge(nil, from, to, op, body, hold)
}

func (m *Module) rpcStatsActive(_ context.Context, c *rpc.Call) {
	own := int64(0)
	if n, present, ok := c.OptInt(); ok && present {
		own = n
	}
	var counts [5]int64
	m.mu.Lock()
	for _, d := range m.all() {
		if own != 0 && d.bind[caller] == nil {
			continue
		}
		if d.state >= stateUnconfirmed && d.state <= stateConfirmed {
			counts[d.state]++
		}
	}
	m.mu.Unlock()
	v := rpc.NewStruct()
	v.Set("starting", rpc.NewInt(counts[stateUnconfirmed]))
	v.Set("connecting", rpc.NewInt(counts[stateEarly]))
	v.Set("answering", rpc.NewInt(counts[stateConfirmedNA]))
	v.Set("ongoing", rpc.NewInt(counts[stateConfirmed]))
	v.Set("all", rpc.NewInt(counts[1]+counts[2]+counts[3]+counts[4]))
	c.Add(v)
}

func (m *Module) rpcBriefing(_ context.Context, c *rpc.Call) {
	format := "ftcFT"
	if s, present, ok := c.OptStr(); ok && present {
		format = s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.all() {
		v := rpc.NewStruct()
		v.Set("h_entry", rpc.NewInt(int64(d.hEntry)))
		v.Set("h_id", rpc.NewInt(int64(d.hID)))
		for _, f := range format {
			switch f {
			case 'f':
				v.Set("from_uri", rpc.NewStr(d.fromURI))
			case 't':
				v.Set("to_uri", rpc.NewStr(d.toURI))
			case 'c':
				v.Set("call-id", rpc.NewStr(d.callID))
			case 'F':
				v.Set("from_tag", rpc.NewStr(d.tag[caller]))
			case 'T':
				// Kamailio 5.6 prints the caller's tag here too
				v.Set("to_tag", rpc.NewStr(d.tag[caller]))
			case 'I':
				v.Set("init_ts", rpc.NewInt(d.initTS))
			case 'S':
				v.Set("start_ts", rpc.NewInt(d.startTS))
			case 'E':
				v.Set("end_ts", rpc.NewInt(d.endTS))
			case 's':
				v.Set("state", rpc.NewInt(int64(d.state)))
			}
		}
		c.Add(v)
	}
}

var _ rpc.Provider = (*Module)(nil)
