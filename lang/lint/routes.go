package lint

import (
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// Route blocks nothing runs, names that do not match, and SIP replies
// where there is no request to answer.
func init() {
	register(
		&Rule{
			ID: "KL3001", Name: "unused-route", Severity: diag.Warning, Default: true,
			Title: "route[X] that nothing calls",
			Doc: `No route() call names the route, no function argument or module parameter
mentions it, and no route name computed at run time can match it: it never
runs. Kamailio accepts unused routes silently. Usually the call was renamed
or removed. A file without any route Kamailio runs by itself (a fragment
meant to be included) is not checked, nor is a config whose routes run
through a KEMI engine.`,
			Bad: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Found");
}
route[OLD_AUTH] {
	exit;
}`,
			Good: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Found");
}`,
			Run: runUnusedRoute,
		},
		&Rule{
			ID: "KL3002", Name: "route-never-armed", Severity: diag.Warning, Default: true,
			Title: "failure, reply or branch route that no t_on_* arms",
			Doc: `failure_route[X], onreply_route[X] and branch_route[X] only run for a
transaction that t_on_failure("X"), t_on_reply("X") or t_on_branch("X")
armed; event_route[tm:branch-failure:X] needs t_on_branch_failure("X").
Nothing in this config names the block, so it never runs.`,
			Bad: `loadmodule "tm.so"
request_route {
	t_relay();
	exit;
}
failure_route[MISSED_CALL] {
	exit;
}`,
			Good: `loadmodule "tm.so"
request_route {
	t_on_failure("MISSED_CALL");
	t_relay();
	exit;
}
failure_route[MISSED_CALL] {
	exit;
}`,
			Run: runNeverArmed,
		},
		&Rule{
			ID: "KL3003", Name: "sip-reply-in-event-route", Severity: diag.Warning, Default: true,
			Title: "SIP reply sent from an event route that has no SIP request",
			Doc: `Event routes such as evapi's, htable:mod-init or xhttp:request run on a
faked message, not on a SIP request: sl_send_reply, sl_reply_error,
send_reply and t_reply there answer nobody (and t_reply finds no
transaction). Event routes of tm, sl and the core's pre-routing run on a
real SIP message and are not concerned.`,
			Bad: `loadmodule "sl.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	sl_send_reply("200", "OK");
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:message-received] {
	evapi_relay("ok");
}`,
			Run: runReplyInEvent,
		},
		&Rule{
			ID: "KL3004", Name: "event-route-typo", Severity: diag.Warning, Default: true,
			Title: "misspelled event_route name: suggest the event meant",
			Doc: `check warns (KC2013) about an event_route that no loaded module raises. When
its own suggestion finds nothing (it only looks at the events of the
module the name starts with), this rule looks at every event of every
module and of the core, and adds "did you mean" to check's warning. It
reports nothing of its own: the finding stays KC2013.`,
			Bad: `loadmodule "evapi.so"
event_route[evpai:message-received] {
	exit;
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:message-received] {
	exit;
}`,
			Run: runEventTypo,
		},
		&Rule{
			ID: "KL3005", Name: "branch-failure-route-missing", Severity: diag.Warning, Default: true,
			Title: "t_on_branch_failure names an event route that is not defined",
			Doc: `t_on_branch_failure("X") runs event_route[tm:branch-failure:X] when a
branch fails. With no such block, Kamailio accepts the config and the
handling silently never happens.`,
			Bad: `loadmodule "tm.so"
request_route {
	t_on_branch_failure("RETRY");
	t_relay();
	exit;
}
event_route[tm:branch-failure:RETRIES] {
	exit;
}`,
			Good: `loadmodule "tm.so"
request_route {
	t_on_branch_failure("RETRY");
	t_relay();
	exit;
}
event_route[tm:branch-failure:RETRY] {
	exit;
}`,
			Run: runBranchFailureMissing,
		},
		&Rule{
			ID: "KL3006", Name: "header-without-crlf", Severity: diag.Warning, Default: true,
			Title: "header text added without its \\r\\n",
			Doc: `append_hf, insert_hf and append_to_reply add their text to the message as
it is: a header line must end with "\r\n", or the next header is glued to
it and the message is malformed. (append_hf_value and the functions that
take a header name and a value add the line end themselves.)`,
			Bad: `loadmodule "textops.so"
request_route {
	append_hf("X-Checked: yes");
}`,
			Good: `loadmodule "textops.so"
request_route {
	append_hf("X-Checked: yes\r\n");
}`,
			Run: runHeaderCRLF,
		},
	)
}

