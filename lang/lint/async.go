package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// Suspending a SIP transaction and resuming it: evapi's async functions,
// t_suspend and t_continue.
func init() {
	register(
		&Rule{
			ID: "KL5001", Name: "async-without-resume", Severity: diag.Warning, Default: true,
			Title: "evapi async relay without tm, or without any t_continue",
			Doc: `evapi_async_relay and its multicast and unicast variants suspend the SIP
transaction with tm and hand it to an evapi client; the client's answer
must come back to event_route[evapi:message-received], which resumes the
transaction with tmx's t_continue. Without tm loaded, evapi disables async
relaying at startup and every call fails; with no t_continue anywhere in
the config, every suspended transaction waits until tm's timer kills it.`,
			Bad: `loadmodule "tm.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("{\"tindex\": \"$T(id_index)\", \"tlabel\": \"$T(id_label)\"}");
	exit;
}`,
			Good: `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "jansson.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("{\"tindex\": \"$T(id_index)\", \"tlabel\": \"$T(id_label)\"}");
	exit;
}
event_route[evapi:message-received] {
	jansson_get("tindex", "$evapi(msg)", "$var(tindex)");
	jansson_get("tlabel", "$evapi(msg)", "$var(tlabel)");
	t_continue("$var(tindex)", "$var(tlabel)", "RESUME");
}
route[RESUME] {
	exit;
}`,
			Run: runAsyncWithoutResume,
		},
		&Rule{
			ID: "KL5002", Name: "async-in-event-route", Severity: diag.Warning, Default: true,
			Title: "transaction suspended in an event route, or in a route an event route reaches",
			Doc: `evapi_async_relay (and variants), t_suspend, async_route and
async_task_route suspend the SIP transaction of the request being handled.
An event route such as evapi:message-received runs on a faked message,
with no request and no transaction: the call fails there, and in any
route[X] an event route reaches through route().`,
			Bad: `loadmodule "tm.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	evapi_async_relay("$evapi(msg)");
	exit;
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:message-received] {
	evapi_relay("$evapi(msg)");
}`,
			Run: runAsyncInEvent,
		},
		&Rule{
			ID: "KL5003", Name: "async-payload-without-tindex", Severity: diag.Warning, Default: true,
			Title: "async relay payload without $T(id_index) and $T(id_label)",
			Doc: `To resume a transaction suspended by evapi_async_relay, t_continue needs
its index and label. They are only known to the evapi client if the
payload carries them ($T(id_index) and $T(id_label)) for the client to
send back. A payload written here that holds neither, or only one, leaves
the transaction suspended until tm times it out.`,
			Bad: `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("{\"ruri\": \"$ru\"}");
	exit;
}`,
			Good: `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("{\"ruri\": \"$ru\", \"tindex\": \"$T(id_index)\", \"tlabel\": \"$T(id_label)\"}");
	exit;
}`,
			Run: runAsyncPayload,
		},
		&Rule{
			ID: "KL5004", Name: "continue-route-typo", Severity: diag.Warning, Default: true,
			Title: "t_continue names a missing route: suggest the route meant",
			Doc: `check warns (KC2014) when t_continue names a route[X] that is not defined:
the transaction is resumed in an empty route and nothing happens. This
rule adds what was probably meant to check's warning: a route[X] whose
name differs only in case or by a typo, or a block of another kind with
that name (t_continue resumes in route[X] blocks only). It reports nothing
of its own.`,
			Bad: `loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	t_continue("1", "2", "resume");
}
route[RESUME] {
	exit;
}`,
			Good: `loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	t_continue("1", "2", "RESUME");
}
route[RESUME] {
	exit;
}`,
			Run: runContinueTypo,
		},
	)
}

func isEvapiAsync(name string) bool { return strings.HasPrefix(name, "evapi_async_") }

// suspends are the functions that suspend the current transaction.
func suspends(name string) bool {
	return isEvapiAsync(name) || name == "t_suspend" || name == "async_route" || name == "async_task_route" || name == "async_ms_route"
}

