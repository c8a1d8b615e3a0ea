package sip

import (
	"os"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// BenchmarkReceive measures the core's path for one sipp INVITE that
// arrived on a UDP socket: parsing, request_route on a worker, and in it
// a stateless reply built and sent (reply) or the request forwarded
// (forward) to a UDP socket that reads nothing.
func BenchmarkReceive(b *testing.B) {
	raw, err := os.ReadFile("testdata/sipp/invite.sip")
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"parse only", "reply", "forward"} {
		b.Run(mode, func(b *testing.B) {
			s := startServer(b, Config{})
			sink := newPeer(b)
			s.r.on(ast.Request, func(c *event.Context) int {
				m := sipmsg.FromContext(c)
				switch mode {
				case "reply":
					if err := s.t.SendReply(c, m, BuildReply(m, Reply{Code: 200, Reason: "OK", Server: DefaultServerHeader})); err != nil {
						b.Fatal(err)
					}
				case "forward":
					if err := s.t.Forward(c, m, Dest{Host: "127.0.0.1", Port: sink.port()}); err != nil {
						b.Fatal(err)
					}
				}
				return 1
			})
			sock := s.t.socks[0]
			src := sipmsg.Addr{IP: "127.0.0.1", Port: sink.port()}
			text := string(raw)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				s.t.receive(0, text, sock, src, nil)
			}
		})
	}
}