// nativeComplete reports whether the config has a request route or an
// event route (a file with neither is a fragment meant to be included),
// and whether its routes run natively (not through KEMI).
func nativeComplete(p *Pass) bool {
	for _, it := range p.Config.Items {
		if e, ok := it.(*ast.CfgEngine); ok && e.Name != "native" && e.Name != "" {
			return false
		}
	}
	for _, r := range p.Routes() {
		if k := flow.KeyOf(r).Kind; k == ast.Request || k == ast.Event {
			return true
		}
	}
	return false
}

// mentioned reports whether a route name appears anywhere but in the
// blocks that define it: as a word of a string literal (a module parameter
// "route=TIMER", a function argument) or as a name in code, in any branch
// of any #!ifdef (a call that is only compiled with -A WITH_X still uses
// the route).
func mentioned(p *Pass, name string) bool {
	if p.Pre.StrWords[name] > 0 {
		return true
	}
	defs := 0
	for _, r := range p.Routes() {
		if r.Name == name || strings.HasSuffix(r.Name, ":"+name) {
			defs++
		}
	}
	for _, t := range p.Pre.Tests {
		if t.Name == name {
			defs++ // #!ifdef NAME is not a use of the route
		}
	}
	return p.Pre.Uses[name] > defs
}

func runUnusedRoute(p *Pass) {
	if !nativeComplete(p) {
		return
	}
	for _, r := range p.Routes() {
		if flow.KeyOf(r).Kind != ast.Named || len(p.Flow.In[r]) > 0 {
			continue
		}
		if matchedByPattern(p, r, ast.Named) || mentioned(p, r.Name) {
			continue
		}
		p.Reportf(r, r.NameRange, "route[%s] is never called", r.Name)
	}
}

// matchedByPattern reports whether a name computed at run time may name
// r.
func matchedByPattern(p *Pass, r *ast.Route, kind ast.RouteKind) bool {
	for _, c := range p.Flow.Calls {
		if c.Pattern != nil && c.RouteKind == kind && c.Pattern.MatchString(r.Name) {
			return true
		}
	}
	return false
}

func runNeverArmed(p *Pass) {
	if !nativeComplete(p) {
		return
	}
	armedBy := map[ast.RouteKind]string{ast.Failure: "t_on_failure", ast.OnReply: "t_on_reply", ast.Branch: "t_on_branch"}
	for _, r := range p.Routes() {
		fn, ok := armedBy[r.Kind]
		name := r.Name
		if r.Kind == ast.Event && strings.HasPrefix(r.Name, "tm:branch-failure:") {
			fn, ok = "t_on_branch_failure", true
			name = strings.TrimPrefix(r.Name, "tm:branch-failure:")
		}
		if !ok || name == "" || name == "0" || len(p.Flow.In[r]) > 0 {
			continue
		}
		if matchedByPattern(p, r, r.Kind) || mentioned(p, name) {
			continue
		}
		p.Reportf(r, r.NameRange, "%s is never armed: no %s(\"%s\") in this config", r.Title(), fn, name)
	}
}

// replyFuncs answer the SIP request a route runs on.
var replyFuncs = map[string]bool{"sl_send_reply": true, "sl_reply_error": true, "send_reply": true, "t_reply": true, "t_send_reply": true}

