package evapi

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// router installs Go routes equivalent to examples/evapi-router/kamailio.cfg:
// connection-new tags the client "x"; message-received dispatches on the
// payload prefix (relay:, uni:<tag>:, multi:<tag>:, tag:<name>, close).
type router struct {
	mu     sync.Mutex
	rcs    []string // "relay=1", "uni=-1" ...
	closed []string // "addr:port conidx=N msg=<null>" per connection-closed
	news   []int    // conidx per connection-new
}

var tagKey = event.NewKey()

func installRouter(t testing.TB, h *fakeHost, m *Module, tagOnNew bool) *router {
	r := &router{}
	tagArg := dyn(func(c *event.Context) string { s, _ := c.Get(tagKey).(string); return s })
	relay := call(t, h, m, "evapi_relay", lit("$evapi(msg)"))
	uni := call(t, h, m, "evapi_unicast", lit("$evapi(msg)"), tagArg)
	multi := call(t, h, m, "evapi_multicast", lit("$evapi(msg)"), tagArg)
	setTag := call(t, h, m, "evapi_set_tag", tagArg)
	setX := call(t, h, m, "evapi_set_tag", lit("x"))
	closeF := call(t, h, m, "evapi_close")
	msg := pvGet(t, h, "msg")
	addr, port, idx := pvGet(t, h, "srcaddr"), pvGet(t, h, "srcport"), pvGet(t, h, "conidx")
	rec := func(s string) { r.mu.Lock(); r.rcs = append(r.rcs, s); r.mu.Unlock() }
	h.routes[EventConnectionNew] = func(c *event.Context) int {
		r.mu.Lock()
		r.news = append(r.news, int(idx(c).I))
		r.mu.Unlock()
		if tagOnNew {
			setX(c)
		}
		return 1
	}
	h.routes[EventConnectionClosed] = func(c *event.Context) int {
		r.mu.Lock()
		r.closed = append(r.closed, fmt.Sprintf("%s:%d conidx=%d msg=%s", addr(c).S, port(c).I, idx(c).I, msg(c).String()))
		r.mu.Unlock()
		return 1
	}
	h.routes[EventMessageReceived] = func(c *event.Context) int {
		s := msg(c).S
		switch {
		case strings.HasPrefix(s, "relay:"):
			rc := relay(c)
			if !strings.HasPrefix(s, "relay:#s") {
				rec("relay=" + strconv.Itoa(rc))
			}
		case strings.HasPrefix(s, "uni:") || strings.HasPrefix(s, "multi:"):
			parts := strings.SplitN(s, ":", 3)
			c.Set(tagKey, parts[1])
			if parts[0] == "uni" {
				rec("uni=" + strconv.Itoa(uni(c)))
			} else {
				rec("multi=" + strconv.Itoa(multi(c)))
			}
		case strings.HasPrefix(s, "tag:"):
			c.Set(tagKey, s[4:])
			rec("tag=" + strconv.Itoa(setTag(c)))
		case s == "close":
			rec("close=" + strconv.Itoa(closeF(c)))
			rec("after-close srcaddr=" + addr(c).String())
		}
		return 1
	}
	return r
}

func (r *router) lastNew() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.news[len(r.news)-1]
}

func (r *router) closedList() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.closed...)
}

func (r *router) newsCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.news)
}

func (r *router) takeRCs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.rcs, " ")
	r.rcs = nil
	return s
}

func ns(s string) string { return string(netstring.Append(nil, s)) }

var syncSeq atomic.Int64

// syncAll makes from send a sync relay and reads every client up to it; it
// returns what each received before it. Frames of one connection run in
// order and every client's queue is FIFO, so everything the earlier frames
// caused has been received by then.
func syncAll(from *tclient, all ...*tclient) []string {
	tok := "relay:#s" + strconv.FormatInt(syncSeq.Add(1), 10)
	from.send(ns(tok))
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.until(ns(tok))
	}
	return out
}

func setup(t testing.TB, params map[string]value.Value, tagOnNew bool) (*Module, *fakeHost, *router) {
	m, h := newTestModule(t, params)
	r := installRouter(t, h, m, tagOnNew)
	start(t, m)
	return m, h, r
}

// connect dials n clients and waits until connection-new ran for each.
func connect(t testing.TB, m *Module, n int) []*tclient {
	var cs []*tclient
	for i := 0; i < n; i++ {
		before := m.stats.connections.Load()
		c := dial(t, m)
		c.name = string(rune('A' + i))
		cs = append(cs, c)
		waitFor(t, "connection-new", func() bool { return m.stats.connections.Load() > before })
	}
	return cs
}

