package lint

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// evapi: connections, tags and what is sent to clients.
func init() {
	register(
		&Rule{
			ID: "KL5005", Name: "evapi-connection-call-outside", Severity: diag.Warning, Default: true,
			Title: "evapi_close() or evapi_set_tag outside evapi event routes",
			Doc: `evapi_close() without an argument and evapi_set_tag act on the connection
whose event is being handled. Outside evapi's event routes (and the routes
only they reach) there is none: the call logs nothing useful and returns
-1. To close another connection, pass its index: evapi_close("$var(idx)").`,
			Bad: `loadmodule "evapi.so"
request_route {
	evapi_set_tag("sip");
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("sip");
}`,
			Run: runEvapiConnOutside,
		},
		&Rule{
			ID: "KL5006", Name: "evapi-tag-too-long", Severity: diag.Warning, Default: true,
			Title: "evapi tag longer than 63 bytes",
			Doc: `evapi keeps a connection's tag in 64 bytes with the final NUL: a tag of 64
bytes or more makes evapi_set_tag fail (it logs an error and returns -1),
and a unicast or multicast to such a tag can never reach anyone.`,
			Bad: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("billing-and-rating-engine-of-the-north-european-datacenter-cluster-2");
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("billing-north-2");
}`,
			Run: runEvapiTagLength,
		},
		&Rule{
			ID: "KL5007", Name: "evapi-tag-never-set", Severity: diag.Warning, Default: true,
			Title: "evapi_unicast or evapi_multicast to a tag no evapi_set_tag sets",
			Doc: `A unicast or multicast reaches the connections tagged with its tag by
evapi_set_tag. When no evapi_set_tag of this config can produce the tag
(its constant parts do not match), the message reaches nobody, silently.
Usually one of the two tags is misspelled.`,
			Bad: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("billing");
}
event_route[evapi:message-received] {
	evapi_multicast("biling", "$evapi(msg)");
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("billing");
}
event_route[evapi:message-received] {
	evapi_multicast("billing", "$evapi(msg)");
}`,
			Run: runEvapiTagNeverSet,
		},
		&Rule{
			ID: "KL5008", Name: "drop-keeps-connection", Severity: diag.Warning, Default: true,
			Title: "drop in event_route[evapi:connection-new] does not refuse the connection",
			Doc: `Ending event_route[evapi:connection-new] with drop does not refuse the
client: evapi ignores how the route ends and keeps the connection open.
Call evapi_close() to close it.`,
			Bad: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:connection-new] {
	if ($evapi(srcaddr) != "127.0.0.1") {
		drop;
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:connection-new] {
	if ($evapi(srcaddr) != "127.0.0.1") {
		evapi_close();
		exit;
	}
}`,
			Run: runDropKeepsConnection,
		},
		&Rule{
			ID: "KL5009", Name: "evapi-empty-payload", Severity: diag.Warning, Default: true,
			Title: "evapi relay, multicast or unicast of an empty payload",
			Doc: `The data argument is empty (or only spaces): the client receives an empty
frame, which is seldom what the other side expects, and for an async
relay nothing identifies the transaction.`,
			Bad: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_relay("");
}`,
			Good: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_relay("{\"event\": \"connected\"}");
}`,
			Run: runEvapiEmpty,
		},
		&Rule{
			ID: "KL5010", Name: "evapi-invalid-json", Severity: diag.Warning, Default: true,
			Title: "JSON payload that cannot be valid JSON",
			Doc: `The payload of an evapi send looks like JSON (it starts with { or [), but
it is not valid JSON whatever the pseudo-variables in it hold: a missing
quote, comma or brace, a trailing comma. The client's JSON parser rejects
every message. Pseudo-variables inside quotes are taken as text, outside
quotes as any JSON value.`,
			Bad: `loadmodule "pv.so"
loadmodule "evapi.so"
request_route {
	evapi_relay("{\"from\": \"$fU\", \"to\": \"$rU\",}");
}`,
			Good: `loadmodule "pv.so"
loadmodule "evapi.so"
request_route {
	evapi_relay("{\"from\": \"$fU\", \"to\": \"$rU\"}");
}`,
			Run: runEvapiJSON,
		},
	)
}

func inEvapiContext(p *Pass, r *ast.Route) bool {
	return isEvapiRoute(r) || !p.Flow.IsEntry(r) && onlyEvapi(p, r)
}

func runEvapiConnOutside(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if !(c.Name == "evapi_close" && len(c.Args) == 0 || c.Name == "evapi_set_tag") {
			return
		}
		if inEvapiContext(p, r) || !p.Flow.IsEntry(r) && len(p.Flow.Entries(r)) == 0 {
			return
		}
		where := r.Title()
		for _, e := range p.Flow.Entries(r) {
			if !isEvapiRoute(e) {
				where = e.Title()
				break
			}
		}
		d := p.Reportf(r, c.NameRange, "%s acts on the connection of an evapi event: in %s there is none", c.Name, where)
		if c.Name == "evapi_close" {
			d.Detail = "pass the connection index: evapi_close(\"$var(conidx)\")"
		}
	})
}

const evapiTagMax = 63

func runEvapiTagLength(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		var s *ast.StrLit
		var ok bool
		switch c.Name {
		case "evapi_set_tag", "evapi_multicast", "evapi_unicast", "evapi_async_multicast", "evapi_async_unicast":
			s, ok = strArg(c, 0)
		}
		if !ok || strings.Contains(s.Value, "$") || len(s.Value) <= evapiTagMax {
			return
		}
		p.Reportf(r, s.Rng, "evapi tag of %d bytes: evapi keeps at most %d", len(s.Value), evapiTagMax)
	})
}

// formatRegexp returns a pattern matching every value of a format string
// (literal parts kept, pseudo-variables as any text).
func formatRegexp(s *ast.StrLit) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil || !strings.Contains(s.Value, "$") {
		b.WriteString(regexp.QuoteMeta(s.Value))
	} else {
		for _, part := range f.Parts {
			if part.PV != nil {
				b.WriteString(".*")
			} else {
				b.WriteString(regexp.QuoteMeta(part.Lit))
			}
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile("")
	}
	return re
}

func runEvapiTagNeverSet(p *Pass) {
	var sets []*regexp.Regexp
	p.EachCall(func(_ *ast.Route, _ ast.Stmt, c *ast.Call) {
		if c.Name != "evapi_set_tag" {
			return
		}
		if s, ok := strArg(c, 0); ok {
			sets = append(sets, formatRegexp(s))
		} else {
			sets = append(sets, regexp.MustCompile(""))
		}
	})
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		switch c.Name {
		case "evapi_multicast", "evapi_unicast", "evapi_async_multicast", "evapi_async_unicast":
		default:
			return
		}
		s, ok := strArg(c, 0)
		if !ok || strings.Contains(s.Value, "$") {
			return
		}
		for _, re := range sets {
			if re.MatchString(s.Value) {
				return
			}
		}
		if len(sets) == 0 {
			p.Reportf(r, s.Rng, "%s to tag %q, but no evapi_set_tag in this config tags a connection", c.Name, s.Value)
			return
		}
		p.Reportf(r, s.Rng, "%s to tag %q, which no evapi_set_tag of this config sets: it reaches nobody", c.Name, s.Value)
	})
}

func runDropKeepsConnection(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		ret, ok := s.(*ast.ReturnStmt)
		if !ok || ret.Kind != ast.Drop {
			return
		}
		newConn := r.Kind == ast.Event && r.Name == "evapi:connection-new"
		if !newConn && !p.Flow.IsEntry(r) {
			entries := p.Flow.Entries(r)
			newConn = len(entries) > 0
			for _, e := range entries {
				newConn = newConn && e.Kind == ast.Event && e.Name == "evapi:connection-new"
			}
		}
		if !newConn || closedBefore(p, r, ret) {
			return
		}
		d := p.Reportf(r, ret.Rng, "drop does not refuse the evapi connection: the client stays connected")
		d.Detail = "call evapi_close() before it"
	})
}

// closedBefore reports whether evapi_close() runs on every path to s in r
// (looked for in the statements that must run before it).
func closedBefore(p *Pass, r *ast.Route, s ast.Stmt) bool {
	g := p.Flow.Graphs[r]
	n := g.NodeOf(s)
	if n == nil {
		return false
	}
	// Walk back while there is a single predecessor.
	for n != nil && len(n.Preds) == 1 {
		n = n.Preds[0]
		if es, ok := n.Stmt.(*ast.ExprStmt); ok {
			if c, ok := es.X.(*ast.Call); ok && c.Name == "evapi_close" {
				return true
			}
		}
	}
	return false
}

func runEvapiEmpty(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		if s, ok := payloadArg(c); ok && strings.TrimSpace(s.Value) == "" {
			p.Reportf(r, s.Rng, "%s sends an empty payload", c.Name)
		}
	})
}

func runEvapiJSON(p *Pass) {
	p.EachCall(func(r *ast.Route, _ ast.Stmt, c *ast.Call) {
		s, ok := payloadArg(c)
		if !ok {
			return
		}
		t := strings.TrimSpace(s.Value)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			return
		}
		if msg := jsonProblem(s); msg != "" {
			p.Reportf(r, s.Rng, "%s payload is not valid JSON whatever its pseudo-variables hold: %s", c.Name, msg)
		}
	})
}

// jsonProblem fills the pseudo-variables of a JSON-looking format string
// with placeholders and returns why the result is not JSON, or "" when it
// can be. Inside a JSON string a pseudo-variable becomes x; outside, it
// is tried as 0, as "x" and as nothing.
func jsonProblem(s *ast.StrLit) string {
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil {
		return ""
	}
	fill := func(outside string) string {
		var b strings.Builder
		inStr := false
		for _, part := range f.Parts {
			if part.PV != nil {
				if inStr {
					b.WriteString("x")
				} else {
					b.WriteString(outside)
				}
				continue
			}
			for i := 0; i < len(part.Lit); i++ {
				ch := part.Lit[i]
				b.WriteByte(ch)
				if inStr && ch == '\\' && i+1 < len(part.Lit) {
					i++
					b.WriteByte(part.Lit[i])
					continue
				}
				if ch == '"' {
					inStr = !inStr
				}
			}
		}
		return b.String()
	}
	var firstErr error
	for _, outside := range []string{"0", `"x"`, ""} {
		var v any
		err := json.Unmarshal([]byte(fill(outside)), &v)
		if err == nil {
			return ""
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return strings.TrimPrefix(firstErr.Error(), "invalid character ")
}
