package sip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Config is what a Transport starts with: Kamailio's core parameters
// about SIP sockets and sending, already read from the configuration.
type Config struct {
	// Listen are the sockets to open, one per protocol (a listen= line
	// without a protocol is one Listen per protocol).
	Listen []Listen
	// Aliases are other names and ports of this server (alias=): a
	// message to one is to "myself".
	Aliases []Alias
	// AdvertisedAddress and AdvertisedPort are the core parameters: the
	// host and port written in the Via kamgo adds, for every socket; ""
	// and 0 when unset.
	AdvertisedAddress string
	AdvertisedPort    int
	// Readers is how many goroutines read each UDP socket: the core's
	// `children`, as Kamailio runs that many processes on each. At least
	// one.
	Readers int
	// ForceRport is the force_rport core parameter: every request is
	// treated as if force_rport() had run.
	ForceRport bool
	// LocalRport is the local_rport core parameter: the Via kamgo adds
	// carries rport.
	LocalRport bool
	// ReplyToVia is the reply_to_via core parameter: local replies go to
	// the host of the top Via instead of the source address.
	ReplyToVia bool
	// CheckVia is the check_via core parameter: a reply whose top Via is
	// not this server is not forwarded.
	CheckVia bool
	// OnSendReply is the onsend_route_reply core parameter: onsend_route
	// also runs for forwarded replies.
	OnSendReply bool
	// ServerHeader is the Server header of local replies, the whole line
	// without its line end ("Server: kamgo"); "" adds none
	// (server_signature=no).
	ServerHeader string
	// UserAgentHeader is the User-Agent header of the requests kamgo
	// makes itself (a CANCEL or ACK of tm), the whole line without its
	// line end; "" adds none (server_signature=no).
	UserAgentHeader string
	// TCPConnectTimeout, TCPSendTimeout and TCPLifetime bound connecting,
	// writing and an idle connection (tcp_connect_timeout,
	// tcp_send_timeout, tcp_connection_lifetime); zero means Kamailio's
	// defaults, 10s, 10s and 120s.
	TCPConnectTimeout, TCPSendTimeout, TCPLifetime time.Duration
	// AcceptNoCL is the tcp_accept_no_cl core parameter: a message over
	// TCP without Content-Length has no body, instead of closing the
	// connection (HTTP requests such as GET have none).
	AcceptNoCL bool
	// DNSNoIPv6 is the dns_try_ipv6 core parameter set to 0: destinations
	// do not resolve to IPv6 addresses. The transport also turns IPv6
	// lookups off when it has no IPv6 socket, as Kamailio does
	// (Transport.DNSTryIPv6).
	DNSNoIPv6 bool
	// Log receives the transport's and the core's lines; nil writes
	// nowhere.
	Log *klog.Logger
	// Resolver looks up the names of destinations; nil is Go's default.
	Resolver *net.Resolver
	// AutoAliases is the auto_aliases core parameter: the name each
	// socket's IP address resolves back to becomes an alias for the
	// socket's protocol and port.
	AutoAliases bool
	// LookupAddr finds the names of an address for AutoAliases; nil is
	// Resolver's LookupAddr.
	LookupAddr func(ctx context.Context, ip netip.Addr) ([]string, error)
}

// DefaultServerHeader is the Server header of local replies unless
// server_header or server_signature say otherwise.
const DefaultServerHeader = "Server: kamgo"

// DefaultUserAgentHeader is the User-Agent header of local requests
// unless user_agent_header or server_signature say otherwise.
const DefaultUserAgentHeader = "User-Agent: kamgo"

// Listen is one socket to open.
type Listen struct {
	// Proto is sipmsg.ProtoUDP or sipmsg.ProtoTCP.
	Proto int
	// Host is an IP address, or a name resolved when the socket opens.
	// IPv6 addresses are written without brackets.
	Host string
	// Port is the port; 0 picks a free one (Addr reports it).
	Port int
	// AdvHost and AdvPort are the listen line's advertise: what the Via
	// and $RAi/$RAp show instead of the socket's own address and port.
	AdvHost string
	AdvPort int
	// Name is the listen line's name ($Rn, $fsn).
	Name string
}

// Alias is another host (and port, 0 for any) this server answers for,
// over Proto (ProtoNone for any).
type Alias struct {
	Proto int
	Host  string
	Port  int
}

// SIPPort is the default SIP port.
const SIPPort = 5060

// ParseAddr reads an address as listen= and alias= write it:
// [proto:]host[:port], where proto is udp, tcp, tls, sctp, ws or wss (any
// case) and an IPv6 host is written in brackets when a port follows. A
// missing protocol is sipmsg.ProtoNone, a missing port 0.
func ParseAddr(s string) (proto int, host string, port int, err error) {
	rest := strings.TrimSpace(s)
	if p, after, ok := strings.Cut(rest, ":"); ok {
		if n := sipmsg.ProtoNumber(p); n != sipmsg.ProtoNone && !strings.HasPrefix(after, ":") {
			proto, rest = n, after
		}
	}
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return 0, "", 0, fmt.Errorf("bad address %q: unterminated '['", s)
		}
		host, rest = rest[1:end], rest[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return 0, "", 0, fmt.Errorf("bad address %q", s)
			}
			rest = rest[1:]
		} else {
			rest = ""
		}
	case strings.Count(rest, ":") > 1:
		host, rest = rest, "" // a bare IPv6 address
	default:
		var ok bool
		host, rest, ok = strings.Cut(rest, ":")
		if ok && rest == "" {
			return 0, "", 0, fmt.Errorf("bad address %q: empty port", s)
		}
	}
	if host == "" {
		return 0, "", 0, fmt.Errorf("bad address %q: no host", s)
	}
	if rest != "" {
		n, perr := strconv.Atoi(rest)
		if perr != nil || n < 0 || n > 65535 {
			return 0, "", 0, fmt.Errorf("bad port in %q", s)
		}
		port = n
	}
	return proto, host, port, nil
}

// withDefaults returns c with the zero durations and reader count set.
func (c Config) withDefaults() Config {
	if c.Readers < 1 {
		c.Readers = 1
	}
	if c.TCPConnectTimeout <= 0 {
		c.TCPConnectTimeout = 10 * time.Second
	}
	if c.TCPSendTimeout <= 0 {
		c.TCPSendTimeout = 10 * time.Second
	}
	if c.TCPLifetime <= 0 {
		c.TCPLifetime = 120 * time.Second
	}
	if c.Log == nil {
		c.Log = klog.New(nil, klog.Text)
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	return c
}
