//go:build kamailio

package evapi_test

// The differential test: the same config file runs in the real Kamailio
// 5.6.3 (`kamailio -DD -E -f FILE -A EVAPI_BIND=...`) and in kamgo through
// the path `kamgo run` takes (check.AnalyzeSource, server.Load, Start, with
// the same -A define), and the same client script plays against both, case
// by case, comparing the bytes every client receives. Framing rows that
// kamgo changes on purpose (spec/deviations.md) are left out. Needs the
// kamailio binary and its evapi module:
//
//	go test -tags kamailio -run Differential ./modules/evapi

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
)

type dstep struct {
	from   int
	chunks []string
}

type dcase struct {
	name    string
	clients int
	steps   []dstep
	// logs are module log lines that both servers must print as many
	// times (Kamailio's wording).
	logs []string
}

// routerCases run against examples/evapi-router/kamailio.cfg.
var routerCases = []dcase{
	{name: "relay", clients: 2, steps: []dstep{{0, []string{ns("relay:hello1")}}}},
	{name: "unicast to lowest slot", clients: 2, steps: []dstep{{1, []string{ns("uni:x:u1")}}}},
	{name: "multicast", clients: 2, steps: []dstep{{0, []string{ns("multi:x:m1")}}}},
	{name: "unknown tag", clients: 2, steps: []dstep{{0, []string{ns("multi:nope:m2"), ns("uni:nope:u2")}}},
		logs: []string{"_evapi_relay(): message not delivered - no client connected", "w_evapi_multicast(): failed to relay event: [[multi:nope:m2]] to [nope]"}},
	{name: "retag", clients: 2, steps: []dstep{{1, []string{ns("tag:bee")}}, {0, []string{ns("uni:bee:u3")}}}},
	{name: "tag 63 and 64", clients: 2, steps: []dstep{{0, []string{ns("tag:" + strings.Repeat("t", 63))}}, {1, []string{ns("uni:" + strings.Repeat("t", 63) + ":a")}},
		{0, []string{ns("tag:" + strings.Repeat("u", 64))}}, {1, []string{ns("uni:" + strings.Repeat("t", 63) + ":b")}}},
		logs: []string{"evapi_set_tag(): tag size too big: 64 / 64"}},
	{name: "three clients multicast", clients: 3, steps: []dstep{{2, []string{ns("tag:y")}}, {1, []string{ns("multi:x:m3")}}, {0, []string{ns("multi:y:m4")}}}},
	{name: "two frames one write", clients: 2, steps: []dstep{{0, []string{"8:relay:p1,8:relay:p2,"}}}},
	{name: "whitespace", clients: 2, steps: []dstep{{0, []string{" \r\n\t8:relay:w1,\r\n8:relay:w2,\n"}}}},
	{name: "split payload", clients: 2, steps: []dstep{{0, []string{"11:relay:sp", "lit,"}}}},
	{name: "second frame split", clients: 2, steps: []dstep{{0, []string{"8:relay:q1,8:relay", ":q2,"}}}},
	{name: "no length", clients: 2, steps: []dstep{{0, []string{"abc,"}}}},
	{name: "length mismatch", clients: 2, steps: []dstep{{0, []string{"3:abcd,"}}}},
	{name: "mismatch then valid", clients: 2, steps: []dstep{{0, []string{"3:abcX8:relay:q3,"}}}},
	{name: "garbage between", clients: 2, steps: []dstep{{0, []string{"8:relay:v1,zz8:relay:v2,"}}}},
	{name: "zero and negative length", clients: 2, steps: []dstep{{0, []string{"0:,"}}, {0, []string{"-1:x,"}}, {0, []string{"0007:relay:z,"}}}},
	{name: "20000-byte frame", clients: 2, steps: []dstep{{0, []string{ns("relay:" + strings.Repeat("L", 19994))}}}},
	{name: "32760-byte frame", clients: 2, steps: []dstep{{0, []string{ns("relay:" + strings.Repeat("M", 32760-6-7))}}}},
}

