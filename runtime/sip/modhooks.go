package sip

import (
	"net/netip"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TransportHost is a module host that gives the running SIP transport
// (runtime/server's does): modules that send outside SIP events (RPC
// commands, timers) reach it there. SIP is nil while no socket is open.
type TransportHost interface {
	SIP() *Transport
}

// TransportOf is the running SIP transport of the module host h, nil when
// h has none or no socket is open.
func TransportOf(h any) *Transport {
	if th, ok := h.(TransportHost); ok {
		return th.SIP()
	}
	return nil
}

// SelfChecker is a module that widens `myself`: Kamailio's check_self asks
// the callbacks modules register after the sockets and aliases (corex's
// alias_subdomains). The server adds every loaded module that implements
// it before the transport starts.
type SelfChecker interface {
	IsMyself(host string, port, proto int) bool
}

// AddSelfChecker adds a module's test to Myself. It must be called before
// Start.
func (t *Transport) AddSelfChecker(s SelfChecker) { t.selfCheckers = append(t.selfCheckers, s) }

// StaticRecord is a DNS record a module holds for the transport's lookups
// of destinations (corex's dns_cache): Type is "A", "AAAA" or "SRV"; for
// SRV, Name is the service name ("_sip._udp.example.com") and Addr the
// target.
type StaticRecord struct {
	Name, Type, Addr       string
	Port, Priority, Weight int
	// TTL is how long the record lives from when the transport takes it;
	// a Permanent record never expires. A Negative record says the name
	// does not resolve (Kamailio's DNS_FLAG_BAD_NAME): lookups of it fail.
	TTL                 time.Duration
	Permanent, Negative bool

	expires time.Time
}

// live reports whether the record is usable at now.
func (r *StaticRecord) live(now time.Time) bool {
	return r.Permanent || now.Before(r.expires)
}

// StaticDNS is a module that holds DNS records. Its records answer before
// the resolver, as records in Kamailio's DNS cache do.
type StaticDNS interface {
	StaticRecords() []StaticRecord
}

// AddStaticRecords adds records to the transport's lookups. It must be
// called before Start.
func (t *Transport) AddStaticRecords(recs []StaticRecord) {
	now := time.Now()
	for _, r := range recs {
		r.expires = now.Add(r.TTL)
		t.static = append(t.static, r)
	}
}

// staticNegative reports whether a live negative record says name does
// not resolve.
func (t *Transport) staticNegative(name string) bool {
	now := time.Now()
	for i := range t.static {
		r := &t.static[i]
		if r.Negative && r.live(now) && strings.EqualFold(strings.TrimSuffix(r.Name, "."), name) {
			return true
		}
	}
	return false
}

// staticSRV returns the target and port of the best static SRV record
// (lowest priority, then highest weight) for name.
func (t *Transport) staticSRV(name string) (host string, port int, ok bool) {
	best := -1
	now := time.Now()
	for i, r := range t.static {
		if r.Type != "SRV" || r.Negative || !r.live(now) || !strings.EqualFold(strings.TrimSuffix(r.Name, "."), name) {
			continue
		}
		if best < 0 || r.Priority < t.static[best].Priority ||
			(r.Priority == t.static[best].Priority && r.Weight > t.static[best].Weight) {
			best = i
		}
	}
	if best < 0 {
		return "", 0, false
	}
	return strings.TrimSuffix(t.static[best].Addr, "."), t.static[best].Port, true
}

// staticAddr returns the address of a static A record for host (an AAAA
// one when there is no A record).
func (t *Transport) staticAddr(host string) (netip.Addr, bool) {
	var six netip.Addr
	now := time.Now()
	for _, r := range t.static {
		if (r.Type != "A" && r.Type != "AAAA") || r.Negative || !r.live(now) || !strings.EqualFold(strings.TrimSuffix(r.Name, "."), host) {
			continue
		}
		ip, err := netip.ParseAddr(trimBrackets(r.Addr))
		if err != nil {
			continue
		}
		if r.Type == "A" && ip.Unmap().Is4() {
			return ip.Unmap(), true
		}
		if r.Type == "AAAA" && !six.IsValid() {
			six = ip
		}
	}
	return six, six.IsValid()
}

// ReplyObserver is a module told of every reply the server makes and
// sends itself (sl's and tm's local replies, not relayed ones), after it
// left: Kamailio's SIP_REPLY_OUT event, which corex turns into
// event_route[corex:reply-out].
type ReplyObserver interface {
	ReplySent(c *event.Context, req *sipmsg.Msg, h Hop, buf string)
}

// AddReplyObserver adds a module's observer of local replies. It must be
// called before Start.
func (t *Transport) AddReplyObserver(o ReplyObserver) { t.replyObservers = append(t.replyObservers, o) }

// ReplySent tells the observers that buf, a reply to req made here, left
// as h. sl's replies call it through SendReply; tm calls it for its own.
func (t *Transport) ReplySent(c *event.Context, req *sipmsg.Msg, h Hop, buf string) {
	for _, o := range t.replyObservers {
		o.ReplySent(c, req, h, buf)
	}
}

// ViaResolver is a module that sets, for a request about to be sent, the
// Via fields of its message (sipmsg.SendState's ViaHost, ViaPort and
// ViaParams) from the event's state: corex's via_* flags read the XAVPs
// the core parameters xavp_via_fields and xavp_via_params name.
type ViaResolver interface {
	ResolveVia(c *event.Context, m *sipmsg.Msg)
}

// AddViaResolver adds a module's resolver. It must be called before Start.
func (t *Transport) AddViaResolver(r ViaResolver) { t.viaResolvers = append(t.viaResolvers, r) }

// PrepareVia lets the resolvers set m's Via fields for the event c; a
// layer that sends requests (tm) calls it for each branch before
// PrepareRequest, Forward does it itself.
func (t *Transport) PrepareVia(c *event.Context, m *sipmsg.Msg) {
	if c == nil {
		return
	}
	for _, r := range t.viaResolvers {
		r.ResolveVia(c, m)
	}
}

// NonSIPHandler is a module that takes messages that are not SIP: an HTTP
// request over a TCP connection of a SIP listener (Kamailio's non-SIP
// message hooks, which xhttp registers). The request comes as Kamailio
// hands it over, with a Via of the connection's peer added after the
// request line; NonSIP reports whether the module took it (false: the
// next handler gets it).
type NonSIPHandler interface {
	NonSIP(c *event.Context, m *sipmsg.Msg) bool
}

// AddNonSIPHandler adds a module's handler of non-SIP messages. It must be
// called before Start.
func (t *Transport) AddNonSIPHandler(h NonSIPHandler) { t.nonSIP = append(t.nonSIP, h) }
