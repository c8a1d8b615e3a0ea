package rtpproxy

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// The control protocol: a command is one line of text, "<cookie> <cmd>"
// over UDP (the cookie finds the reply among late ones; each command is
// sent rtpproxy_retr times at most, waiting rtpproxy_tout seconds each),
// or the command alone over a unix stream socket, one connection per
// command. The reply is at most 255 bytes.

// replyMax is the most of a reply that is read (Kamailio's buffer).
const replyMax = 255

// defaultPort is the port of a UDP proxy URL without one.
const defaultPort = "22222"

// udpClient is the connected UDP socket of a proxy.
type udpClient struct {
	conn    *net.UDPConn
	pending error // an error a read saw, which the next write reports (as the socket error would)
}

var cookieSeq atomic.Uint32

// cookie is the next command's cookie, "<pid>_<seq>".
func cookie() string {
	return strconv.Itoa(os.Getpid()) + "_" + strconv.FormatUint(uint64(cookieSeq.Add(1)-1), 10)
}

// dial connects a UDP proxy's socket; the address is host[:port].
func dialUDP(n *node) (*udpClient, error) {
	host, port := n.address, defaultPort
	if i := strings.LastIndexByte(n.address, ':'); i >= 0 {
		host, port = n.address[:i], n.address[i+1:]
		if port == "" {
			port = defaultPort
		}
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	network := "udp4"
	if n.mode == 6 {
		network = "udp6"
	}
	raddr, err := net.ResolveUDPAddr(network, net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}
	c, err := net.DialUDP(network, nil, raddr)
	if err != nil {
		return nil, err
	}
	return &udpClient{conn: c}, nil
}

// errTimeout is a command no reply came for.
var errTimeout = errors.New("timeout waiting reply from a RTP proxy")

// send sends cmd to n and returns its reply without the cookie; on
// failure the proxy is disabled for rtpproxy_disable_tout seconds, as
// Kamailio's send_rtpp_command does. n.mu must be held.
func (m *Module) send(n *node, cmd string) (string, bool) {
	var reply string
	var err error
	if n.mode == 0 {
		reply, err = m.sendUnix(n, cmd)
	} else {
		reply, err = m.sendUDP(n, cmd)
	}
	if err != nil {
		m.log.Logf(klog.Err, Name, "send_rtpp_command(): %s", err.Error())
		m.log.Logf(klog.Err, Name, "send_rtpp_command(): proxy <%s> does not respond, disable it", n.url)
		n.disabled = true
		n.recheck = m.ticks() + uint32(m.ints["rtpproxy_disable_tout"])
		return "", false
	}
	return reply, true
}

func (m *Module) sendUnix(n *node, cmd string) (string, error) {
	c, err := net.DialTimeout("unix", n.address, m.timeout())
	if err != nil {
		return "", errors.New("can't connect to RTP proxy")
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(m.timeout() * time.Duration(max(m.ints["rtpproxy_retr"], 1))))
	if _, err := c.Write([]byte(cmd)); err != nil {
		return "", errors.New("can't send command to a RTP proxy")
	}
	buf := make([]byte, replyMax)
	k, err := c.Read(buf)
	if err != nil || k <= 0 {
		return "", errors.New("can't read reply from a RTP proxy")
	}
	return string(buf[:k]), nil
}

func (m *Module) timeout() time.Duration {
	return time.Duration(max(m.ints["rtpproxy_tout"], 0)) * time.Second
}

func (m *Module) sendUDP(n *node, cmd string) (string, error) {
	if n.conn == nil {
		return "", errors.New("can't send command to a RTP proxy")
	}
	c := n.conn
	buf := make([]byte, replyMax+1)
	// Drop what late replies wait in the socket.
	_ = c.conn.SetReadDeadline(time.Now())
	for i := 0; i < 64; i++ {
		if _, err := c.conn.Read(buf); err != nil {
			if !isTimeout(err) {
				c.pending = err
			}
			break
		}
	}
	ck := cookie()
	msg := []byte(ck + " " + cmd)
	for i := int64(0); i < m.ints["rtpproxy_retr"]; i++ {
		if c.pending != nil {
			c.pending = nil
			return "", errors.New("can't send command to a RTP proxy")
		}
		if _, err := c.conn.Write(msg); err != nil {
			return "", errors.New("can't send command to a RTP proxy")
		}
		deadline := time.Now().Add(m.timeout())
		for j := 0; j < 64; j++ {
			_ = c.conn.SetReadDeadline(deadline)
			k, err := c.conn.Read(buf[:replyMax])
			if err != nil {
				if !isTimeout(err) {
					c.pending = err
				}
				break
			}
			r := string(buf[:k])
			if strings.HasPrefix(r, ck) {
				r = r[len(ck):]
				if r != "" {
					r = r[1:]
				}
				return r, nil
			}
		}
	}
	return "", errTimeout
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }
