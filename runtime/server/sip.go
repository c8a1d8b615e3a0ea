package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The SIP transport is not started by Start: `kamgo run` starts it, once
// the modules serve, with StartSIP, and stops it first. Tests and tools
// that load a configuration for its routes do not open its SIP sockets.

// sipConfig reads the core parameters about SIP sockets and sending, with
// the listen addresses of the command line (extra). A listen= or alias=
// address that does not read is an error; names are resolved when the
// sockets open.
func sipConfig(cfg *ast.Config, core map[string]value.Value, children int, extra []string, log *klog.Logger, diags *diag.List) sip.Config {
	c := sip.Config{Log: log, Readers: children, ServerHeader: sip.DefaultServerHeader, UserAgentHeader: sip.DefaultUserAgentHeader}
	flag := func(name string) bool {
		v, ok := core[name]
		return ok && v.K == value.Int && v.I != 0
	}
	str := func(name string) (string, bool) {
		v, ok := core[name]
		if !ok || v.IsNull() {
			return "", false
		}
		return value.ToStr(v), true
	}
	seconds := func(name string) time.Duration {
		if v, ok := core[name]; ok && v.K == value.Int && v.I > 0 {
			return time.Duration(v.I) * time.Second
		}
		return 0
	}
	noTCP := flag("disable_tcp")
	defPort := sip.SIPPort
	if v, ok := core["port"]; ok && v.K == value.Int && v.I > 0 && v.I < 65536 {
		defPort = int(v.I)
	}
	c.AdvertisedAddress, _ = str("advertised_address")
	if v, ok := core["advertised_port"]; ok && v.K == value.Int {
		c.AdvertisedPort = int(v.I)
	}
	c.ForceRport, c.LocalRport = flag("force_rport"), flag("local_rport")
	if v, ok := core["dns_try_ipv6"]; ok && v.K == value.Int {
		c.DNSNoIPv6 = v.I == 0
	}
	c.ReplyToVia, c.CheckVia, c.OnSendReply = flag("reply_to_via"), flag("check_via"), flag("onsend_route_reply")
	if h, ok := str("server_header"); ok {
		c.ServerHeader = h
	}
	if h, ok := str("user_agent_header"); ok {
		c.UserAgentHeader = h
	}
	if v, ok := core["server_signature"]; ok && v.K == value.Int && v.I == 0 {
		c.ServerHeader, c.UserAgentHeader = "", ""
	}
	c.TCPConnectTimeout = seconds("tcp_connect_timeout")
	c.TCPSendTimeout = seconds("tcp_send_timeout")
	c.TCPLifetime = seconds("tcp_connection_lifetime")
	c.AcceptNoCL = flag("tcp_accept_no_cl")
	// auto_aliases is on unless set to 0, as in Kamailio.
	v, set := core["auto_aliases"]
	c.AutoAliases, c.LookupAddr = !set || v.K != value.Int || v.I != 0, lookupAddr
	for _, it := range cfg.Items {
		p, ok := it.(*ast.CoreParam)
		if !ok {
			continue
		}
		switch p.Name {
		case "listen":
			for _, v := range p.Values {
				c.Listen = append(c.Listen, listens(v, p.Attrs, defPort, noTCP, log, diags)...)
			}
		case "alias":
			for _, v := range p.Values {
				proto, host, port, err := sip.ParseAddr(v.Text)
				if err != nil {
					diags.Errorf(CodeCoreParam, v.Rng, "alias: %v", err)
					continue
				}
				c.Aliases = append(c.Aliases, sip.Alias{Proto: proto, Host: host, Port: port})
			}
		}
	}
	c.Listen = append(c.Listen, cmdlineListens(extra, defPort, noTCP, log, diags)...)
	if !hasListen(cfg) && len(extra) == 0 {
		c.Listen = everyInterface(defPort, noTCP, flag("auto_bind_ipv6"), log)
	}
	return c
}

// hasListen reports whether cfg has a listen= line.
func hasListen(cfg *ast.Config) bool {
	for _, it := range cfg.Items {
		if p, ok := it.(*ast.CoreParam); ok && p.Name == "listen" {
			return true
		}
	}
	return false
}

// lookupAddr finds the names of a socket's address for auto_aliases;
// nil is the resolver's. Tests replace it.
var lookupAddr func(ctx context.Context, ip netip.Addr) ([]string, error)

// interfaceAddrs lists the addresses of the machine's interfaces that are
// up, in the order the system gives them.
var interfaceAddrs = func() ([]netip.Addr, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok {
					out = append(out, ip.Unmap())
				}
			}
		}
	}
	return out, nil
}

// everyInterface is what a configuration without listen= listens on, as
// Kamailio: every IPv4 address of the interfaces that are up (IPv6 ones
// too with auto_bind_ipv6, link-local ones excepted), at the port core
// parameter, over UDP and, unless disable_tcp, TCP.
func everyInterface(port int, noTCP, ipv6 bool, log *klog.Logger) []sip.Listen {
	addrs, err := interfaceAddrs()
	if err != nil {
		log.Logf(klog.Err, "core", "no listen= and the interfaces cannot be listed: %v", err)
		return nil
	}
	protos := []int{sipmsg.ProtoUDP}
	if !noTCP {
		protos = append(protos, sipmsg.ProtoTCP)
	}
	var out []sip.Listen
	for _, p := range protos {
		for _, a := range addrs {
			if a.Is6() && (!ipv6 || a.IsLinkLocalUnicast()) {
				continue
			}
			out = append(out, sip.Listen{Proto: p, Host: a.String(), Port: port})
		}
	}
	return out
}