func runAsyncWithoutResume(p *Pass) {
	hasContinue := false
	p.EachCall(func(_ *ast.Route, _ ast.Stmt, c *ast.Call) {
		hasContinue = hasContinue || c.Name == "t_continue"
	})
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !isEvapiAsync(c.Name) {
			return
		}
		switch {
		case !p.Loaded("evapi"):
			// check reports the call (KC2002); a fragment of a config
			// says nothing about what the whole loads.
		case !p.Loaded("tm"):
			d := p.Reportf(r, c.NameRange, "%s needs tm: without it evapi disables async relaying and the call fails", c.Name)
			d.Detail = "add loadmodule \"tm.so\" before evapi"
		case !hasContinue:
			d := p.Reportf(r, c.NameRange, "%s suspends the transaction, but no t_continue in this config resumes it", c.Name)
			d.Detail = "resume it with t_continue (module tmx) when the client answers, in event_route[evapi:message-received]"
		}
	})
}

func runAsyncInEvent(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !suspends(c.Name) {
			return
		}
		var ev *ast.Route
		if r.Kind == ast.Event {
			ev = r
		} else if !p.Flow.IsEntry(r) {
			for _, e := range p.Flow.Entries(r) {
				if e.Kind == ast.Event {
					ev = e
					break
				}
			}
		}
		if ev == nil || sipEvent(ev.Name) {
			return
		}
		where := ev.Title()
		if ev != r {
			where += ", which reaches " + r.Title()
		}
		p.Reportf(r, c.NameRange, "%s has no SIP transaction to suspend in %s", c.Name, where)
	})
}

// payloadArg returns the data argument of an evapi send function: the
// first of evapi_relay and evapi_async_relay, the second of the multicast
// and unicast functions.
func payloadArg(c *ast.Call) (*ast.StrLit, bool) {
	switch c.Name {
	case "evapi_relay", "evapi_async_relay":
		return strArg(c, 0)
	case "evapi_multicast", "evapi_unicast", "evapi_async_multicast", "evapi_async_unicast":
		return strArg(c, 1)
	}
	return nil, false
}

func runAsyncPayload(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !isEvapiAsync(c.Name) {
			return
		}
		s, ok := payloadArg(c)
		if !ok || lastPV(s) != nil && len(formatPVs(s)) == 1 && strings.HasPrefix(s.Value, "$") {
			return // the whole payload is built elsewhere
		}
		idx, lbl := false, false
		for _, pv := range formatPVs(s) {
			if pv.Class == "T" && pv.Name != nil {
				idx = idx || pv.Name.Text == "id_index"
				lbl = lbl || pv.Name.Text == "id_label"
			}
		}
		switch {
		case !idx && !lbl:
			p.Reportf(r, s.Rng, "%s payload carries neither $T(id_index) nor $T(id_label): the client cannot resume the transaction", c.Name)
		case !idx:
			p.Reportf(r, s.Rng, "%s payload carries $T(id_label) but not $T(id_index)", c.Name)
		case !lbl:
			p.Reportf(r, s.Rng, "%s payload carries $T(id_index) but not $T(id_label)", c.Name)
		}
	})
}

func runContinueTypo(p *Pass) {
	var named []string
	others := map[string]*ast.Route{}
	for _, r := range p.Routes() {
		if flow.KeyOf(r).Kind == ast.Named {
			named = append(named, r.Name)
		} else if r.Name != "" {
			others[r.Name] = r
		}
	}
	for _, d := range p.Check {
		if d.Code != "KC2014" || d.Detail != "" || !strings.HasPrefix(d.Summary, "t_continue ") {
			continue
		}
		name := routeNameOf(d.Summary)
		if name == "" {
			continue
		}
		s := ""
		for _, n := range named {
			if strings.EqualFold(n, name) {
				s = n
			}
		}
		if s == "" {
			s = diag.Suggest(name, named)
		}
		switch {
		case s != "":
			d.Detail = "did you mean route[" + s + "]? (" + p.Rule.ID + ")"
		case others[name] != nil:
			d.Detail = "t_continue resumes in a route[" + name + "] block; " + others[name].Title() + " is not one (" + p.Rule.ID + ")"
		}
	}
}

// routeNameOf reads X out of KC2014's "... names route[X], which ...".
func routeNameOf(summary string) string {
	i := strings.Index(summary, "[")
	j := strings.Index(summary, "]")
	if i < 0 || j < i {
		return ""
	}
	return summary[i+1 : j]
}
