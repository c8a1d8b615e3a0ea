package kamref

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

func TestNetstringRoundTrip(t *testing.T) {
	for _, p := range []string{"", "a", "hello, world", "x:y,z", string(make([]byte, 5000))} {
		b := AppendNetstring(nil, p)
		got, n, err := DecodeNetstring(b)
		if err != nil || got != p || n != len(b) {
			t.Fatalf("%q: got %q %d %v", p, got, n, err)
		}
	}
}

func TestNetstringIncompleteAndBad(t *testing.T) {
	for _, in := range []string{"", "1", "12", "5:ab", "5:abcde", " \n3:ab"} {
		if _, _, err := DecodeNetstring([]byte(in)); !errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: want incomplete, got %v", in, err)
		}
	}
	for _, in := range []string{"abc,", ":x,", "3:abcd,", "99999999:x"} {
		if _, _, err := DecodeNetstring([]byte(in)); err == nil || errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: want a framing error, got %v", in, err)
		}
	}
}

// TestRecvReassembles feeds frames byte by byte through a real TCP pair.
func TestRecvReassembles(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		data := AppendNetstring(AppendNetstring(nil, "first"), "second, with comma")
		for _, b := range data {
			c.Write([]byte{b})
			time.Sleep(time.Millisecond)
		}
	}()
	c, err := Dial(l.Addr().(*net.TCPAddr).Port, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []string
	for i := 0; i < 2; i++ {
		p, err := c.Recv(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if !slices.Equal(got, []string{"first", "second, with comma"}) {
		t.Fatalf("got %q", got)
	}
}

func TestParseLog(t *testing.T) {
	lines := []string{
		" 0(10) INFO: <core> [main.c:1]: main(): start",
		" 5(12) INFO: <script>: a=3",
		" 5(12) INFO: <script>: first 5(12) ERROR: <script>: second",
		"continued",
		" 5(12) WARNING: <core> [core/rvalue.c:12]: rval_get_int(): conv failed",
		"12(40) INFO: <script>: wide rank",
	}
	got := ParseLog(lines)
	want := []LogLine{
		{Rank: 0, PID: 10, Level: "INFO", Origin: "<core>", Text: "main(): start"},
		{Rank: 5, PID: 12, Level: "INFO", Origin: "<script>", Text: "a=3"},
		{Rank: 5, PID: 12, Level: "INFO", Origin: "<script>", Text: "first"},
		{Rank: 5, PID: 12, Level: "ERROR", Origin: "<script>", Text: "second\ncontinued"},
		{Rank: 5, PID: 12, Level: "WARNING", Origin: "<core>", Text: "rval_get_int(): conv failed"},
		{Rank: 12, PID: 40, Level: "INFO", Origin: "<script>", Text: "wide rank"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestFirstError(t *testing.T) {
	out := []string{
		" 0(1) CRITICAL: <core> [core/cfg.y:3787]: yyerror_at(): parse error in config file /t/k.cfg, line 36, column 15-21: bad expression",
	}
	if line, msg := FirstError(out); line != 36 || msg != "bad expression" {
		t.Fatalf("got %d %q", line, msg)
	}
	out = []string{
		" 0(1) ERROR: <core> [core/route.c:1]: fix_actions(): route \"X\" not found at /t/k.cfg:40",
		" 0(1) ERROR: <core> [core/route.c:2]: fix_actions(): fixing failed at cfg:/t/k.cfg:40",
	}
	if line, msg := FirstError(out); line != 40 || msg != `fix_actions(): route "X" not found at /t/k.cfg:40` {
		t.Fatalf("got %d %q", line, msg)
	}
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil || p <= 0 || p > 65535 {
		t.Fatalf("got %d %v", p, err)
	}
}