// listens returns the sockets one listen= address asks for: one per
// protocol (UDP and, unless disable_tcp, TCP when none is written), at
// the default port when none is written.
func listens(v ast.Value, attrs []ast.Attr, defPort int, noTCP bool, log *klog.Logger, diags *diag.List) []sip.Listen {
	proto, host, port, err := sip.ParseAddr(v.Text)
	if err != nil {
		diags.Errorf(CodeCoreParam, v.Rng, "listen: %v", err)
		return nil
	}
	if port == 0 {
		port = defPort
	}
	l := sip.Listen{Host: host, Port: port}
	for _, a := range attrs {
		if len(a.Values) == 0 {
			continue
		}
		switch a.Name {
		case "advertise":
			_, ah, ap, err := sip.ParseAddr(a.Values[0].Text)
			if err != nil {
				diags.Errorf(CodeCoreParam, a.Rng, "listen advertise: %v", err)
				continue
			}
			l.AdvHost, l.AdvPort = ah, ap
		case "name":
			l.Name = a.Values[0].Text
		}
	}
	var protos []int
	switch proto {
	case sipmsg.ProtoNone:
		protos = []int{sipmsg.ProtoUDP, sipmsg.ProtoTCP}
	case sipmsg.ProtoUDP, sipmsg.ProtoTCP:
		protos = []int{proto}
	default:
		log.Logf(klog.Warn, "core", "listen=%s: kamgo has no %s transport - socket not opened", v.Text, sipmsg.ProtoName(proto, false))
	}
	var out []sip.Listen
	for _, p := range protos {
		if p == sipmsg.ProtoTCP && noTCP {
			continue
		}
		l.Proto = p
		out = append(out, l)
	}
	return out
}

// sipRouter is the server as the transport's Router.
type sipRouter struct{ s *Server }

func (r sipRouter) Workers() *event.Pool                             { return r.s.workers }
func (r sipRouter) Run(c *event.Context, t event.Target) (int, bool) { return r.s.host.Run(c, t) }

// AcquireContext is the start of a received message's handling: it opens
// the message's log scope (logprefix.go).
func (r sipRouter) AcquireContext(w *event.Worker) *event.Context {
	c := r.s.AcquireContext(w)
	r.s.beginMessage(c)
	return c
}

// ReleaseContext is the end of a received message's handling.
func (r sipRouter) ReleaseContext(c *event.Context) {
	c.EndLogScope()
	r.s.ReleaseContext(c)
}

// StartSIP opens the SIP sockets of the configuration's listen= lines and
// serves them: requests run request_route, replies the core reply route.
// Loaded modules that are transaction layers (sip.Layer) see messages
// first, in load order. A configuration without listen= opens none.
func (s *Server) StartSIP(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sip.Load() != nil {
		return fmt.Errorf("sip: already started")
	}
	if len(s.sipConf.Listen) == 0 {
		s.log.Log(klog.Info, "core", "no listen= socket to open: kamgo serves no SIP")
		return nil
	}
	t, err := sip.New(s.sipConf, sipRouter{s})
	if err != nil {
		return err
	}
	t.SetTCPOptions(s.tcpOptionsNow())
	for _, l := range s.mods {
		if layer, ok := l.inst.(sip.Layer); ok {
			t.AddLayer(layer)
		}
		if sc, ok := l.inst.(sip.SelfChecker); ok {
			t.AddSelfChecker(sc)
		}
		if dns, ok := l.inst.(sip.StaticDNS); ok {
			t.AddStaticRecords(dns.StaticRecords())
		}
		if o, ok := l.inst.(sip.ReplyObserver); ok {
			t.AddReplyObserver(o)
		}
		if r, ok := l.inst.(sip.ViaResolver); ok {
			t.AddViaResolver(r)
		}
		if h, ok := l.inst.(sip.NonSIPHandler); ok {
			t.AddNonSIPHandler(h)
		}
	}
	if prog := s.prog.Load(); prog != nil && len(prog.StaticHosts()) > 0 {
		t.BeforeServe(func() error { return s.fixHosts(prog, t) })
	}
	if err := t.Start(ctx); err != nil {
		return err
	}
	s.sip.Store(t)
	return nil
}

// fixHosts resolves the hosts written in prog (forward(), tm's relays)
// and finds force_send_socket()'s sockets, as Kamailio does when it
// fixes its actions at startup: the first that fails refuses the
// configuration, logged as Kamailio logs it.
func (s *Server) fixHosts(prog *interp.Program, t *sip.Transport) error {
	r := prog.FixHosts(t)
	if r == nil {
		return nil
	}
	for _, l := range r.Lines {
		s.log.Log(l.Level, l.Origin, l.Text)
	}
	for _, at := range r.Host.At {
		s.log.Logf(klog.Err, "core", "fix_actions(): fixing failed (code=%d) at cfg:%s", r.Host.Code, at)
	}
	return fmt.Errorf("error %d while trying to fix configuration", r.Host.Code)
}

// StopSIP closes the SIP sockets and waits, until ctx ends, for the
// messages being routed.
func (s *Server) StopSIP(ctx context.Context) error {
	t := s.sip.Swap(nil)
	if t == nil {
		return nil
	}
	return t.Stop(ctx)
}

// SIP returns the running SIP transport, nil before StartSIP or without
// sockets.
func (s *Server) SIP() *sip.Transport { return s.sip.Load() }

// attachSIP gives an event the SIP transport to send with, when one runs.
func (s *Server) attachSIP(c *event.Context) {
	if t := s.sip.Load(); t != nil && sip.From(c) == nil {
		sip.Attach(c, t)
	}
}
