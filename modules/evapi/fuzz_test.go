package evapi

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/value"
)

// FuzzConn runs the whole connection handler (routes included) on
// arbitrary input sent over loopback TCP: it must not panic, must end, and its read buffer must
// stay within max_frame_size plus the header.
func FuzzConn(f *testing.F) {
	for _, s := range []string{"8:relay:p1,", "10:tag:abcdef,9:uni:abc:x,", "5:close,8:relay:p1,", "11:multi:x:yy,zz,", "300:" + strings.Repeat("a", 300) + ",", "200:relay:"} {
		f.Add([]byte(s))
	}
	m, h := newTestModule(f, map[string]value.Value{"max_frame_size": value.MakeInt(256)})
	installRouter(f, h, m, true)
	start(f, m)
	f.Fuzz(func(t *testing.T, data []byte) {
		before := m.stats.connections.Load()
		cli, err := net.Dial("tcp", m.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		cli.(*net.TCPConn).SetNoDelay(true)
		// Wait for connection-new so that the end below is this client's.
		waitFor(t, "connection", func() bool { return m.stats.connections.Load() > before })
		done := make(chan struct{})
		go func() { // drain what the routes send back
			defer close(done)
			b := make([]byte, 4096)
			for {
				cli.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := cli.Read(b); err != nil {
					return
				}
			}
		}()
		cli.SetWriteDeadline(time.Now().Add(5 * time.Second))
		for len(data) > 0 {
			n := min(len(data), 7)
			if _, err := cli.Write(data[:n]); err != nil {
				break
			}
			data = data[n:]
		}
		cli.Close()
		<-done
		waitFor(t, "connection end", func() bool { return m.stats.active.Load() == 0 })
		if hi := m.stats.rbufHigh.Load(); hi > 256+netstring.MaxLenDigits+2 {
			t.Fatalf("read buffer grew to %d", hi)
		}
	})
}