// sipEvent reports whether an event route runs on a real SIP message.
func sipEvent(name string) bool {
	for _, prefix := range []string{"tm:", "sl:", "core:pre-routing", "core:msg-received", "dialog:", "sipcapture:", "siptrace:", "topos:", "uac:", "msrp:", "tls:"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

func runReplyInEvent(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !replyFuncs[c.Name] {
			return
		}
		var ev *ast.Route
		if r.Kind == ast.Event {
			ev = r
		} else if !p.Flow.IsEntry(r) {
			entries := p.Flow.Entries(r)
			for _, e := range entries {
				if e.Kind != ast.Event {
					return // reached from a route with a request too
				}
				ev = e
			}
		}
		if ev == nil || sipEvent(ev.Name) {
			return
		}
		p.Reportf(r, c.NameRange, "%s in %s answers no SIP request: the route runs on a faked message", c.Name, ev.Title())
	})
}

func runEventTypo(p *Pass) {
	var events []string
	for _, m := range p.Catalog.Modules() {
		for _, e := range m.Events {
			if !strings.HasSuffix(e, "*") {
				events = append(events, e)
			}
		}
	}
	events = append(events, p.Catalog.CoreEvents()...)
	sort.Strings(events)
	for _, d := range p.Check {
		if d.Code != "KC2013" || d.Detail != "" {
			continue
		}
		name := eventNameOf(d.Summary)
		if name == "" {
			continue
		}
		s := diag.Suggest(name, events)
		if s == "" {
			for _, e := range events {
				if strings.EqualFold(e, name) {
					s = e
				}
			}
		}
		if s != "" {
			d.Detail = "did you mean event_route[" + s + "]? (" + p.Rule.ID + ")"
		}
	}
}

// eventNameOf reads the event name out of KC2013's summary.
func eventNameOf(summary string) string {
	i := strings.Index(summary, "event_route[")
	if i < 0 || !strings.HasSuffix(summary, "]") {
		return ""
	}
	return summary[i+len("event_route[") : len(summary)-1]
}

func runBranchFailureMissing(p *Pass) {
	var names []string
	for _, r := range p.Routes() {
		if r.Kind == ast.Event && strings.HasPrefix(r.Name, "tm:branch-failure:") {
			names = append(names, strings.TrimPrefix(r.Name, "tm:branch-failure:"))
		}
	}
	for _, c := range p.Flow.Calls {
		if c.Kind != flow.CallArm || c.RouteKind != ast.Event || c.Name == "" || c.Target != nil {
			continue
		}
		short := strings.TrimPrefix(c.Name, "tm:branch-failure:")
		d := p.Reportf(c.From, c.Arg.Span(), "t_on_branch_failure names event_route[%s], which is not defined", c.Name)
		if s := diag.Suggest(short, names); s != "" {
			d.Detail = "did you mean \"" + s + "\"?"
		}
	}
}

// crlfFuncs are the functions whose first argument is added to the
// message as whole header lines.
var crlfFuncs = map[string]bool{"append_hf": true, "insert_hf": true, "append_to_reply": true}

func runHeaderCRLF(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !crlfFuncs[c.Name] {
			return
		}
		s, ok := strArg(c, 0)
		if !ok || s.Value == "" || strings.HasSuffix(s.Value, "\r\n") {
			return
		}
		if pv := lastPV(s); pv != nil && (localClasses[pv.Class] || pv.Class == "shv" || pv.Class == "sht") {
			// The text ends with a variable that may hold the line
			// end (or whole header lines).
			return
		}
		d := p.Reportf(r, s.Rng, "%s text does not end with \\r\\n: the next header is glued to it", c.Name)
		d.Detail = "end the text with \\r\\n"
	})
}

// lastPV returns the pseudo-variable a format string ends with, or nil.
func lastPV(s *ast.StrLit) *ast.PVar {
	if !strings.Contains(s.Value, "$") {
		return nil
	}
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil || len(f.Parts) == 0 {
		return nil
	}
	return f.Parts[len(f.Parts)-1].PV
}
