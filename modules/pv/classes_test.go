package pv

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The classes and cases here cannot be recorded on Kamailio's faked
// request or on received messages (spec/conformance/modules/pv):
// names the configuration parser does not accept yet, sockets the recorder
// does not control, and values that depend on the clock or the process.

// expand evaluates a format on c.
func expand(t *testing.T, h *pvtest.Host, c *event.Context, format string) string {
	t.Helper()
	f, err := h.CompileFormat(format, diag.Range{})
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return f.String(c)
}

// TestDottedNames checks that the long names Kamailio registers for some
// classes ($from.user ...) share the implementation of the short ones.
// lang/pvsyntax reads `$from.user` as a SER attribute, so they are
// compiled here from their parsed form.
func TestDottedNames(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	m, err := sipmsg.Parse("INVITE sip:bob@b.org SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n" +
		"From: <sip:alice@a.org>;tag=1\r\nTo: <sip:carol@c.org>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	sipmsg.Set(c, m)
	for long, short := range map[string]string{
		"from.user": "fU", "from.domain": "fd", "to.user": "tU", "to.domain": "td",
		"ruri.user": "rU", "ruri.domain": "rd", "from": "fu", "to": "tu", "ruri": "ru",
		"duri": "du", "ouri": "ou", "src_ip": "si", "proto": "pr",
	} {
		r, err := h.Table.Compile(&ast.PVar{Class: long, Text: "$" + long})
		if err != nil {
			t.Fatalf("$%s: %v", long, err)
		}
		if got, want := r.Get(c), mustRef(t, h, "$"+short).Get(c); got != want {
			t.Errorf("$%s = %v, $%s = %v", long, got, short, want)
		}
	}
	for _, n := range []string{"err.class", "err.level", "err.info", "err.rcode", "err.rreason"} {
		r, err := h.Table.Compile(&ast.PVar{Class: n, Text: "$" + n})
		if err != nil || !r.Get(c).IsNull() {
			t.Errorf("$%s: %v %v, want null", n, r, err)
		}
	}
	r, _ := h.Table.Compile(&ast.PVar{Class: "ruri.user", Text: "$ruri.user"})
	if err := r.Set(c, value.MakeStr("dave")); err != nil || m.RequestURI() != "sip:dave@b.org" {
		t.Errorf("$ruri.user = dave: %v, R-URI %s", err, m.RequestURI())
	}
}

// TestReceivedSocket reads the socket classes of a message that arrived on
// a named IPv6 socket with an advertised address.
func TestReceivedSocket(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	m := sipmsg.Faked()
	m.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoTCP, IP: "2001:db8::1", Port: 5070, Name: "lan", AdvIP: "198.51.100.1", AdvPort: 5080}
	m.Src = sipmsg.Addr{IP: "2001:db8::9", Port: 40000}
	m.Proto = "tcp"
	sipmsg.Set(c, m)
	for in, want := range map[string]string{
		"$Ri":                    "2001:db8::1",
		"$Rp":                    "5070",
		"$Rn":                    "lan",
		"$Ras":                   "tcp:[2001:db8::1]:5070",
		"$Ru":                    "sip:[2001:db8::1]:5070;transport=tcp",
		"$Rut":                   "sip:[2001:db8::1]:5070;transport=tcp",
		"$RAi":                   "198.51.100.1",
		"$RAp":                   "5080",
		"$RAu":                   "sip:198.51.100.1:5080;transport=tcp",
		"$RAut":                  "sip:198.51.100.1:5080;transport=tcp",
		"$af(id) $af(name)":      "10 IPv6",
		"$si $siz $sp":           "2001:db8::9 [2001:db8::9] 40000",
		"$su":                    "sip:[2001:db8::9]:40000;transport=tcp",
		"$sut":                   "sip:[2001:db8::9]:40000;transport=tcp",
		"$sas":                   "tcp:[2001:db8::9]:40000",
		"$pr $prid":              "tcp 2",
		"$via0(i)":               "<null>",
		"$conid $snd(ip) $fs":    "<null> <null> <null>",
		"$rcv(srcip) $sndto(af)": "<null> <null>",
	} {
		if got := expand(t, h, c, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	m.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "192.0.2.1", Port: 5060}
	if got := expand(t, h, c, "$Ru $Rut $RAu $RAi $RAp $af(name)"); got != "sip:192.0.2.1:5060 sip:192.0.2.1:5060;transport=udp sip:192.0.2.1:5060 192.0.2.1 5060 IPv4" {
		t.Errorf("UDP socket: %q", got)
	}
}

// TestViaI reads the i parameter of a Via ($via0(i)), which the catalog
// does not list.
func TestViaI(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	m, err := sipmsg.Parse("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;i=7f, SIP/2.0/UDP g\r\nCall-ID: x\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	sipmsg.Set(c, m)
	if got := expand(t, h, c, "$via0(i) $via1(i) $viaZ(host)"); got != "7f <null> g" {
		t.Errorf("got %q", got)
	}
}

// TestProcessClasses checks the classes whose values come from the process
// by shape: $mi numbers the messages, $pp is the process id, $Tb the start.
func TestProcessClasses(t *testing.T) {
	h, _ := newHost(t)
	c1, c2 := h.Context(), h.Context()
	mi1, _ := strconv.Atoi(expand(t, h, c1, "$mi"))
	mi2, _ := strconv.Atoi(expand(t, h, c2, "$mi"))
	if mi1 == 0 || mi2 <= mi1 {
		t.Errorf("$mi %d then %d", mi1, mi2)
	}
	if got := expand(t, h, c1, "$mi"); got != strconv.Itoa(mi1) {
		t.Errorf("$mi changed within an event: %s", got)
	}
	if got := expand(t, h, c1, "$pp"); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("$pp = %s", got)
	}
	if got := expand(t, h, c1, "$Tb"); got != strconv.FormatInt(startTime.Unix(), 10) {
		t.Errorf("$Tb = %s", got)
	}
}

// TestTimeClasses runs the time classes on a fixed clock.
func TestTimeClasses(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	at := time.Date(2026, 3, 8, 9, 5, 7, 42000, time.UTC).Local()
	now = func() time.Time { return at }
	h, _ := newHost(t)
	c := h.Context()
	utc := at.UTC()
	for in, want := range map[string]string{
		"$Ts $TV(s) $TV(u)": strconv.FormatInt(at.Unix(), 10) + " " + strconv.FormatInt(at.Unix(), 10) + " 42",
		"$Tf":               at.Format("Mon Jan _2 15:04:05 2006"),
		"$TV(Sn)":           strconv.FormatInt(at.Unix(), 10) + ".000042",
		"$TV(Fn)":           at.Format("2006-01-02 15:04:05") + ".000042",
		"$utime(year) $utime(mon) $utime(mday) $utime(hour) $utime(min) $utime(sec)": "2026 3 8 9 5 7",
		"$utime(wday) $utime(yday) $utime(isdst)":                                    "1 67 0",
		"$utimef(%Y-%m-%d %H:%M:%S)":                                                 utc.Format("2006-01-02 15:04:05"),
		"$time(year)-$time(mon)-$time(mday)":                                         strconv.Itoa(at.Year()) + "-" + strconv.Itoa(int(at.Month())) + "-" + strconv.Itoa(at.Day()),
		"$timef(%H)":                                                                 at.Format("15"),
	} {
		if got := expand(t, h, c, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	// $TV(un) is the microseconds of the last $TV(sn) of the worker.
	if got := expand(t, h, c, "$TV(un)"); got != "0" {
		t.Errorf("$TV(un) before $TV(sn) = %s", got)
	}
	if got := expand(t, h, c, "$TV(sn) $TV(un)"); got != strconv.FormatInt(at.Unix(), 10)+" 42" {
		t.Errorf("$TV(sn) $TV(un) = %s", got)
	}
	// The event's stamp stays; the clock classes move.
	later := at.Add(3 * time.Second)
	now = func() time.Time { return later }
	if got, want := expand(t, h, c, "$Ts $TS"), strconv.FormatInt(at.Unix(), 10)+" "+strconv.FormatInt(later.Unix(), 10); got != want {
		t.Errorf("$Ts $TS = %s, want %s", got, want)
	}
	if got := expand(t, h, c, "$(timef(%Y-%m-%d %H:%M:%S %Y-%m-%d %H:%M:%S %Y-%m-%d %H:%M:%S %Y){s.len})"); got != "" {
		t.Errorf("a $timef longer than 63 bytes = %q, want null", got)
	}
}

// coreHost answers core parameters.
type coreHost struct {
	*pvtest.Host
	core map[string]value.Value
}

func (h coreHost) CoreParam(name string) (value.Value, bool) {
	v, ok := h.core[name]
	return v, ok
}

// TestCoreParamClasses reads $sid and $ccp(core.x) from the configuration's
// core parameters; $ccp cannot be assigned in kamgo.
func TestCoreParamClasses(t *testing.T) {
	h, m := newHost(t)
	if got := expand(t, h, h.Context(), "[$sid] [$ccp(core.debug)]"); got != "[0] [<null>]" {
		t.Errorf("unprovisioned: %q", got)
	}
	if err := m.Provision(coreHost{h, map[string]value.Value{"server_id": value.MakeInt(7), "debug": value.MakeInt(3)}}); err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	if got := expand(t, h, c, "[$sid] [$ccp(core.debug)] [$ccp(tm.fr_timer)]"); got != "[7] [3] [<null>]" {
		t.Errorf("got %q", got)
	}
	r := mustRef(t, h, "$ccp(core.debug)")
	if err := r.Set(c, value.MakeInt(1)); err == nil {
		t.Error("$ccp assignment succeeded")
	}
	if err := r.Set(c, value.NullValue); err != nil {
		t.Errorf("$ccp = $null: %v (Kamailio ignores it)", err)
	}
	if _, err := h.Ref("$ccp(nodot)"); err == nil {
		t.Error("$ccp without a group accepted")
	}
}

// TestXavpPrint checks the shape of pv_xavp_print's log lines.
func TestXavpPrint(t *testing.T) {
	h, m := newHost(t)
	c := h.Context()
	_ = mustRef(t, h, "$xavp(r=>a)").Set(c, value.MakeInt(1))
	_ = mustRef(t, h, "$xavp(s)").Set(c, value.MakeStr("x"))
	call, err := h.Call(m, "pv_xavp_print")
	if err != nil {
		t.Fatal(err)
	}
	h.Lines()
	if rc := call(c); rc != 1 {
		t.Errorf("rc %d", rc)
	}
	got := strings.Join(h.Lines(), "\n")
	for _, want := range []string{
		"INFO: <core>: +++++ start XAVP list: 0x",
		"XAVP name: s", "XAVP value (str): x", "XAVP value type: 2",
		"XAVP name: r", "XAVP value type: 6", "XAVP value: <xavp:0x",
		"+++++ start XAVP list: 0x", "(level=1)", "XAVP value (int): 1",
		"XAVP id: " + strconv.FormatUint(uint64(corehash.Sum("r", "", 0)), 10),
		"----- end XAVP list:",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}