// conformanceCases run against testdata/conformance.cfg.
var conformanceCases = []dcase{
	{name: "assign to $evapi(msg)", clients: 1, steps: []dstep{{0, []string{ns("set:abc")}}}},
	{name: "empty data", clients: 2, steps: []dstep{{0, []string{ns("empty")}}},
		logs: []string{"w_evapi_relay(): invalid data parameter", "w_evapi_unicast(): invalid data parameter", "w_evapi_multicast(): invalid data parameter"}},
	{name: "empty data from a variable", clients: 1, steps: []dstep{{0, []string{ns("emptyvar")}}},
		logs: []string{"w_evapi_relay(): invalid data parameter"}},
	{name: "empty tags", clients: 2, steps: []dstep{{1, []string{ns("emptytag")}}},
		logs: []string{"w_evapi_unicast(): invalid tag parameter", "w_evapi_multicast(): invalid tag parameter"}},
	{name: "return codes", clients: 2, steps: []dstep{{1, []string{ns("rc")}}}},
}

var syncSeq atomic.Int64

// dclient is one client of a case.
type dclient struct {
	t    *testing.T
	c    net.Conn
	buf  []byte
	name string
}

func (c *dclient) send(chunks ...string) {
	c.t.Helper()
	for i, s := range chunks {
		if i > 0 {
			// Let the server read the chunks separately.
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := c.c.Write([]byte(s)); err != nil {
			c.t.Fatalf("write: %v", err)
		}
	}
}

// until reads until token has arrived and returns what came before it.
func (c *dclient) until(token string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tmp := make([]byte, 64<<10)
	for {
		if i := strings.Index(string(c.buf), token); i >= 0 {
			out := string(c.buf[:i])
			c.buf = c.buf[i+len(token):]
			return out
		}
		c.c.SetReadDeadline(deadline)
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			c.t.Fatalf("%s: waiting for %q: %v (got %d bytes: %.200q)", c.name, token, err, len(c.buf), c.buf)
		}
	}
}

// syncAll sends a relay from one client and reads every client up to it:
// the configs run a client's frames in order, so everything the earlier
// frames caused has arrived by then.
func syncAll(from *dclient, all ...*dclient) []string {
	tok := ns("relay:#s" + strconv.FormatInt(syncSeq.Add(1), 10))
	from.send(tok)
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.until(tok)
	}
	return out
}

// runDiff plays c against the evapi server at addr and returns, per step
// and client, what the client received before the step's sync message.
func runDiff(t *testing.T, addr string, c dcase) []string {
	var cs []*dclient
	var out []string
	for i := 0; i < c.clients; i++ {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conn.(*net.TCPConn).SetNoDelay(true)
		t.Cleanup(func() { conn.Close() })
		dc := &dclient{t: t, c: conn, name: string(rune('A' + i))}
		cs = append(cs, dc)
		syncAll(dc, cs...) // connection-new has run
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

func count(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

func TestKamailioDifferential(t *testing.T) {
	for _, set := range []struct {
		name, path string
		cases      []dcase
	}{
		{"router", "../../examples/evapi-router/kamailio.cfg", routerCases},
		{"conformance", "testdata/conformance.cfg", conformanceCases},
	} {
		src, err := os.ReadFile(set.path)
		if err != nil {
			t.Fatal(err)
		}
		// Kamailio binds the SIP listener: give it a free port. kamgo gets
		// the same text.
		text := strings.Replace(string(src), "udp:127.0.0.1:5060", "udp:127.0.0.1:"+kamref.SIPPortPlaceholder, 1)
		for _, c := range set.cases {
			t.Run(set.name+"/"+c.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				kport, err := freeport.Pick()
				if err != nil {
					t.Fatal(err)
				}
				in, err := kamref.Start(ctx, text, kamref.Options{EvapiPort: kport,
					Args: []string{"-A", `EVAPI_BIND="127.0.0.1:` + strconv.Itoa(kport) + `"`}})
				if err != nil {
					t.Fatal(err)
				}
				defer in.Stop()
				want := runDiff(t, "127.0.0.1:"+strconv.Itoa(kport), c)
				t.Logf("kamailio:\n%s", strings.Join(want, "\n"))

				sport, err := freeport.Pick()
				if err != nil {
					t.Fatal(err)
				}
				ktext := strings.ReplaceAll(text, kamref.SIPPortPlaceholder, strconv.Itoa(sport))
				addr, logs := runSource(t, set.path, ktext, 0)
				got := runDiff(t, addr, c)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("kamailio:\n%s\nkamgo:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
				}
				for _, l := range c.logs {
					if k, g := count(in.Lines(), l), len(logs.grep(l)); k != g || k == 0 {
						t.Errorf("log line %q: kamailio %d times, kamgo %d", l, k, g)
					}
				}
			})
		}
	}
}
