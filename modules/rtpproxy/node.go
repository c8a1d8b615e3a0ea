package rtpproxy

import (
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/klog"
)

// The control protocol versions Kamailio's rtpproxy module requires and
// probes for (the V and VF commands).
const (
	supProtoVer = 20040107   // the base protocol: V must answer it
	reqProtoVer = "20050322" // required extension
	repProtoVer = "20071116" // re-packetization (the Z flag)
	ptlProtoVer = "20081102" // payload type lists, and the P and S commands
)

// forever is the recheck tick of a proxy disabled until enabled by RPC.
const forever = ^uint32(0)

// node is one RTP proxy: its URL, how to reach it and its state.
type node struct {
	idx     int
	url     string // as configured, weight left out
	mode    int    // 0 unix socket, 1 udp, 6 udp6
	address string // the URL without its scheme
	weight  uint32

	mu       sync.Mutex // one command at a time (the UDP socket is shared)
	disabled bool
	recheck  uint32 // tick at which a disabled node is tried again
	rep, ptl bool   // capabilities
	conn     *udpClient
}

// set is an rtpproxy_sock set: the proxies a call may use.
type set struct {
	id    uint32
	nodes []*node
}

// parseSets reads the rtpproxy_sock values into sets in order of first
// mention: "[id ==] url[=weight] url ...". The default set is 0.
func (m *Module) parseSets(values []string) error {
	for _, v := range values {
		p := strings.TrimLeft(v, " \t\r\n")
		if p == "" {
			continue
		}
		id := "0"
		list := p
		if eq := strings.Index(p, "=="); eq >= 0 {
			if eq+2 >= len(p) {
				m.log.Log(klog.Err, Name, "rtpproxy_add_rtpproxy_set(): script error -invalid rtp proxy list!")
				return errf("invalid rtp proxy list")
			}
			id = strings.TrimRight(p[:eq], " \t\r\n")
			if id == "" {
				m.log.Log(klog.Err, Name, "rtpproxy_add_rtpproxy_set(): script error -invalid set_id value!")
				return errf("invalid set_id value")
			}
			list = p[eq+2:]
		}
		list = strings.TrimLeft(list, " \t\r\n")
		if list == "" {
			m.log.Log(klog.Err, Name, "rtpproxy_add_rtpproxy_set(): script error -empty rtp_proxy list")
			return errf("empty rtp_proxy list")
		}
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			m.log.Logf(klog.Err, Name, "get_rtpp_set(): Invalid set name '%s' - must be integer", id)
			m.log.Logf(klog.Err, Name, "rtpproxy_add_rtpproxy_set(): Failed to get or create rtpp_list for '%s'", id)
			return errf("invalid set name %q", id)
		}
		s := m.setByID(uint32(n))
		if s == nil {
			s = &set{id: uint32(n)}
			m.sets = append(m.sets, s)
		}
		for _, f := range strings.Fields(list) {
			weight := uint32(1)
			url := f
			if w := strings.IndexByte(f, '='); w >= 0 {
				url = f[:w]
				weight = uint32(strtoul(f[w+1:]))
			}
			s.nodes = append(s.nodes, m.newNode(url, weight))
		}
	}
	return nil
}

// strtoul reads leading decimal digits (0 when none).
func strtoul(s string) uint64 {
	var n uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint64(s[i]-'0')
	}
	return n
}

func (m *Module) newNode(url string, weight uint32) *node {
	n := &node{idx: m.nodeCount, url: url, weight: weight, address: url}
	m.nodeCount++
	switch l := strings.ToLower(url); {
	case strings.HasPrefix(l, "udp:"):
		n.mode, n.address = 1, url[4:]
	case strings.HasPrefix(l, "udp6:"):
		n.mode, n.address = 6, url[5:]
	case strings.HasPrefix(l, "unix:"):
		n.mode, n.address = 0, url[5:]
	}
	return n
}

// setByID returns the set with id, nil when none.
func (m *Module) setByID(id uint32) *set {
	for _, s := range m.sets {
		if s.id == id {
			return s
		}
	}
	return nil
}

