package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Router runs the routes of the current configuration for the transport:
// runtime/server implements it.
type Router interface {
	// Workers is the core's pool: every message runs on one of them.
	Workers() *event.Pool
	// AcquireContext returns a reset Context for one event on w;
	// ReleaseContext takes it back.
	AcquireContext(w *event.Worker) *event.Context
	ReleaseContext(c *event.Context)
	// Run runs the block t names on c; ok is false when the
	// configuration has no such block.
	Run(c *event.Context, t event.Target) (rc int, ok bool)
}

// Layer is a transaction layer between the transport and the routes (see
// the package documentation). Its methods run on the message's worker,
// with the message's Context.
type Layer interface {
	// Request sees a request before request_route; true means the layer
	// took it and the core runs nothing for it.
	Request(c *event.Context, m *sipmsg.Msg) bool
	// Reply sees a reply the core reply route let through (or every
	// reply, without one) before it is forwarded statelessly; true means
	// the layer took it.
	Reply(c *event.Context, m *sipmsg.Msg) bool
}

// RequestDoner is a layer that wants to know when request_route has
// finished with a request (tmx's t_precheck_trans forgets it then, as
// Kamailio's post-script callback does).
type RequestDoner interface {
	RequestDone(c *event.Context)
}

// Transport is a set of SIP sockets and the core's stateless path over
// them. Make it with New, add layers, then Start; Stop closes it.
type Transport struct {
	cfg    Config
	log    *klog.Logger
	router Router
	layers []Layer
	// selfCheckers and static are the modules' additions to Myself and
	// to the lookups of destinations (modhooks.go).
	selfCheckers   []SelfChecker
	static         []StaticRecord
	replyObservers []ReplyObserver
	viaResolvers   []ViaResolver
	nonSIP         []NonSIPHandler

	socks   []*socket
	conns   *connTable
	tcpOpts atomic.Pointer[TCPOptions]
	// tryIPv6 is dns_try_ipv6 as it applies (DNSTryIPv6).
	tryIPv6 atomic.Bool
	// beforeServe runs in Start once the sockets are open (BeforeServe).
	beforeServe func() error
	// advVia holds the advertised_address and advertised_port core
	// parameters, which every received message starts with; nil when
	// neither is set. Shared, never changed.
	advVia *sipmsg.ViaFields

	mu       sync.Mutex // guards started and stopped
	started  bool
	stopped  bool
	stopping atomic.Bool
	wg       sync.WaitGroup
}

// socket is one open SIP socket.
type socket struct {
	info *sipmsg.Socket
	addr netip.Addr
	host string         // the listen host as written: an address or a name
	pc   net.PacketConn // UDP
	udp  *udpIO         // pc's reads and sends
	ln   net.Listener   // TCP
}

func (s *socket) portText() string { return strconv.Itoa(s.info.Port) }

// New returns a transport for cfg whose messages run on r. It opens
// nothing.
func New(cfg Config, r Router) (*Transport, error) {
	cfg = cfg.withDefaults()
	for _, l := range cfg.Listen {
		if l.Proto != sipmsg.ProtoUDP && l.Proto != sipmsg.ProtoTCP {
			return nil, fmt.Errorf("listen %s:%s: kamgo has no %s transport", sipmsg.ProtoName(l.Proto, false), l.Host, sipmsg.ProtoName(l.Proto, false))
		}
	}
	t := &Transport{cfg: cfg, log: cfg.Log, router: r}
	if cfg.AdvertisedAddress != "" || cfg.AdvertisedPort != 0 {
		t.advVia = &sipmsg.ViaFields{AdvAddress: cfg.AdvertisedAddress}
		if cfg.AdvertisedPort != 0 {
			t.advVia.AdvPort = strconv.Itoa(cfg.AdvertisedPort)
		}
	}
	t.conns = newConnTable(t)
	t.tcpOpts.Store(defaultTCPOptions(cfg))
	return t, nil
}

// AddLayer puts l between the transport and the routes, after the layers
// added before it. Call it before Start.
func (t *Transport) AddLayer(l Layer) { t.layers = append(t.layers, l) }

// BeforeServe has Start run f once every socket is open and
// dns_try_ipv6 is decided, before any is read: the configuration's
// static destinations resolve then (ResolveStatic). An error closes the
// sockets and is Start's.
func (t *Transport) BeforeServe(f func() error) { t.beforeServe = f }

