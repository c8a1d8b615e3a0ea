package pv

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestNewerClasses: the pseudo-variables of Kamailio 5.7, 6.0 and 6.1.
// No Kamailio of those releases runs here: the expectations are what
// pv_core.c, pv_shv.c and pv_branch.c do at the tag that added each.
func TestNewerClasses(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	for class, want := range map[string]string{
		"$En": "\n", "$Er": "\r", "$Es": " ", "$Et": "\t", "$Ec": ",", "$Eq": `"`,
		"$Ek": "'", "$Ei": ":", "$Ej": ";", "$Eb": `\`, "$Ev": "`",
	} {
		if got := mustRef(t, h, class).Get(c); got != value.MakeStr(want) {
			t.Errorf("%s = %+v, want %q", class, got, want)
		}
	}
	if got := expand(t, h, c, "a$Es$Ej"); got != "a ;" {
		t.Errorf("format with $Es and $Ej = %q", got)
	}
}

func TestContactAndToTagClasses(t *testing.T) {
	const head = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@example.com>;tag=f\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n"
	for _, tc := range []struct {
		name, hdrs    string
		cts, ctu, tts string
	}{
		{"addresses", "To: <sip:a@example.com>\r\nContact: \"A\" <sip:a@10.0.0.1:5070;transport=tcp>;expires=60, <sip:b@h>\r\n", "0", "sip:a@10.0.0.1:5070;transport=tcp", "0"},
		{"bare uri", "To: <sip:a@example.com>;tag=9\r\nContact: sip:a@10.0.0.1;expires=60\r\n", "0", "sip:a@10.0.0.1", "1"},
		{"star", "To: sip:a@example.com;tag=\r\nContact: *\r\n", "1", "<null>", "0"},
		{"first header counts", "To: <sip:a@example.com>;tag=x\r\nContact: <sip:a@h1>\r\nContact: <sip:b@h2>\r\n", "0", "sip:a@h1", "1"},
		{"no contact", "To: <sip:a@example.com>\r\n", "<null>", "<null>", "0"},
		{"a later contact fails", "To: <sip:a@example.com>\r\nContact: <sip:a@h1>\r\nContact: <s>\r\n", "<null>", "<null>", "0"},
		{"no to", "Contact: <sip:a@h1>\r\n", "0", "sip:a@h1", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newHost(t)
			c := h.Context()
			m, err := sipmsg.Parse(head + tc.hdrs + "\r\n")
			if err != nil {
				t.Fatal(err)
			}
			sipmsg.Set(c, m)
			for class, want := range map[string]string{"$cts": tc.cts, "$ctu": tc.ctu, "$tts": tc.tts} {
				got := mustRef(t, h, class).Get(c)
				if got.String() != want {
					t.Errorf("%s = %q, want %q", class, got.String(), want)
				}
				if want == "0" || want == "1" {
					if got.K != value.Int {
						t.Errorf("%s = %+v, want an integer", class, got)
					}
				}
			}
		})
	}
}

func TestShvinc(t *testing.T) {
	h, m := newHost(t)
	if err := m.SetParam("shvset", value.MakeStr("n=i:41")); err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	inc := mustRef(t, h, "$shvinc(n)")
	for _, want := range []int64{42, 43} {
		if got := inc.Get(c); got != value.MakeInt(want) {
			t.Errorf("$shvinc(n) = %+v, want %d", got, want)
		}
	}
	if got := mustRef(t, h, "$shv(n)").Get(c); got != value.MakeInt(43) {
		t.Errorf("$shv(n) after two $shvinc = %+v", got)
	}
	// An unset $shv reads 0, so counting starts at 1.
	if got := mustRef(t, h, "$shvinc(fresh)").Get(c); got != value.MakeInt(1) {
		t.Errorf("$shvinc(fresh) = %+v, want 1", got)
	}
	// A string is neither changed nor counted.
	h.MustSet(t, c, "$shv(s)", value.MakeStr("abc"))
	if got := mustRef(t, h, "$shvinc(s)").Get(c); got != value.MakeInt(0) {
		t.Errorf("$shvinc(s) = %+v, want 0", got)
	}
	if got := mustRef(t, h, "$shv(s)").Get(c); got != value.MakeStr("abc") {
		t.Errorf("$shv(s) = %+v after $shvinc", got)
	}
	if _, err := h.Ref("$shvinc"); err == nil {
		t.Error("$shvinc without a name accepted")
	}
}

// TestShvincShared: increments from many workers are not lost.
func TestShvincShared(t *testing.T) {
	h, _ := newHost(t)
	inc := mustRef(t, h, "$shvinc(total)")
	const workers, each = 8, 250
	var wg sync.WaitGroup
	seen := make([][]int64, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := h.Context()
			for range each {
				seen[w] = append(seen[w], inc.Get(c).I)
			}
		}()
	}
	wg.Wait()
	all := slices.Concat(seen...)
	slices.Sort(all)
	for i, n := range all {
		if n != int64(i+1) {
			t.Fatalf("the %dth increment read %d: values repeat or skip", i+1, n)
		}
	}
}

// TestRecv: $recv is $rcv under another name (Kamailio 6.1.1). Outside
// event_route[core:msg-received] every name reads null and assigning
// fails with Kamailio's error.
func TestRecv(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	for _, class := range []string{"rcv", "recv"} {
		for _, n := range []string{"buf", "srcip", "safe", "evtype", "bufat", "hexat"} {
			r := mustRef(t, h, "$"+class+"("+n+")")
			if got := r.Get(c); !got.IsNull() {
				t.Errorf("$%s(%s) = %+v, want null", class, n, got)
			}
			if err := r.Set(c, value.MakeStr("0:x")); err == nil {
				t.Errorf("$%s(%s) assignment succeeded", class, n)
			}
		}
		if _, err := h.Ref("$" + class + "(nope)"); err == nil {
			t.Errorf("$%s(nope) accepted", class)
		}
	}
	if got := h.Lines(); !slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "received info not set") }) {
		t.Errorf("no error line for the assignment: %q", got)
	}
}

// TestTVMonotonic: $TV(Sm) (Kamailio 5.7) is the monotonic clock in
// nanoseconds, as a string of digits that never goes back; null when the
// clock cannot be read.
func TestTVMonotonic(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	r := mustRef(t, h, "$TV(Sm)")
	var last uint64
	for i := 0; i < 100; i++ {
		v := r.Get(c)
		if v.K != value.Str {
			t.Fatalf("$TV(Sm) = %+v, want a string", v)
		}
		n, err := strconv.ParseUint(v.S, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != v.S {
			t.Fatalf("$TV(Sm) = %q, want a decimal number", v.S)
		}
		if n < last {
			t.Fatalf("$TV(Sm) went back: %d after %d", n, last)
		}
		last = n
	}

	defer func(f func() (uint64, bool)) { monoNow = f }(monoNow)
	for _, tc := range []struct {
		ns   uint64
		ok   bool
		want value.Value
	}{
		{0, true, value.MakeStr("0")},
		{1234567890123, true, value.MakeStr("1234567890123")},
		{18446744073709551615, true, value.MakeStr("18446744073709551615")},
		{7, false, value.NullValue},
	} {
		monoNow = func() (uint64, bool) { return tc.ns, tc.ok }
		if got := r.Get(c); got != tc.want {
			t.Errorf("$TV(Sm) with the clock at %d (ok %v) = %+v, want %+v", tc.ns, tc.ok, got, tc.want)
		}
	}
	if got := expand(t, h, c, "t=$TV(Sm)"); got != "t=<null>" {
		t.Errorf("$TV(Sm) in a format without a clock = %q", got)
	}
}
