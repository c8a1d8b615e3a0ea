package applua_test

// The twin runner: evapi behaviour run once with a native configuration
// and once with its Lua twin (cfgengine "lua", evapi's event_callback),
// with the same clients, must give the same bytes to every client and the
// same log lines, except the lines Kamailio's native functions print and
// its KEMI functions do not (listed per case).

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// twinPair is a native configuration file and its Lua twin.
type twinPair struct {
	name         string
	native, lua  string
	syncPrefix   string // the message a sync sends: echo "#s", router "relay:#s"
	toAllClients bool   // whether a sync message reaches every client
	// markPrefix, when set, is a message the configuration logs as
	// "unhandled message [...]": sent after a sync, its line shows that
	// the routes of the client's earlier messages have logged all they
	// log (a relay reaches the clients before the route logs its rc).
	markPrefix string
}

type twinStep struct {
	from   int
	chunks []string // written one after the other
	gone   int      // a client the step makes the server close, or -1
}

type twinCase struct {
	name    string
	clients int
	steps   []twinStep
	// nativeOnly are substrings of the lines only the native functions
	// print (Kamailio's KEMI functions do not).
	nativeOnly []string
}

func step(from int, chunks ...string) twinStep { return twinStep{from: from, chunks: chunks, gone: -1} }

var (
	echoPair = twinPair{name: "evapi-echo",
		native: "../../examples/evapi-echo/kamailio.cfg", lua: "../../examples/kemi-lua/evapi-echo/kamailio.cfg",
		syncPrefix: "#s"}
	routerPair = twinPair{name: "evapi-router",
		native: "../../examples/evapi-router/kamailio.cfg", lua: "../../examples/kemi-lua/evapi-router/kamailio.cfg",
		syncPrefix: "relay:#s", toAllClients: true, markPrefix: "#m"}
)

var echoCases = []twinCase{
	{name: "hello", clients: 1, steps: []twinStep{step(0, ns("hello 0")), step(0, ns("hello 1"))}},
	{name: "two clients", clients: 2, steps: []twinStep{step(1, ns("from b")), step(0, ns("from a"))}},
	{name: "pipelined", clients: 1, steps: []twinStep{step(0, strings.Repeat(ns("p"), 50))}},
	{name: "split frame", clients: 1, steps: []twinStep{step(0, "11:split", " frame,")}},
	{name: "20000-byte frame", clients: 1, steps: []twinStep{step(0, ns(strings.Repeat("L", 20000)))}},
	{name: "bad frame then good", clients: 1, steps: []twinStep{step(0, "3:abcd,", ns("after"))}},
}

var routerCases = []twinCase{
	{name: "relay", clients: 2, steps: []twinStep{step(0, ns("relay:hello1"))}},
	{name: "unicast to lowest slot", clients: 2, steps: []twinStep{step(1, ns("uni:x:u1"))}},
	{name: "multicast", clients: 2, steps: []twinStep{step(0, ns("multi:x:m1"))}},
	{name: "unknown tag", clients: 2, steps: []twinStep{step(0, ns("multi:nope:m2"), ns("uni:nope:u2"))},
		nativeOnly: []string{"failed to relay event"}},
	{name: "retag", clients: 2, steps: []twinStep{step(1, ns("tag:bee")), step(0, ns("uni:bee:u3"))}},
	{name: "tag 63 and 64", clients: 2, steps: []twinStep{
		step(0, ns("tag:"+strings.Repeat("t", 63))), step(1, ns("uni:"+strings.Repeat("t", 63)+":a")),
		step(0, ns("tag:"+strings.Repeat("u", 64))), step(1, ns("uni:"+strings.Repeat("t", 63)+":b"))}},
	{name: "three clients multicast", clients: 3, steps: []twinStep{step(2, ns("tag:y")), step(1, ns("multi:x:m3")), step(0, ns("multi:y:m4"))}},
	{name: "two frames one write", clients: 2, steps: []twinStep{step(0, "8:relay:p1,8:relay:p2,")}},
	{name: "whitespace", clients: 2, steps: []twinStep{step(0, " \r\n\t8:relay:w1,\r\n8:relay:w2,\n")}},
	{name: "split payload", clients: 2, steps: []twinStep{step(0, "11:relay:sp", "lit,")}},
	{name: "no length", clients: 2, steps: []twinStep{step(0, "abc,")}},
	{name: "mismatch then valid", clients: 2, steps: []twinStep{step(0, "3:abcX8:relay:q3,")}},
	{name: "20000-byte frame", clients: 2, steps: []twinStep{step(0, ns("relay:"+strings.Repeat("L", 19994)))}},
	{name: "unhandled", clients: 1, steps: []twinStep{step(0, ns("hello"))}},
	{name: "close", clients: 2, steps: []twinStep{{from: 0, chunks: []string{ns("close")}, gone: 0}, step(1, ns("relay:after close"))}},
}