// test checks a proxy's version and capabilities (Kamailio's rtpp_test)
// and returns whether it is disabled. Without force, an enabled node is
// not tested and a disabled one only once its recheck time came. n.mu
// must be held.
func (m *Module) test(n *node, disabled, force bool) bool {
	if n.recheck == forever {
		return true
	}
	if !force {
		if !disabled {
			return false
		}
		if n.recheck > m.ticks() {
			return true
		}
	}
	fail := func() bool {
		tmp := " temporarily"
		if m.ints["rtpproxy_disable_tout"] < 0 {
			tmp = ""
		}
		m.log.Logf(klog.Warn, Name, "rtpp_test(): support for RTP proxy <%s> has been disabled%s", n.url, tmp)
		if to := m.ints["rtpproxy_disable_tout"]; to >= 0 {
			n.recheck = m.ticks() + uint32(to)
		}
		return true
	}
	reply, ok := m.send(n, "V")
	if !ok {
		m.log.Log(klog.Warn, Name, "rtpp_test(): can't get version of the RTP proxy")
		return fail()
	}
	if v := atoi(reply); v != supProtoVer {
		m.log.Logf(klog.Warn, Name, "rtpp_test(): unsupported version of RTP proxy <%s> found: %d supported,%d present", n.url, supProtoVer, v)
		return fail()
	}
	switch m.checkCap(n, reqProtoVer) {
	case -1:
		m.log.Log(klog.Warn, Name, "rtpp_test(): RTP proxy went down during version query")
		return fail()
	case 0:
		m.log.Logf(klog.Warn, Name, "rtpp_test(): of RTP proxy <%s> doesn't support required protocol version%s", n.url, reqProtoVer)
		return fail()
	}
	re := "re-"
	if force {
		re = ""
	}
	m.log.Logf(klog.Info, Name, "rtpp_test(): rtp proxy <%s> found, support for it %senabled", n.url, re)
	n.rep = m.checkCap(n, repProtoVer) == 1
	n.ptl = m.checkCap(n, ptlProtoVer) == 1
	return false
}

// checkCap asks a proxy about a protocol extension: 1 supported, 0 not,
// -1 no answer.
func (m *Module) checkCap(n *node, cap string) int {
	reply, ok := m.send(n, "VF "+cap)
	if !ok {
		return -1
	}
	if strings.HasPrefix(reply, "E") || atoi(reply) != 1 {
		return 0
	}
	return 1
}

// selectNode picks the proxy of s for a call (Kamailio's
// select_rtpp_node): the only one, or by a sum of the Call-ID's bytes
// over the weights of the enabled ones, retesting disabled proxies whose
// recheck time came (and all of them once when none is enabled). nil
// when none is available.
func (m *Module) selectNode(s *set, callid string, doTest bool) *node {
	if s == nil {
		m.log.Log(klog.Err, Name, "select_rtpp_node(): script error -no valid set selected")
		return nil
	}
	if len(s.nodes) == 0 {
		return nil
	}
	if len(s.nodes) == 1 {
		n := s.nodes[0]
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.disabled && n.recheck <= m.ticks() {
			n.disabled = m.test(n, true, false)
		}
		if n.disabled {
			return nil
		}
		return n
	}
	var sum uint32
	for i := len(callid) - 1; i >= 0; i-- {
		sum += uint32(int8(callid[i]))
	}
	sum &= 0xff
	forced := false
	for {
		var total uint32
		for _, n := range s.nodes {
			n.mu.Lock()
			if n.disabled && n.recheck <= m.ticks() {
				n.disabled = m.test(n, true, false)
			}
			if !n.disabled {
				total += n.weight
			}
			n.mu.Unlock()
		}
		if total == 0 {
			if forced {
				return nil
			}
			forced = true
			for _, n := range s.nodes {
				n.mu.Lock()
				n.disabled = m.test(n, true, true)
				n.mu.Unlock()
			}
			continue
		}
		cut := sum % total
		var found *node
		for _, n := range s.nodes {
			n.mu.Lock()
			dis, w := n.disabled, n.weight
			n.mu.Unlock()
			if dis {
				continue
			}
			if cut < w {
				found = n
				break
			}
			cut -= w
		}
		if found == nil {
			return nil
		}
		if doTest {
			found.mu.Lock()
			found.disabled = m.test(found, found.disabled, false)
			dis := found.disabled
			found.mu.Unlock()
			if dis {
				continue
			}
		}
		return found
	}
}

// atoi reads a leading decimal number as C's atoi.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\r\n")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
