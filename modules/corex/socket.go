package corex

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

type socketMode uint8

const (
	sendSocket socketMode = iota
	recvSocket
)

type socketBy uint8

const (
	byAddr socketBy = iota
	byName
)

// compileSetSocket compiles set_send_socket, set_send_socket_name,
// set_recv_socket and set_recv_socket_name(socket): the socket named by
// proto:host:port or by its name becomes the one the message is sent
// from ($fs) or is seen as received on. A socket that does not exist
// logs a warning and changes nothing; both return 1. A bad address
// returns -1.
func (m *Module) compileSetSocket(mode socketMode, by socketBy) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		sock, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			s := sock(c)
			if s == "" {
				logf(c, klog.Err, "cannot get socket address value")
				return -1
			}
			return m.setSocket(c, s, mode, by)
		}, nil
	}
}

func (m *Module) setSocket(c *event.Context, s string, mode socketMode, by socketBy) int {
	msg := sipmsg.FromContext(c)
	if s == "" {
		msg.ForceSocket = nil
		return 1
	}
	var si *sipmsg.Socket
	if by == byAddr {
		hp, err := parseHostPort(s, m.en, true)
		if err != nil {
			logf(c, klog.Err, "%v", err)
			logf(c, klog.Err, "ki_set_socket_helper(): invalid socket specification [%s] (%d)", s, mode)
			return -1
		}
		if t := sip.From(c); t != nil {
			si = t.Socket(hp.proto, hp.host, hp.port)
		}
	} else {
		si = socketByName(c, s)
	}
	if si == nil {
		logf(c, klog.Warn, "ki_set_socket_helper(): no socket found to match [%s] (%d)", s, mode)
		return 1
	}
	if mode == sendSocket {
		msg.ForceSocket = si
		return 1
	}
	msg.Rcv = si
	msg.Dst = sipmsg.Addr{IP: si.IP, Port: si.Port}
	msg.Proto = sipmsg.ProtoName(si.Proto, false)
	msg.ConnID = 0
	return 1
}

// socketByName is the open socket named name, nil when none is.
func socketByName(c *event.Context, name string) *sipmsg.Socket {
	t := sip.From(c)
	if t == nil {
		return nil
	}
	for _, s := range t.Sockets() {
		if s.Name != "" && s.Name == name {
			return s
		}
	}
	return nil
}

// compileIsSocketName compiles is_socket_name(name): 1 when a socket has
// that name, else -1.
func compileIsSocketName(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return isSocketName(c, name(c)) }, nil
}

func isSocketName(c *event.Context, n string) int {
	if n == "" {
		logf(c, klog.Err, "cannot get socket name value")
		return -1
	}
	if socketByName(c, n) == nil {
		return -1
	}
	return 1
}

// compileSetSource compiles set_source_address([proto:]host[:port]): the
// message's source address and port ($si, $sp) become the address given;
// a name is resolved. -1 when it does not parse or resolve.
func (m *Module) compileSetSource(h module.Host, args []*module.Arg) (module.Call, error) {
	addr, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.setSource(c, addr(c)) }, nil
}

// resolveTimeout bounds set_source_address's lookup of a name.
const resolveTimeout = 5 * time.Second

func (m *Module) setSource(c *event.Context, s string) int {
	if s == "" {
		logf(c, klog.Err, "ki_set_source_address(): bad parameters")
		return -1
	}
	hp, err := parseHostPort(s, m.en, false)
	if err != nil {
		logf(c, klog.Err, "%v", err)
		logf(c, klog.Err, "ki_set_source_address(): failed to parse the address [%s]", s)
		return -1
	}
	host := strings.TrimSuffix(strings.TrimPrefix(hp.host, "["), "]")
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		ips, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		cancel()
		if lerr != nil || len(ips) == 0 {
			logf(c, klog.Err, "ki_set_source_address(): failed to resolve address [%s]", s)
			return -1
		}
		ip = ips[0]
	}
	msg := sipmsg.FromContext(c)
	msg.Src = sipmsg.Addr{IP: ip.Unmap().String(), Port: hp.port}
	return 1
}