func TestRelayBytes(t *testing.T) {
	m, _, r := setup(t, nil, true)
	cs := connect(t, m, 2)
	cs[0].send(ns("relay:hello1"))
	got := syncAll(cs[0], cs...)
	for i, g := range got {
		if g != "12:relay:hello1," {
			t.Errorf("%s got %q", cs[i].name, g)
		}
	}
	if rc := r.takeRCs(); rc != "relay=1" {
		t.Errorf("rcs %q", rc)
	}
}

// TestFraming runs every row of the framing table in
// kamailio-5.6.3-observed.md §3; rows marked dev differ from Kamailio on
// purpose (spec/deviations.md).
func TestFraming(t *testing.T) {
	big := func(n int) string { return "relay:" + strings.Repeat("L", n-len("relay:")) }
	frame32760 := big(32760 - len("32754:,"))
	rows := []struct {
		name   string
		chunks []string
		want   string // what the sender gets relayed back before its sync
		bad    uint64
		closed bool // the server closes the connection (oversized)
	}{
		{"two frames one write", []string{"8:relay:p1,8:relay:p2,"}, "8:relay:p1,8:relay:p2,", 0, false},
		{"whitespace between frames", []string{" \r\n\t8:relay:w1,\r\n8:relay:w2,\n"}, "8:relay:w1,8:relay:w2,", 0, false},
		{"split payload", []string{"11:relay:sp", "lit,"}, "11:relay:split,", 0, false},
		{"dev: split inside the length", []string{"1", "0:relay:spl2,"}, "10:relay:spl2,", 0, false},
		{"dev: split before the comma", []string{"10:relay:sp3x", ",", "8:relay:n1,"}, "10:relay:sp3x,8:relay:n1,", 0, false},
		{"second frame split", []string{"8:relay:q1,8:relay", ":q2,"}, "8:relay:q1,8:relay:q2,", 0, false},
		{"no length", []string{"abc,"}, "", 1, false},
		{"length mismatch", []string{"3:abcd,"}, "", 1, false},
		{"mismatch then valid frame", []string{"3:abcX8:relay:q3,"}, "", 1, false},
		{"garbage between frames", []string{"8:relay:v1,zz8:relay:v2,"}, "8:relay:v1,", 1, false},
		{"zero length", []string{"0:,8:relay:z0,"}, "8:relay:z0,", 1, false},
		{"negative length", []string{"-1:x,"}, "", 1, false},
		{"leading zeros", []string{"0007:relay:z,"}, "7:relay:z,", 0, false},
		{"byte by byte", strings.Split("8:relay:b1, 8:relay:b2,", ""), "8:relay:b1,8:relay:b2,", 0, false},
		{"20000-byte frame", []string{ns(big(20000))}, ns(big(20000)), 0, false},
		{"32760-byte frame", []string{ns(frame32760)}, ns(frame32760), 0, false},
		{"dev: huge length closes at once", []string{"99999999:relay:huge,"}, "", 1, true},
		{"dev: 32-bit wrap is too long", []string{"4294967308:relay:ovfl12,"}, "", 1, true},
		{"40000-byte frame", []string{ns(big(40000))}, "", 1, true},
		{"valid frame before oversized", []string{"8:relay:ok,99999:"}, "8:relay:ok,", 1, true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			m, h, r := setup(t, nil, true)
			cs := connect(t, m, 2)
			a, b := cs[0], cs[1]
			a.send(row.chunks...)
			if row.closed {
				// The sender's own copies may be lost with the reset that
				// closing a socket with unread input sends; the observer
				// shows what was relayed.
				a.eof()
				waitFor(t, "connection-closed", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.closed) == 1 })
				if got := syncAll(b, b)[0]; got != row.want {
					t.Errorf("observer got %q, want %q", got, row.want)
				}
				if n := len(h.logged("closing connection pos [0]")); n != 1 {
					t.Errorf("%d oversize log lines", n)
				}
			} else {
				got := syncAll(a, a, b)
				if got[0] != row.want || got[1] != row.want {
					t.Errorf("got %q / %q, want %q", got[0], got[1], row.want)
				}
			}
			if s := m.Stats(); s.BadFrames != row.bad {
				t.Errorf("bad frames %d, want %d", s.BadFrames, row.bad)
			}
			if row.bad > 0 && !row.closed && len(h.logged("invalid frame from pos [0]")) != int(row.bad) {
				t.Errorf("bad-frame log lines: %q", h.logged("invalid frame"))
			}
		})
	}
}

