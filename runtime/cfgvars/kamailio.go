package cfgvars

// KamailioGroups are the configuration groups Kamailio 5.6.3 declares,
// with what declares them (the core, or a module): a name here that a
// store lacks is a group kamgo does not register, not a mistake in the
// configuration.
var KamailioGroups = map[string]string{
	"core": "core", "tcp": "core",
	"carrierroute": "carrierroute", "dbg": "debugger", "dispatcher": "dispatcher",
	"maxfwd": "maxfwd", "misctest": "misctest", "outbound": "outbound", "p_usrloc": "p_usrloc",
	"registrar": "registrar", "rtpengine": "rtpengine", "sctp": "sctp", "siputils": "siputils",
	"stun": "stun", "tls": "tls", "tm": "tm", "websocket": "websocket", "xlog": "xlog",
}

// Unregistered reports whether group is one Kamailio declares and s does
// not have, and what declares it in Kamailio.
func (s *Store) Unregistered(group string) (by string, ok bool) {
	if _, have := s.Group(group); have {
		return "", false
	}
	by, ok = KamailioGroups[group]
	return by, ok
}
