package corex

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// alias is one alias_subdomains value: a domain that, with its
// subdomains, is this server, on a port and protocol (0 for any).
type alias struct {
	domain      string
	port, proto int
}

// parseAlias reads [proto:]domain[:port] as corex_add_alias_subdomains.
func parseAlias(v string) (alias, error) {
	bad := fmt.Errorf("corex_add_alias_subdomains(): error adding alias subdomains: %s", v)
	var a alias
	rest := v
	if p, after, ok := strings.Cut(v, ":"); ok && (len(p) == 3 || len(p) == 4) {
		switch strings.ToLower(p) {
		case "udp":
			a.proto = sipmsg.ProtoUDP
		case "tcp":
			a.proto = sipmsg.ProtoTCP
		case "tls":
			a.proto = sipmsg.ProtoTLS
		case "sctp":
			a.proto = sipmsg.ProtoSCTP
		default:
			return a, fmt.Errorf("corex_add_alias_subdomains(): invalid protocol %s", p)
		}
		if after == "" {
			return a, bad
		}
		rest = after
	}
	host, port, ok := strings.Cut(rest, ":")
	if ok {
		if port == "" {
			return a, bad
		}
		a.port, _ = strconv.Atoi(port)
	}
	if host == "" {
		return a, bad
	}
	a.domain = host
	return a, nil
}

// matches reports whether host:port over proto is the alias's domain or a
// subdomain of it, as corex_check_self decides.
func (a alias) matches(host string, port, proto int) bool {
	if len(host) < len(a.domain) {
		return false
	}
	if a.port != 0 && port != 0 && a.port != port {
		return false
	}
	if a.proto != 0 && proto != 0 && a.proto != proto {
		return false
	}
	if strings.EqualFold(host, a.domain) {
		return true
	}
	n := len(host) - len(a.domain)
	return strings.EqualFold(host[n:], a.domain) && host[n-1] == '.'
}

// dnsRecord is one dns_cache value: a record Kamailio adds to its DNS
// cache at start.
type dnsRecord struct {
	name, addr, typ string
	ttl, flags      int
	priority        int
	weight, port    int
}

// parseDNSRecord reads name=...;type=A|AAAA|SRV;addr=...;ttl=...;... as
// corex_dns_cache_param_add.
func parseDNSRecord(v string) (dnsRecord, error) {
	var r dnsRecord
	if v == "" {
		return r, fmt.Errorf("corex_dns_cache_param(): invalid parameter")
	}
	for _, p := range strings.Split(strings.TrimSuffix(v, ";"), ";") {
		name, body, _ := strings.Cut(p, "=")
		name, body = strings.TrimSpace(name), strings.TrimSpace(body)
		num := func(dst *int, what string) error {
			n, err := strconv.Atoi(body)
			if err != nil {
				return fmt.Errorf("corex_dns_cache_param_add(): invalid %s: %s", what, body)
			}
			*dst = n
			return nil
		}
		var err error
		switch strings.ToLower(name) {
		case "name":
			r.name = body
		case "addr":
			r.addr = body
		case "type":
			r.typ = strings.ToUpper(body)
		case "ttl":
			err = num(&r.ttl, "ttl")
		case "flags":
			err = num(&r.flags, "flags")
		case "priority":
			err = num(&r.priority, "priority")
		case "weight":
			err = num(&r.weight, "weight")
		case "port":
			err = num(&r.port, "port")
		}
		if err != nil {
			return r, err
		}
	}
	switch r.typ {
	case "A", "AAAA", "SRV":
	default:
		return r, fmt.Errorf("corex_dns_cache_param_add(): failed to add record: %s", v)
	}
	if r.name == "" {
		return r, fmt.Errorf("corex_dns_cache_param_add(): failed to add record: %s", v)
	}
	return r, nil
}