func TestRouting(t *testing.T) {
	m, h, r := setup(t, nil, true)
	cs := connect(t, m, 2)
	a, b := cs[0], cs[1]

	// unicast goes to the lowest slot with the tag, even when B sends it.
	b.send(ns("uni:x:u1"))
	if got := syncAll(b, a, b); got[0] != "8:uni:x:u1," || got[1] != "" {
		t.Errorf("unicast x: %q", got)
	}
	// multicast reaches every client with the tag.
	a.send(ns("multi:x:m1"))
	if got := syncAll(a, a, b); got[0] != "10:multi:x:m1," || got[1] != "10:multi:x:m1," {
		t.Errorf("multicast x: %q", got)
	}
	if rc := r.takeRCs(); rc != "uni=1 multi=1" {
		t.Errorf("rcs %q", rc)
	}
	// An unknown tag: -1 and Kamailio's two lines.
	a.send(ns("multi:nope:m2"), ns("uni:nope:u2"))
	if got := syncAll(a, a, b); got[0] != "" || got[1] != "" {
		t.Errorf("unknown tag delivered: %q", got)
	}
	if rc := r.takeRCs(); rc != "multi=-1 uni=-1" {
		t.Errorf("rcs %q", rc)
	}
	for _, want := range []string{
		"WARNING: <evapi>: _evapi_relay(): message not delivered - no client connected",
		"ERROR: <evapi>: w_evapi_multicast(): failed to relay event: [[multi:nope:m2]] to [nope] ",
		"ERROR: <evapi>: w_evapi_unicast(): failed to relay event: [[uni:nope:u2]] to [nope] ",
	} {
		if len(h.logged(want)) == 0 {
			t.Errorf("missing log line %q", want)
		}
	}
	// Retag B: unicast bee reaches B only.
	b.send(ns("tag:bee"), ns("uni:bee:u3"))
	if got := syncAll(b, a, b); got[0] != "" || got[1] != "10:uni:bee:u3," {
		t.Errorf("retag: %q", got)
	}
	// 63 characters is the longest tag; 64 fails and keeps the old one.
	t63, t64 := strings.Repeat("t", 63), strings.Repeat("u", 64)
	a.send(ns("tag:"+t63), ns("uni:"+t63+":ok"), ns("tag:"+t64), ns("uni:"+t63+":still"))
	if got := syncAll(a, a, b); got[0] != ns("uni:"+t63+":ok")+ns("uni:"+t63+":still") || got[1] != "" {
		t.Errorf("63-char tag: %q", got)
	}
	if rc := r.takeRCs(); rc != "tag=1 uni=1 tag=1 uni=1 tag=-1 uni=1" {
		t.Errorf("rcs %q", rc)
	}
	if len(h.logged("ERROR: <evapi>: evapi_set_tag(): tag size too big: 64 / 64")) != 1 {
		t.Errorf("missing tag size line")
	}
	// relay reaches tagged and untagged clients alike.
	b.send(ns("tag:"), ns("relay:all"))
	if got := syncAll(b, a, b); got[0] != "9:relay:all," || got[1] != "9:relay:all," {
		t.Errorf("relay: %q", got)
	}
	if rc := r.takeRCs(); rc != "tag=1 relay=1" {
		t.Errorf("rcs %q", rc)
	}
}

func TestCloseAndSlotReuse(t *testing.T) {
	m, h, r := setup(t, nil, false)
	cs := connect(t, m, 2)
	a, b := cs[0], cs[1]
	a.send(ns("tag:old"))
	syncAll(a, a, b)
	// evapi_close: rc 1, clean EOF, $evapi() null afterwards, no
	// connection-closed route, slot 0 free at once.
	a.send(ns("close"))
	if got := a.eof(); got != "" {
		t.Errorf("closed client got %q", got)
	}
	syncAll(b, b)
	if rc := r.takeRCs(); rc != "tag=1 close=1 after-close srcaddr=<null>" {
		t.Errorf("rcs %q", rc)
	}
	if len(r.closedList()) != 0 || len(h.logged("client closing connection")) != 0 {
		t.Errorf("connection-closed ran after evapi_close: %q", r.closedList())
	}
	c := connect(t, m, 1)[0]
	if n := r.lastNew(); n != 0 {
		t.Errorf("new client got conidx %d, want the freed 0", n)
	}
	// deviation: the reused slot does not inherit tag "old".
	b.send(ns("uni:old:u"))
	if got := syncAll(b, c, b); got[0] != "" || got[1] != "" {
		t.Errorf("reused slot inherited the tag: %q", got)
	}
	if rc := r.takeRCs(); rc != "uni=-1" {
		t.Errorf("rcs %q", rc)
	}
	// A peer close runs connection-closed with the values still set.
	port := c.c.LocalAddr().(interface{ String() string }).String()
	c.c.Close()
	// The closing line is logged after the route, as in Kamailio.
	waitFor(t, "connection-closed", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.closed) == 1 && len(h.logged("client closing connection")) > 0
	})
	if want := port + " conidx=0 msg=<null>"; r.closedList()[0] != want {
		t.Errorf("connection-closed saw %q, want %q", r.closedList()[0], want)
	}
	if len(h.logged("INFO: <evapi>: evapi_recv_client(): client closing connection - pos [0] addr ["+port+"]")) != 1 {
		t.Errorf("missing closing line: %q", h.logged("closing"))
	}
}

