package selects

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The configuration selects:
//
//	@cfg_get.GROUP.VAR                 the variable's value on the event
//	@cfg_get.GROUP.VAR.uri.PART        a part of the value read as a URI
//	@cfg_get.GROUP.VAR.nameaddr.PART   name, uri, or uri.PART of a name-addr
//
// (Kamailio's .params forms are reported as not implemented.)
//	@cfg_selected.GROUP                the instance cfg_select chose, or ""
//
// They read the event's view (cfgvars.Store.View): the values the event
// started with, of the instance it selected.

func compileCfgGet(parts []string, cfg *cfgvars.Store, text string) (Func, error) {
	if cfg == nil {
		return nil, fmt.Errorf("invalid select name [%s]: no configuration groups", text)
	}
	if len(parts) < 2 {
		return nil, fmt.Errorf("invalid select name [%s]: cfg_get needs a group and a variable", text)
	}
	if by, ok := cfg.Unregistered(parts[0]); ok {
		return nil, notRegistered(text, by)
	}
	g, i, err := cfg.Lookup(parts[0], parts[1])
	if err != nil {
		return nil, fmt.Errorf("invalid select name [%s]: unknown variable: %s.%s", text, parts[0], parts[1])
	}
	if d := g.Defs()[i]; !d.Readable() {
		return nil, fmt.Errorf("invalid select name [%s]: variable cannot be retrieved", text)
	}
	read := func(c *event.Context) (string, bool) {
		v := cfg.View(c).Get(g, i)
		if v.K == value.Int {
			return strconv.FormatInt(v.I, 10), true
		}
		return v.S, true
	}
	rest := parts[2:]
	if len(rest) == 0 {
		return read, nil
	}
	var part func(s string) (string, bool)
	switch {
	case len(rest) == 2 && strings.EqualFold(rest[0], "uri") && uriParts[strings.ToLower(rest[1])] != nil:
		p := strings.ToLower(rest[1])
		part = func(s string) (string, bool) { return uriPart(s, p) }
	case len(rest) == 2 && strings.EqualFold(rest[0], "nameaddr") && (strings.EqualFold(rest[1], "name") || strings.EqualFold(rest[1], "uri")):
		p := strings.ToLower(rest[1])
		part = func(s string) (string, bool) { return nameAddrPart(s, p) }
	case len(rest) == 3 && strings.EqualFold(rest[0], "nameaddr") && strings.EqualFold(rest[1], "uri") && uriParts[strings.ToLower(rest[2])] != nil:
		p := strings.ToLower(rest[2])
		part = func(s string) (string, bool) {
			u, ok := nameAddrPart(s, "uri")
			if !ok {
				return "", false
			}
			return uriPart(u, p)
		}
	case strings.EqualFold(rest[0], "uri") || strings.EqualFold(rest[0], "nameaddr") || strings.EqualFold(rest[0], "params"):
		// Kamailio's other forms under these names (parameters, a
		// name-addr's params).
		return nil, &pv.NotImplementedError{What: "the select " + text, Module: "core"}
	default:
		return nil, fmt.Errorf("invalid select name [%s]", text)
	}
	return func(c *event.Context) (string, bool) {
		s, ok := read(c)
		if !ok {
			return "", false
		}
		return part(s)
	}, nil
}

func compileCfgSelected(parts []string, cfg *cfgvars.Store, text string) (Func, error) {
	if cfg == nil || len(parts) != 1 {
		return nil, fmt.Errorf("invalid select name [%s]: cfg_selected needs a group", text)
	}
	if by, ok := cfg.Unregistered(parts[0]); ok {
		return nil, notRegistered(text, by)
	}
	g, ok := cfg.Group(parts[0])
	if !ok {
		return nil, fmt.Errorf("invalid select name [%s]: unknown configuration group: %s", text, parts[0])
	}
	return func(c *event.Context) (string, bool) {
		if id, ok := cfg.View(c).Selected(g); ok {
			return strconv.FormatUint(uint64(id), 10), true
		}
		return "", true
	}, nil
}

// notRegistered is the error of a select of a group Kamailio declares and
// kamgo does not register.
func notRegistered(text, by string) error {
	return &pv.NotImplementedError{What: "the select " + text, Module: by}
}
