package evapi

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/value"
)

// decodeChunks feeds chunks to a decoder the way a connection does and
// returns what it reported, one string per event.
func decodeChunks(max int, chunks [][]byte) []string {
	d := decoder{max: max}
	var out []string
	var buf []byte
	for _, ch := range chunks {
		buf = append(buf, ch...)
		for len(buf) > 0 {
			p, n, r, reason := d.next(buf)
			if n < 0 || n > len(buf) {
				return append(out, "BUG: consumed out of range")
			}
			buf = buf[n:]
			if r == needMore {
				break
			}
			switch r {
			case gotFrame:
				out = append(out, "frame "+string(p))
			case badFrame:
				out = append(out, "bad "+reason)
			case tooLong:
				return append(out, "too long "+reason)
			}
		}
	}
	return out
}

// FuzzNetstring: any split of any byte stream gives the same frames, bad
// frames and fatal errors as the stream read whole.
func FuzzNetstring(f *testing.F) {
	for _, s := range []string{"8:relay:p1,8:relay:p2,", " \r\n\t3:abc,\n", "abc,3:abcd,3:abcX8:relay:q3,", "0:,-1:x,0007:relay:z,", "99999999:x,", "4294967308:relay:ovfl12,", "12", ",,,:"} {
		f.Add([]byte(s), []byte{1, 3, 0, 7})
	}
	f.Fuzz(func(t *testing.T, data, splits []byte) {
		const max = 64
		whole := decodeChunks(max, [][]byte{data})
		var chunks [][]byte
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(splits) > 0 {
				n = min(int(splits[i%len(splits)])%8, len(rest))
			}
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
			if i > 10*len(data)+10 {
				break
			}
		}
		chunks = append(chunks, rest)
		split := decodeChunks(max, chunks)
		if strings.Join(whole, "\n") != strings.Join(split, "\n") {
			t.Fatalf("whole %q\nsplit %q", whole, split)
		}
	})
}

// FuzzConn runs the whole connection handler (routes included) on
// arbitrary input: it must not panic, must end, and its read buffer must
// stay within max_frame_size plus the header.
func FuzzConn(f *testing.F) {
	for _, s := range []string{"8:relay:p1,", "10:tag:abcdef,9:uni:abc:x,", "5:close,8:relay:p1,", "11:multi:x:yy,zz,", "300:" + strings.Repeat("a", 300) + ",", "200:relay:"} {
		f.Add([]byte(s))
	}
	m, h := newTestModule(f, map[string]value.Value{"max_frame_size": value.MakeInt(256)})
	installRouter(f, h, m, true)
	start(f, m)
	f.Fuzz(func(t *testing.T, data []byte) {
		srv, cli := net.Pipe()
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
		before := m.stats.active.Load()
		go m.accept(srv)
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
		waitFor(t, "connection end", func() bool { return m.stats.active.Load() <= before })
		if hi := m.stats.rbufHigh.Load(); hi > 256+maxLenDigits+2 {
			t.Fatalf("read buffer grew to %d", hi)
		}
	})
}