func TestMaxClients(t *testing.T) {
	m, h, r := setup(t, map[string]value.Value{"max_clients": value.MakeInt(2)}, true)
	cs := connect(t, m, 2)
	extra := dial(t, m)
	if got := extra.eof(); got != "" {
		t.Errorf("third client got %q", got)
	}
	if len(h.logged("ERROR: <evapi>: evapi_accept_client(): too many clients")) != 1 || r.newsCount() != 2 {
		t.Errorf("news %d, lines %q", r.newsCount(), h.logged("too many"))
	}
	cs[0].c.Close()
	waitFor(t, "slot free", func() bool { return m.Stats().Active == 1 })
	c := connect(t, m, 1)[0]
	if n := r.lastNew(); n != 0 {
		t.Errorf("conidx %d, want 0", n)
	}
	c.send(ns("relay:in"))
	if got := syncAll(c, c, cs[1]); got[0] != "8:relay:in," || got[1] != "8:relay:in," {
		t.Errorf("got %q", got)
	}
	if s := m.Stats(); s.Rejected != 1 || s.Connections != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestNetstringFormat0(t *testing.T) {
	m, h := newTestModule(t, map[string]value.Value{"netstring_format": value.MakeInt(0)})
	relay := call(t, h, m, "evapi_relay", lit("$evapi(msg)"))
	msg := pvGet(t, h, "msg")
	got := make(chan string, 10)
	h.routes[EventMessageReceived] = func(c *event.Context) int { got <- msg(c).S; relay(c); return 1 }
	start(t, m)
	a := connect(t, m, 1)[0]
	a.send("12:relay:hello1,")
	if g := <-got; g != "12:relay:hello1," {
		t.Errorf("message %q", g)
	}
	// Bare out, no terminator: the relay echoes the bytes unchanged.
	if g := a.until("12:relay:hello1,"); g != "" {
		t.Errorf("got %q first", g)
	}
	a.send("relay:a1relay:a2")
	if g := <-got; g != "relay:a1relay:a2" {
		t.Errorf("one read is one message: %q", g)
	}
	a.until("relay:a1relay:a2")
}

func TestEventValues(t *testing.T) {
	m, h := newTestModule(t, nil)
	msg, addr, port, idx := pvGet(t, h, "msg"), pvGet(t, h, "srcaddr"), pvGet(t, h, "srcport"), pvGet(t, h, "conidx")
	out := make(chan string, 10)
	show := func(c *event.Context) int {
		out <- fmt.Sprintf("%s %s %s:%s #%s", c.Event, msg(c).String(), addr(c).String(), port(c).String(), idx(c).String())
		return 1
	}
	h.routes[EventConnectionNew], h.routes[EventMessageReceived], h.routes[EventConnectionClosed] = show, show, show
	start(t, m)
	// Outside an evapi event every $evapi() is null.
	if v := msg(&event.Context{}); !v.IsNull() {
		t.Errorf("msg outside events: %v", v)
	}
	a := dial(t, m)
	la := a.c.LocalAddr().String()
	a.send(ns("hi there"))
	a.c.Close()
	for _, want := range []string{
		"evapi:connection-new <null> " + la + " #0",
		"evapi:message-received hi there " + la + " #0",
		"evapi:connection-closed <null> " + la + " #0",
	} {
		if got := <-out; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if _, err := h.CompilePV("$evapi(nope)", diagRange()); err == nil {
		t.Error("$evapi(nope) compiled")
	}
}
