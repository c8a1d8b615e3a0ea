package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// syncBuf is a log the transport's goroutines write while the test reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func loadPrefixed(t testing.TB, cfg string) (*server.Server, *syncBuf) {
	t.Helper()
	ast, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(cfg), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	out := &syncBuf{}
	srv, ld := server.Load(ast, server.Options{Log: klog.New(out, klog.Text)})
	if ld.HasErrors() {
		t.Fatal(ld)
	}
	return srv, out
}

// TestLogPrefixOutsideMessages: Kamailio prints log_prefix, static or
// with pseudo-variables, only while a process handles a SIP message: an
// event route a module raises on its own (here core:worker-one-init) has
// none.
func TestLogPrefixOutsideMessages(t *testing.T) {
	for _, prefix := range []string{`"[$var(n)] "`, `"static: "`} {
		srv, out := loadPrefixed(t, "log_prefix="+prefix+`
loadmodule "pv.so"
loadmodule "xlog.so"
event_route[core:worker-one-init] {
	$var(n) = $var(n) + 1;
	xlog("L_INFO", "n=$var(n)\n");
}
`)
		w := event.NewWorker(1)
		for i := 0; i < 2; i++ {
			if _, ok := srv.Dispatch(event.Event("core:worker-one-init"), w, nil); !ok {
				t.Fatal("event route did not run")
			}
		}
		if got, want := out.String(), "INFO: <script>: n=1\nINFO: <script>: n=2\n"; !strings.HasSuffix(got, want) {
			t.Errorf("log_prefix=%s:\n got %q\nwant suffix %q", prefix, got, want)
		}
	}
}

// TestLogPrefixMessage: while a SIP request is handled, every line gets
// the prefix expanded for that request, the script's and the modules'
// (sl logs through the logger it got at provisioning); an HTTP request
// and the lines after the message have none.
func TestLogPrefixMessage(t *testing.T) {
	for _, tc := range []struct{ prefix, head string }{
		{`"{$mt $hdr(CSeq) $ci} "`, "{1 7 OPTIONS cid-%d} "},
		{`"static: "`, "static: "},
	} {
		port, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		srv, out := loadPrefixed(t, "log_prefix="+tc.prefix+`
children=1
listen=udp:127.0.0.1:`+strconv.Itoa(port)+`
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
	xlog("L_INFO", "hello $rm\n");
	sl_reply_error();
	exit;
}
event_route[core:worker-one-init] {
	xlog("L_INFO", "no message\n");
}
`)
		if err := srv.StartSIP(context.Background()); err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 1; i <= 2; i++ {
			request(t, port, i)
			head := tc.head
			if strings.Contains(head, "%d") {
				head = fmt.Sprintf(head, i)
			}
			want = append(want, "INFO: "+head+"<script>: hello OPTIONS",
				"ERROR: "+head+"<sl>: sl_reply_error(): stateless error reply used: I'm terribly sorry, server error occurred (1/SL)")
		}
		waitSL(t, out, 2)
		srv.Dispatch(event.Event("core:worker-one-init"), event.NewWorker(1), nil)
		want = append(want, "INFO: <script>: no message")
		if err := srv.StopSIP(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := scriptAndSL(out)
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("log_prefix=%s:\n got\n%s\nwant\n%s\nlog:\n%s", tc.prefix, g, w, out.String())
		}
	}
}

