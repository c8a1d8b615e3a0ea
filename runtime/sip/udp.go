package sip

import (
	"errors"
	"net"
	"net/netip"

	"github.com/kamgo/kamgo/runtime/klog"
)

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// readUDP reads datagrams from s until it is closed. Each is routed on
// this goroutine, which holds a core worker meanwhile, as a Kamailio UDP
// worker process does.
func (t *Transport) readUDP(s *socket) {
	defer t.wg.Done()
	buf := make([]byte, maxDatagram)
	r := s.udp.reader(buf)
	gid := klog.GoroutineID()
	for {
		n, src, err := r.read()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || t.stopping.Load() {
				return
			}
			t.log.Logf(klog.Err, "core", "udp_rcv_loop(): recvfrom on %s: %v", s.info, err)
			continue
		}
		if n == 0 || onlyCRLF(buf[:n]) {
			continue // a keepalive
		}
		t.receive(gid, string(buf[:n]), s, src, nil)
	}
}

// sendUDP sends buf from s to `to`.
func (t *Transport) sendUDP(s *socket, to netip.AddrPort, buf string) error {
	if err := s.udp.send(to, buf); err != nil {
		if t.stopping.Load() && errors.Is(err, net.ErrClosed) {
			// A reply made while the server stops (a transaction
			// resumed late) has no socket left; not an error.
			return err
		}
		t.log.Logf(klog.Err, "core", "udp_send(): sendto(len: %d, dst: (%s)) - err: %v", len(buf), to, err)
		return err
	}
	return nil
}

func onlyCRLF(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
