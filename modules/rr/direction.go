package rr

import (
	"regexp"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The parameters of this server's Route entry: is_direction compares their
// ftag with the From tag, check_route_param matches them.

// routeParams returns the parameters loose_route found for this server,
// or, when it found none for msg, those of the top Route entry if it names
// this server; ok is false otherwise.
func routeParams(c *event.Context, msg *sipmsg.Msg) (r routed, ok bool) {
	st := stateOf(c, msg)
	if st.routed.set && st.routed.params != "" {
		return st.routed, true
	}
	hdrs := routeHeaders(msg)
	if len(hdrs) == 0 || !msg.IsRequest() {
		return routed{}, false
	}
	rh, err := parseRoute(hdrs[0])
	if err != nil {
		return routed{}, false
	}
	u, err := sipmsg.ParseURI(rh.elems[0].uri)
	if err != nil || !myself(c, msg, u) {
		return routed{}, false
	}
	st.routed = routed{set: true, params: u.Params, semi: true}
	return st.routed, true
}

// routeParam finds parameter name in params as Kamailio's get_route_param
// scans them: name is compared with case, white space may surround it and
// the '=', a value may be quoted. Like Kamailio's, the scan stops once no
// more than len(name)+2 characters are left, so a short parameter at the
// very start of the list (ftag=x) is not found.
func routeParam(params, name string) (val string, ok bool) {
	p, end, n := 0, len(params), len(name)
	ws := func() {
		for p < end && (params[p] == ' ' || params[p] == '\t') {
			p++
		}
	}
	for end-p > n+2 {
		if p != 0 {
			quoted := false
			for p < end && (params[p] != ';' || quoted) {
				if (params[p] == '"' || params[p] == '\'') && params[p-1] != '\\' {
					quoted = !quoted
				}
				p++
			}
			if p == end {
				return "", false
			}
			p++
		}
		ws()
		if end-p < n+2 {
			return "", false
		}
		if params[p:p+n] != name {
			p++
			continue
		}
		p += n
		ws()
		if p == end || params[p] == ';' {
			return "", true
		}
		c := params[p]
		p++
		if c != '=' {
			continue
		}
		ws()
		if p == end {
			return "", false
		}
		start := p
		if params[p] == '"' || params[p] == '\'' {
			p++
			start = p
			for p < end && !((params[p] == '"' || params[p] == '\'') && params[p-1] != '\\') {
				p++
			}
		} else {
			for p < end && params[p] != ';' && params[p] != ' ' && params[p] != '\t' {
				p++
			}
		}
		return params[start:p], true
	}
	return "", false
}

// direction returns the direction of msg: upstream when this server's
// Route entry has an ftag that is not the From tag, else downstream.
// Once decided it stays for the message, as in Kamailio.
func (m *Module) direction(c *event.Context, msg *sipmsg.Msg) int {
	st := stateOf(c, msg)
	if st.dir != 0 {
		return st.dir
	}
	st.dir = downstream
	r, ok := routeParams(c, msg)
	if !ok {
		return st.dir
	}
	ftag, ok := routeParam(r.params, "ftag")
	if !ok || ftag == "" {
		return st.dir
	}
	tag, ok := headerTag(msg, "from")
	if ok && tag != "" && tag != ftag {
		st.dir = upstream
	}
	return st.dir
}

// isDirection is is_direction(dir): 1 when msg goes in direction dir,
// else -1.
func (m *Module) isDirection(c *event.Context, msg *sipmsg.Msg, dir int) int {
	if m.direction(c, msg) == dir {
		return 1
	}
	return -1
}

// checkRouteParam is check_route_param(re): 1 when this server's Route
// parameters (with the ';' before them) match re, else -1.
func checkRouteParam(c *event.Context, msg *sipmsg.Msg, re *regexp.Regexp) int {
	r, ok := routeParams(c, msg)
	if !ok || r.params == "" {
		return -1
	}
	s := r.params
	if r.semi {
		s = ";" + s
	}
	if re.MatchString(s) {
		return 1
	}
	return -1
}

// initialTag is $fti (from true) or $tti: the From or To tag as the
// request that made the dialog had them, so swapped for a request going
// upstream; "" without one.
func (m *Module) initialTag(c *event.Context, msg *sipmsg.Msg, from bool) (string, bool) {
	if m.direction(c, msg) == upstream {
		from = !from
	}
	name := "to"
	if from {
		name = "from"
	}
	tag, ok := headerTag(msg, name)
	return tag, ok && tag != ""
}