// Start opens every socket, then serves them. When one cannot be opened,
// those already open are closed again and the error says which.
func (t *Transport) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		return errors.New("sip: transport already started")
	}
	for _, l := range t.cfg.Listen {
		s, err := t.open(ctx, l)
		if err != nil {
			t.closeSockets()
			return err
		}
		t.socks = append(t.socks, s)
	}
	if t.cfg.AutoAliases {
		t.addAutoAliases(ctx)
	}
	t.tryIPv6.Store(!t.cfg.DNSNoIPv6 && t.hasIPv6())
	if t.beforeServe != nil {
		if err := t.beforeServe(); err != nil {
			t.closeSockets()
			return err
		}
	}
	t.started = true
	for _, s := range t.socks {
		if s.pc != nil {
			for range t.cfg.Readers {
				t.wg.Add(1)
				go t.readUDP(s)
			}
			continue
		}
		t.wg.Add(1)
		go t.accept(s)
	}
	for _, s := range t.socks {
		t.log.Logf(klog.Info, "core", "listening on %s", s.info.String())
	}
	return nil
}

// open binds one socket.
func (t *Transport) open(ctx context.Context, l Listen) (*socket, error) {
	ip, err := t.lookupListen(ctx, l.Host)
	if err != nil {
		return nil, fmt.Errorf("listen %s:%s: %w", sipmsg.ProtoName(l.Proto, false), l.Host, err)
	}
	hp := netip.AddrPortFrom(ip, uint16(l.Port)).String()
	s := &socket{addr: ip, host: l.Host}
	var lc net.ListenConfig
	var local net.Addr
	if l.Proto == sipmsg.ProtoUDP {
		s.pc, err = lc.ListenPacket(ctx, "udp", hp)
		if err == nil {
			local = s.pc.LocalAddr()
			if s.udp, err = newUDPIO(s.pc); err != nil {
				s.pc.Close()
			}
		}
	} else {
		s.ln, err = lc.Listen(ctx, "tcp", hp)
		if err == nil {
			local = s.ln.Addr()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("listen %s:%s: %w", sipmsg.ProtoName(l.Proto, false), hp, err)
	}
	ap, _ := netip.ParseAddrPort(local.String())
	s.info = &sipmsg.Socket{Proto: l.Proto, IP: ip.String(), Port: int(ap.Port()),
		Name: l.Name, AdvIP: l.AdvHost, AdvPort: l.AdvPort}
	return s, nil
}

// lookupListen resolves a listen host to one address, IPv4 first.
func (t *Transport) lookupListen(ctx context.Context, host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	ips, err := t.cfg.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("cannot resolve %s: %v", host, err)
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	return ips[0], nil
}

// Stop closes the sockets and connections and waits, until ctx ends, for
// the messages being routed.
func (t *Transport) Stop(ctx context.Context) error {
	t.mu.Lock()
	if !t.started || t.stopped {
		t.mu.Unlock()
		return nil
	}
	t.stopped = true
	t.stopping.Store(true)
	t.closeSockets()
	t.conns.closeAll()
	t.mu.Unlock()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sip: stop: %w", ctx.Err())
	}
}

func (t *Transport) closeSockets() {
	for _, s := range t.socks {
		if s.pc != nil {
			_ = s.pc.Close()
		}
		if s.ln != nil {
			_ = s.ln.Close()
		}
	}
}

// Sockets returns the open sockets, in the order of the configuration,
// with the ports they were given.
func (t *Transport) Sockets() []*sipmsg.Socket {
	out := make([]*sipmsg.Socket, len(t.socks))
	for i, s := range t.socks {
		out[i] = s.info
	}
	return out
}

// First returns the socket Kamailio calls the first one: the first UDP
// socket, else the first one of any protocol; nil without sockets. sl's
// to-tags are made from it.
func (t *Transport) First() *sipmsg.Socket {
	for _, s := range t.socks {
		if s.info.Proto == sipmsg.ProtoUDP {
			return s.info
		}
	}
	if len(t.socks) > 0 {
		return t.socks[0].info
	}
	return nil
}

// Socket finds an open socket by protocol, address and port (proto
// ProtoNone and port 0 match any), as force_send_socket and $fs name one.
func (t *Transport) Socket(proto int, host string, port int) *sipmsg.Socket {
	if s := t.findSocket(proto, host, port); s != nil {
		return s.info
	}
	return nil
}