// waitSL waits, a few seconds at most, until out has n of sl_reply_error's
// lines (sl logs after it replies).
func waitSL(t *testing.T, out *syncBuf, n int) {
	t.Helper()
	for i := 0; strings.Count(out.String(), "sl_reply_error") < n; i++ {
		if i == 500 {
			t.Fatalf("sl did not log:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scriptAndSL returns the script's lines and sl_reply_error's in out.
func scriptAndSL(out *syncBuf) []string {
	var got []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "<script>") || strings.Contains(l, "sl_reply_error") {
			got = append(got, l)
		}
	}
	return got
}

// request sends OPTIONS number i to port and waits for its reply, so that
// the request's lines are written when it returns.
func request(t *testing.T, port, i int) {
	t.Helper()
	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lp := c.LocalAddr().(*net.UDPAddr).Port
	msg := fmt.Sprintf("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: cid-%d\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n", lp, i, i)
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLogPrefix is an OPTIONS answered by sl, without log_prefix
// and with Debian's: the difference is what opening the message's log
// scope costs.
func BenchmarkLogPrefix(b *testing.B) {
	for _, prefix := range []string{"", `log_prefix="{$mt $hdr(CSeq) $ci} "` + "\n"} {
		name := "none"
		if prefix != "" {
			name = "debian"
		}
		b.Run(name, func(b *testing.B) {
			port, err := freeport.Pick()
			if err != nil {
				b.Fatal(err)
			}
			srv, _ := loadPrefixed(b, prefix+"children=1\nlisten=udp:127.0.0.1:"+strconv.Itoa(port)+
				"\nloadmodule \"pv.so\"\nloadmodule \"sl.so\"\nrequest_route {\n\tsl_send_reply(\"404\", \"No\");\n}\n")
			if err := srv.StartSIP(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer srv.StopSIP(context.Background())
			c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			lp := c.LocalAddr().(*net.UDPAddr).Port
			buf := make([]byte, 4096)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				msg := fmt.Sprintf("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-b%d\r\nMax-Forwards: 70\r\n"+
					"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: bench-%d\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n", lp, i, i)
				if _, err := c.Write([]byte(msg)); err != nil {
					b.Fatal(err)
				}
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// eachActionConfig logs around assignments to the $var its log_prefix
// reads, in request_route and in a route it calls; MODE is replaced by
// log_prefix_mode's value.
const eachActionConfig = `log_prefix="[$var(x)|$rm] "
log_prefix_mode=MODE
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
	xlog("L_INFO", "a\n");
	$var(x) = 5;
	xlog("L_INFO", "b\n");
	route(R);
	xlog("L_INFO", "c\n");
	$var(x) = 0;
	sl_reply_error();
}
route[R] {
	$var(x) = 7;
	xlog("L_INFO", "r\n");
}
`

// TestLogPrefixEachAction: with log_prefix_mode=1 the prefix is expanded
// before and after every action, so it shows the $var the script has just
// set, a module's line included; with 0 it is expanded once per message.
func TestLogPrefixEachAction(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"0", []string{"INFO: [0|OPTIONS] <script>: a", "INFO: [0|OPTIONS] <script>: b", "INFO: [0|OPTIONS] <script>: r",
			"INFO: [0|OPTIONS] <script>: c", "ERROR: [0|OPTIONS] <sl>: sl_reply_error(): stateless error reply used: I'm terribly sorry, server error occurred (1/SL)"}},
		{"1", []string{"INFO: [0|OPTIONS] <script>: a", "INFO: [5|OPTIONS] <script>: b", "INFO: [7|OPTIONS] <script>: r",
			"INFO: [7|OPTIONS] <script>: c", "ERROR: [0|OPTIONS] <sl>: sl_reply_error(): stateless error reply used: I'm terribly sorry, server error occurred (1/SL)"}},
	} {
		port, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		cfg := strings.ReplaceAll(strings.Replace(eachActionConfig, "MODE", tc.mode, 1), "%%SIP_PORT%%", strconv.Itoa(port))
		srv, out := loadPrefixed(t, cfg)
		if err := srv.StartSIP(context.Background()); err != nil {
			t.Fatal(err)
		}
		request(t, port, 1)
		request(t, port, 2)
		waitSL(t, out, 2)
		if err := srv.StopSIP(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := scriptAndSL(out)
		want := append(append([]string{}, tc.want...), tc.want...)
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("log_prefix_mode=%s:\n got\n%s\nwant\n%s", tc.mode, g, w)
		}
	}
}
