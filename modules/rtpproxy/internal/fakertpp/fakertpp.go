// Package fakertpp is an RTP proxy for tests: it answers rtpproxy's
// control protocol as rtpproxy 2.x does, over UDP or a unix stream
// socket, without relaying any media, and records the commands it gets.
//
// Answers: V the base protocol version, VF 1 for the extensions rtpproxy
// 2.x has, U and L a port (the same for the same call, media number and
// tag pair) and the address given to New, D R P S "0", Q statistics
// ("60 0 0 0 0"), anything else E1. A silent proxy reads and never
// answers.
package fakertpp

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Addr is the address U and L answers carry.
const Addr = "192.0.2.50"

// FirstPort is the port of the first session; each new one adds 2.
const FirstPort = 35000

// versions are the protocol extensions rtpproxy 2.x answers VF with 1.
var versions = map[string]bool{
	"20040107": true, "20050322": true, "20060704": true, "20071116": true, "20071218": true,
	"20080403": true, "20081102": true, "20081224": true, "20090810": true, "20111101": true,
	"20121010": true, "20130429": true, "20140323": true, "20140617": true, "20150330": true,
	"20150420": true, "20150617": true,
}

// Proxy is a fake RTP proxy.
type Proxy struct {
	silent atomic.Bool // read commands, answer none

	mu    sync.Mutex
	got   *sync.Cond // signalled at each command
	cmds  []string
	ports map[string]int
	next  int

	udp  *net.UDPConn
	unix net.Listener
	wg   sync.WaitGroup
}

// ListenUDP starts a proxy on a UDP address ("127.0.0.1:0").
func ListenUDP(addr string) (*Proxy, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	p := &Proxy{udp: c, ports: map[string]int{}, next: FirstPort}
	p.got = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.serveUDP()
	return p, nil
}

// ListenUnix starts a proxy on a unix stream socket at path.
func ListenUnix(path string) (*Proxy, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	p := &Proxy{unix: l, ports: map[string]int{}, next: FirstPort}
	p.got = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.serveUnix()
	return p, nil
}

// SetSilent makes the proxy read commands and answer none.
func (p *Proxy) SetSilent(on bool) { p.silent.Store(on) }

// Port is the UDP port the proxy listens on.
func (p *Proxy) Port() int { return p.udp.LocalAddr().(*net.UDPAddr).Port }

// Close stops the proxy.
func (p *Proxy) Close() {
	if p.udp != nil {
		p.udp.Close()
	}
	if p.unix != nil {
		p.unix.Close()
	}
	p.wg.Wait()
}

// Commands returns the commands received so far, without cookies, and
// forgets them; with noVersion the V and VF probes are left out.
func (p *Proxy) Commands(noVersion bool) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range p.cmds {
		if noVersion && (c == "V" || strings.HasPrefix(c, "VF ")) {
			continue
		}
		out = append(out, c)
	}
	p.cmds = nil
	return out
}

// Wait waits until n commands are recorded (those Commands has not
// returned yet), at most d; it reports whether they are.
func (p *Proxy) Wait(n int, d time.Duration) bool {
	t := time.AfterFunc(d, func() {
		p.mu.Lock()
		p.got.Broadcast()
		p.mu.Unlock()
	})
	defer t.Stop()
	deadline := time.Now().Add(d)
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.cmds) < n && time.Now().Before(deadline) {
		p.got.Wait()
	}
	return len(p.cmds) >= n
}

func (p *Proxy) serveUDP() {
	defer p.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := p.udp.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		cookie, cmd, ok := strings.Cut(string(buf[:n]), " ")
		if !ok {
			continue
		}
		reply := p.handle(cmd)
		if p.silent.Load() {
			continue
		}
		_, _ = p.udp.WriteToUDP([]byte(cookie+" "+reply+"\n"), from)
	}
}

func (p *Proxy) serveUnix() {
	defer p.wg.Done()
	for {
		c, err := p.unix.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 65535)
		n, err := c.Read(buf)
		if err == nil {
			reply := p.handle(string(buf[:n]))
			if !p.silent.Load() {
				_, _ = c.Write([]byte(reply + "\n"))
			}
		}
		c.Close()
	}
}

// handle records cmd and returns the answer.
func (p *Proxy) handle(cmd string) string {
	cmd = strings.TrimRight(cmd, "\r\n")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cmds = append(p.cmds, cmd)
	p.got.Broadcast()
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return "E1"
	}
	switch op := f[0]; {
	case op == "V":
		return "20040107"
	case op == "VF":
		if len(f) > 1 && versions[f[1]] {
			return "1"
		}
		return "0"
	case op[0] == 'U' || op[0] == 'L' || op[0] == 'u' || op[0] == 'l':
		if len(f) < 5 {
			return "E1"
		}
		// The session is the Call-ID and the media number of the tags.
		key := f[1]
		if _, num, ok := strings.Cut(f[4], ";"); ok {
			key += ";" + num
		}
		port, ok := p.ports[key]
		if !ok {
			port = p.next
			p.ports[key] = port
			p.next += 2
		}
		return strconv.Itoa(port) + " " + Addr
	case op == "D" || op == "R" || op[0] == 'P' || op == "S":
		return "0"
	case op == "Q":
		return "60 0 0 0 0"
	}
	return "E1"
}