// SocketAt is the socket of c's transport that addr names
// ("[proto:]host[:port]", the core's lookup_local_socket): nil when kamgo
// does not listen there or c has no transport, and an error when addr is
// not an address.
func SocketAt(c *event.Context, addr string) (*sipmsg.Socket, error) {
	proto, host, port, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	t := From(c)
	if t == nil {
		return nil, nil
	}
	return t.Socket(proto, host, port), nil
}

// StaticSocket finds force_send_socket()'s socket when the sockets open,
// as Kamailio's fix_actions does: by its address, or by the address its
// name resolves to (an address record, no SRV). The error is an
// *UnresolvedError or a *NoSocketError.
func (t *Transport) StaticSocket(proto int, host string, port int) (*sipmsg.Socket, error) {
	if s := t.Socket(proto, host, port); s != nil {
		return s, nil
	}
	addr := host
	if _, err := netip.ParseAddr(trimBrackets(host)); err != nil {
		// A port given skips the SRV lookup.
		to, _, err := t.resolve(Dest{Host: host, Port: max(port, 1), Proto: proto})
		if err != nil {
			return nil, &UnresolvedError{Host: host, Err: err}
		}
		addr = to.Addr().String()
		if s := t.Socket(proto, addr, port); s != nil {
			return s, nil
		}
	}
	ip, _ := netip.ParseAddr(trimBrackets(addr))
	return nil, &NoSocketError{Host: host, To: netip.AddrPortFrom(ip, uint16(port)), Proto: proto}
}

func (t *Transport) findSocket(proto int, host string, port int) *socket {
	ip, err := netip.ParseAddr(trimBrackets(host))
	for _, s := range t.socks {
		if proto != sipmsg.ProtoNone && s.info.Proto != proto {
			continue
		}
		if port != 0 && s.info.Port != port {
			continue
		}
		if (err == nil && s.addr == ip.Unmap()) || (err != nil && s.info.Name == host) {
			return s
		}
	}
	return nil
}

// socketOf returns the open socket info describes.
func (t *Transport) socketOf(info *sipmsg.Socket) *socket {
	for _, s := range t.socks {
		if s.info == info {
			return s
		}
	}
	if info != nil {
		return t.findSocket(info.Proto, info.IP, info.Port)
	}
	return nil
}

var ctxKey = event.NewKey()

// Attach makes t the transport of the event c: the one the core actions
// and modules send with.
func Attach(c *event.Context, t *Transport) { c.Set(ctxKey, t) }

// From returns the transport of the event c, or nil.
func From(c *event.Context) *Transport {
	t, _ := c.Get(ctxKey).(*Transport)
	return t
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

// ContextKey is the Context slot of the event's transport (see
// sipmsg.ContextKey).
func ContextKey() event.Key { return ctxKey }

// OnSendReplies reports whether onsend_route runs for replies too (the
// onsend_route_reply core parameter).
func (t *Transport) OnSendReplies() bool { return t.cfg.OnSendReply }

// HasIPv6 reports whether one of the open sockets is IPv6.
func (t *Transport) HasIPv6() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.hasIPv6()
}

func (t *Transport) hasIPv6() bool {
	for _, s := range t.socks {
		if s.addr.Is6() && !s.addr.Is4In6() {
			return true
		}
	}
	return false
}

// ErrNoIPv6 is SetDNSTryIPv6's refusal to turn IPv6 lookups on without an
// IPv6 socket, with Kamailio's words.
var ErrNoIPv6 = errors.New("SER does not listen on any ipv6 interface, there is no point in resolving ipv6 addresses")

// DNSTryIPv6 reports whether destinations may resolve to IPv6 addresses:
// the dns_try_ipv6 core parameter, turned off at start when no socket is
// IPv6, as Kamailio does. Off, an IPv6 address does not resolve and a
// name resolves to its IPv4 addresses only.
func (t *Transport) DNSTryIPv6() bool { return t.tryIPv6.Load() }

// CheckDNSTryIPv6 says whether DNSTryIPv6 may become on: it cannot be
// turned on when no socket is IPv6 (ErrNoIPv6).
func (t *Transport) CheckDNSTryIPv6(on bool) error {
	if on && !t.HasIPv6() {
		return ErrNoIPv6
	}
	return nil
}

// SetDNSTryIPv6 changes DNSTryIPv6 (the core variable dns_try_ipv6) when
// CheckDNSTryIPv6 allows it.
func (t *Transport) SetDNSTryIPv6(on bool) error {
	if err := t.CheckDNSTryIPv6(on); err != nil {
		return err
	}
	t.tryIPv6.Store(on)
	return nil
}
