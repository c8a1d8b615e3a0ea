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

// TestViaParamsAndOverloadControl: $via0, $via1 and $viaZ's params and
// overload-control attributes (Kamailio 5.8, RFC 7339), as pv_core.c's
// via attributes and the core's overload-control parser give them: oc a
// signed integer (0 absent, 1 without a value, 2 with one), oc-validity
// and oc-seq unsigned integers (0 when absent), the others strings or
// null.
func TestViaParamsAndOverloadControl(t *testing.T) {
	const msg = "OPTIONS sip:bob@b.org SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1;oc=20;oc-algo=\"loss,A\";OC-Validity=+500;oc-seq=1282321615.782\r\n" +
		"Via: SIP/2.0/TCP 10.0.0.2:5070 ;oc ; rport=4000;received=10.0.0.9\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.4\r\n" +
		"Call-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"
	const (
		empty    = "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h1\r\nVia: SIP/2.0/UDP h2;oc=;oc-algo=;oc-validity=;oc-seq=\r\nCall-ID: x\r\n\r\n"
		big      = "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=0;oc-validity=4294967296;oc-seq=99999999999999999999999\r\nCall-ID: x\r\n\r\n"
		repeated = "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=5;oc;oc-algo=x;oc-algo;oc-validity=7;oc-validity=12ab;oc-seq=3;oc-seq=-4\r\nCall-ID: x\r\n\r\n"
		quoted   = "OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=\"a;b\";oc-validity=\"30\"\r\nVia: SIP/2.0/UDP h;oc=\"\"\r\nCall-ID: x\r\n\r\n"
	)
	uint := func(n int64) value.Value { return value.MakeInt(n) }
	str := value.MakeStr
	null := value.NullValue
	for _, tc := range []struct {
		msg  string
		in   string
		want value.Value
	}{
		{msg, "$via0(params)", str("branch=z9hG4bK1;oc=20;oc-algo=\"loss,A\";OC-Validity=+500;oc-seq=1282321615.782")},
		{msg, "$via0(oc)", value.MakeInt(2)},
		{msg, "$via0(oc-val)", str("20")},
		{msg, "$via0(ocval)", str("20")},
		{msg, "$via0(oc-algo)", str("loss,A")},
		{msg, "$via0(ocalgo)", str("loss,A")},
		{msg, "$via0(oc-validity)", uint(500)},
		{msg, "$via0(ocvalidity)", uint(500)},
		{msg, "$via0(oc-seq)", uint(1282321615)},
		{msg, "$via0(ocseq)", uint(1282321615)},
		{msg, "$via0(branch)", str("z9hG4bK1")},

		{msg, "$via1(params)", str("oc ; rport=4000;received=10.0.0.9")},
		{msg, "$via1(oc)", value.MakeInt(1)},
		{msg, "$via1(oc-val)", null},
		{msg, "$via1(oc-algo)", null},
		{msg, "$via1(oc-validity)", uint(0)},
		{msg, "$via1(oc-seq)", uint(0)},
		{msg, "$via1(rport)", str("4000")},

		// A via-parm without parameters: params null, oc 0.
		{msg, "$viaZ(params)", null},
		{msg, "$viaZ(oc)", value.MakeInt(0)},
		{msg, "$viaZ(oc-val)", null},
		{msg, "$viaZ(oc-algo)", null},
		{msg, "$viaZ(oc-validity)", uint(0)},
		{msg, "$viaZ(oc-seq)", uint(0)},

		// Empty values: oc reads 1, the others as if absent; numbers
		// beyond 32 bits stop at the largest one (spec/deviations.md).
		{empty, "$viaZ(oc)", value.MakeInt(1)},
		{empty, "$viaZ(oc-val)", null},
		{empty, "$viaZ(oc-algo)", null},
		{empty, "$viaZ(oc-validity)", uint(0)},
		{empty, "$viaZ(oc-seq)", uint(0)},
		{big, "$via0(oc-validity)", uint(4294967295)},
		{big, "$via0(oc-seq)", uint(4294967295)},
		{big, "$via0(oc)", value.MakeInt(2)},
		{big, "$via0(oc-val)", str("0")},

		// Repeated parameters: the last one with a value counts; an empty
		// oc keeps the earlier value. A value that is not a number reads
		// its leading digits.
		{repeated, "$via0(oc)", value.MakeInt(1)},
		{repeated, "$via0(oc-val)", str("5")},
		{repeated, "$via0(oc-algo)", str("x")},
		{repeated, "$via0(oc-validity)", uint(12)},
		{repeated, "$via0(oc-seq)", uint(0)},
		// A quoted value keeps its semicolons; an empty quoted oc is 1.
		{quoted, "$via0(oc-val)", str("a;b")},
		{quoted, "$via0(oc-validity)", uint(30)},
		{quoted, "$via1(oc)", value.MakeInt(1)},
		{quoted, "$via1(oc-val)", null},

		// Without the via-parm, every attribute is null.
		{"OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=1\r\nCall-ID: x\r\n\r\n", "$via1(oc)", null},
		{"OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=1\r\nCall-ID: x\r\n\r\n", "$via1(params)", null},
		{"OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=1\r\nCall-ID: x\r\n\r\n", "$via1(oc-seq)", null},
		{"OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;oc=1\r\nCall-ID: x\r\n\r\n", "$viaZ(oc-val)", str("1")},
	} {
		h, _ := newHost(t)
		c := h.Context()
		m, err := sipmsg.Parse(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		sipmsg.Set(c, m)
		if got := mustRef(t, h, tc.in).Get(c); got != tc.want {
			t.Errorf("%s = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestKShortFamilyNames: $K(IP4) and $K(IP6) (Kamailio 6.0) are the
// address family numbers, as $K(IPv4) and $K(IPv6).
func TestKShortFamilyNames(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	for in, want := range map[string]value.Value{
		"$K(IP4)": value.MakeInt(2), "$K(IPv4)": value.MakeInt(2), "$K(INET)": value.MakeInt(2),
		"$K(IP6)": value.MakeInt(10), "$K(IPv6)": value.MakeInt(10), "$K(INET6)": value.MakeInt(10),
	} {
		if got := mustRef(t, h, in).Get(c); got != want {
			t.Errorf("%s = %+v, want %+v", in, got, want)
		}
	}
}
