//go:build kamailio

package evapi

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// The differential test: the same client script against the real Kamailio
// 5.6.3 running examples/evapi-router/kamailio.cfg and against kamgo, case
// by case, comparing the bytes every client receives. Framing rows that
// kamgo changes on purpose (spec/deviations.md) are left out.
//
// TODO(kamgo-run): kamgo's side runs the module with Go routes equivalent to
// the config (installRouter). Once runtime/server and lang/parser exist,
// load examples/evapi-router/kamailio.cfg with parser.ParseFile and
// server.Load(cfg, opts), Start it, and dial its evapi address instead.

type dstep struct {
	from   int
	chunks []string
}

type dcase struct {
	name    string
	clients int
	steps   []dstep
}

var diffCases = []dcase{
	{"relay", 2, []dstep{{0, []string{ns("relay:hello1")}}}},
	{"unicast to lowest slot", 2, []dstep{{1, []string{ns("uni:x:u1")}}}},
	{"multicast", 2, []dstep{{0, []string{ns("multi:x:m1")}}}},
	{"unknown tag", 2, []dstep{{0, []string{ns("multi:nope:m2"), ns("uni:nope:u2")}}}},
	{"retag", 2, []dstep{{1, []string{ns("tag:bee")}}, {0, []string{ns("uni:bee:u3")}}}},
	{"tag 63 and 64", 2, []dstep{{0, []string{ns("tag:" + strings.Repeat("t", 63))}}, {1, []string{ns("uni:" + strings.Repeat("t", 63) + ":a")}},
		{0, []string{ns("tag:" + strings.Repeat("u", 64))}}, {1, []string{ns("uni:" + strings.Repeat("t", 63) + ":b")}}}},
	{"two frames one write", 2, []dstep{{0, []string{"8:relay:p1,8:relay:p2,"}}}},
	{"whitespace", 2, []dstep{{0, []string{" \r\n\t8:relay:w1,\r\n8:relay:w2,\n"}}}},
	{"split payload", 2, []dstep{{0, []string{"11:relay:sp", "lit,"}}}},
	{"second frame split", 2, []dstep{{0, []string{"8:relay:q1,8:relay", ":q2,"}}}},
	{"no length", 2, []dstep{{0, []string{"abc,"}}}},
	{"length mismatch", 2, []dstep{{0, []string{"3:abcd,"}}}},
	{"mismatch then valid", 2, []dstep{{0, []string{"3:abcX8:relay:q3,"}}}},
	{"garbage between", 2, []dstep{{0, []string{"8:relay:v1,zz8:relay:v2,"}}}},
	{"zero and negative length", 2, []dstep{{0, []string{"0:,"}}, {0, []string{"-1:x,"}}, {0, []string{"0007:relay:z,"}}}},
	{"20000-byte frame", 2, []dstep{{0, []string{ns("relay:" + strings.Repeat("L", 19994))}}}},
}

// runDiff plays c against the evapi server at addr and returns, per step
// and client, what the client received before the step's sync message.
func runDiff(t *testing.T, addr string, c dcase) []string {
	var cs []*tclient
	var out []string
	for i := 0; i < c.clients; i++ {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conn.(*net.TCPConn).SetNoDelay(true)
		t.Cleanup(func() { conn.Close() })
		tc := &tclient{t: t, c: conn, name: string(rune('A' + i))}
		cs = append(cs, tc)
		syncAll(tc, cs...) // connection-new has run
	}
	for si, s := range c.steps {
		cs[s.from].send(s.chunks...)
		// Kamailio discards the rest of a read after a bad frame: keep the
		// sync message out of the step's reads.
		time.Sleep(100 * time.Millisecond)
		for ci, got := range syncAll(cs[s.from], cs...) {
			out = append(out, "step "+strconv.Itoa(si)+" "+cs[ci].name+": "+strconv.Quote(got))
		}
	}
	return out
}

func TestKamailioDifferential(t *testing.T) {
	cfg, err := os.ReadFile("../../examples/evapi-router/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(cfg), `"127.0.0.1:8448"`, `"127.0.0.1:`+kamref.EvapiPortPlaceholder+`"`, 1)
	text = strings.Replace(text, "udp:127.0.0.1:5060", "udp:127.0.0.1:"+kamref.SIPPortPlaceholder, 1)
	for _, c := range diffCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.Start(ctx, text, kamref.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Stop()
			want := runDiff(t, "127.0.0.1:"+strconv.Itoa(in.EvapiPort), c)

			m, _, _ := setup(t, nil, true)
			got := runDiff(t, m.Addr().String(), c)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("kamailio:\n%s\nkamgo:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
		})
	}
}