// TestTwins plays each case against a native configuration and its Lua
// twin and compares what the clients received and what was logged.
func TestTwins(t *testing.T) {
	for _, p := range []struct {
		pair  twinPair
		cases []twinCase
	}{{echoPair, echoCases}, {routerPair, routerCases}} {
		for _, c := range p.cases {
			t.Run(p.pair.name+"/"+c.name, func(t *testing.T) {
				nb, nl := playTwin(t, p.pair, p.pair.native, c)
				lb, ll := playTwin(t, p.pair, p.pair.lua, c)
				if !slices.Equal(nb, lb) {
					t.Errorf("bytes differ\nnative: %q\nlua:    %q", nb, lb)
				}
				nl = slices.DeleteFunc(nl, func(l string) bool {
					return slices.ContainsFunc(c.nativeOnly, func(s string) bool { return strings.Contains(l, s) })
				})
				if !slices.Equal(nl, ll) {
					t.Errorf("log lines differ\nnative:\n  %s\nlua:\n  %s", strings.Join(nl, "\n  "), strings.Join(ll, "\n  "))
				}
				if len(ll) == 0 && p.pair.name == "evapi-router" {
					t.Error("the router logged nothing")
				}
			})
		}
	}
}

// target is a running server a case plays against: its evapi address and
// its log lines so far, as "LEVEL: <origin>: text".
type target struct {
	addr  string
	lines func() []string
}

// kamgoTarget starts the configuration file cfg on kamgo.
func kamgoTarget(t *testing.T, cfg string) target {
	_, lg, addr := startFile(t, cfg)
	return target{addr: addr, lines: lg.all}
}

// waitLines waits until n lines containing sub have been logged.
func (tg target) waitLines(t *testing.T, sub string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for count(tg.lines(), sub) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no %d lines with %q in %q", n, sub, tg.lines())
		}
		time.Sleep(time.Millisecond)
	}
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

// playTwin plays case c against the configuration file cfg on kamgo.
func playTwin(t *testing.T, p twinPair, cfg string, c twinCase) (bytes, lines []string) {
	return play(t, p, kamgoTarget(t, cfg), c)
}

// play runs case c against tg and returns, per step and client, the
// bytes the client received before the step's sync message, and the log
// lines (client ports written as P<client>).
func play(t *testing.T, p twinPair, tg target, c twinCase) (bytes, lines []string) {
	addr := tg.addr
	seq := 0
	var cs []*client
	gone := map[int]bool{}
	sync := func(from int) []string {
		seq++
		tok := ns(p.syncPrefix + strconv.Itoa(seq))
		cs[from].send(tok)
		out := make([]string, len(cs))
		for i, cl := range cs {
			if gone[i] || !p.toAllClients && i != from {
				continue
			}
			out[i] = cl.until(tok)
		}
		if p.markPrefix != "" {
			mark := p.markPrefix + strconv.Itoa(seq)
			cs[from].send(ns(mark))
			tg.waitLines(t, "unhandled message ["+mark+"]", 1)
		}
		return out
	}
	for i := 0; i < c.clients; i++ {
		cs = append(cs, dial(t, addr))
		sync(i) // connection-new has run
	}
	for _, s := range c.steps {
		for _, ch := range s.chunks {
			cs[s.from].send(ch)
		}
		if s.gone >= 0 {
			// The server closed that client: wait for the end of its
			// stream, then sync from another client.
			gone[s.gone] = true
			bytes = append(bytes, fmt.Sprintf("client %d before close: %q", s.gone, cs[s.gone].rest()))
			from := slices.IndexFunc(cs, func(cl *client) bool { return !gone[slices.Index(cs, cl)] })
			bytes = append(bytes, sync(from)...)
			continue
		}
		bytes = append(bytes, sync(s.from)...)
	}
	closing := count(tg.lines(), "client closing connection")
	for i, cl := range cs {
		if gone[i] {
			continue
		}
		cl.c.Close()
		closing++
		tg.waitLines(t, "client closing connection", closing)
	}
	ports := map[string]string{}
	for i, cl := range cs {
		ports[strconv.Itoa(cl.port())] = "P" + strconv.Itoa(i)
	}
	for _, l := range tg.lines() {
		if strings.Contains(l, "<core>: listening on ") {
			continue // each run listens on a port of its own
		}
		lines = append(lines, portRE.ReplaceAllStringFunc(l, func(m string) string {
			if p, ok := ports[m[1:]]; ok {
				return ":" + p
			}
			return m
		}))
	}
	return bytes, lines
}

var portRE = regexp.MustCompile(`:\d{2,5}\b`)
