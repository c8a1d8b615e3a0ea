// Package selects owns Kamailio's select framework as kamgo runs it: the
// names a select can have (`@ruri.user`, `@from.tag`, `@cfg_get.pstn.gw_ip`)
// and what each reads on an event. It is the one table both the
// interpreter (`@...` in expressions) and the pv module ($sel(...)) use.
//
// The message selects are the core's about the request line and the
// common headers; the configuration selects read the event's view of the
// configuration groups (runtime/cfgvars). A name outside the table is
// refused when the configuration loads, as Kamailio refuses a select no
// loaded module provides.
package selects

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
)

// Func reads a select on an event; ok is false when it has no value.
type Func func(c *event.Context) (s string, ok bool)

// Compile resolves a select written as text, with or without its leading
// '@' ("@ruri.user", "cfg_get.pstn.gw_ip"). cfg resolves the
// configuration selects; nil refuses them.
func Compile(text string, cfg *cfgvars.Store) (Func, error) {
	name := strings.TrimPrefix(strings.TrimSpace(text), "@")
	if name == "" {
		return nil, fmt.Errorf("missing select name")
	}
	parts := strings.Split(name, ".")
	switch strings.ToLower(parts[0]) {
	case "cfg_get":
		return compileCfgGet(parts[1:], cfg, text)
	case "cfg_selected":
		return compileCfgSelected(parts[1:], cfg, text)
	}
	if f, ok := msgSelects[strings.ToLower(name)]; ok {
		return f, nil
	}
	top, _, _ := strings.Cut(parts[0], "[")
	if coreTops[strings.ToLower(top)] {
		return nil, &pv.NotImplementedError{What: "the select " + text, Module: "core"}
	}
	return nil, fmt.Errorf("invalid select name [%s] (kamgo knows the core message selects, cfg_get and cfg_selected)", text)
}

// coreTops are the first names of Kamailio 5.6.3's core selects
// (select_core.h): a select under one of them that kamgo's table lacks is
// valid Kamailio that kamgo does not run, not a mistake.
var coreTops = map[string]bool{
	"ruri": true, "request_uri": true, "dst_uri": true, "next_hop": true, "from": true, "f": true,
	"to": true, "t": true, "refer_to": true, "remote_party_id": true, "rpid": true, "contact": true,
	"m": true, "via": true, "v": true, "event": true, "record_route": true, "rr": true, "cseq": true,
	"msg": true, "message": true, "method": true, "version": true, "status": true, "code": true,
	"reason": true, "proxy_authorization": true, "authorization": true, "src": true, "dst": true,
	"received": true, "call_id": true, "expires": true, "max_forwards": true, "content_type": true,
	"content_length": true, "subject": true, "organization": true, "priority": true,
	"session_expires": true, "min_se": true, "user_agent": true, "sip_if_match": true, "sys": true,
	"branch": true, "date": true, "identity": true, "identity_info": true,
}
