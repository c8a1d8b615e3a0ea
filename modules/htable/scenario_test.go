package htable_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
)

// scenarioRoutes exercise the functions and pseudo-variables in
// event_route[htable:mod-init], where both servers run them once at start
// and log what they see. Values that depend on the time are tested in
// the script (a range), or normalized (absolute times in sht_print).
// sht_setxi comes last: it returns 0 in 5.6.3, which ends the route.
const scenarioRoutes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "htable.so"
modparam("htable", "htable", "a=>size=2")
modparam("htable", "htable", "e=>size=3;autoexpire=100")
modparam("htable", "htable", "n=>initval=5;size=1")
modparam("htable", "htable", "x=>size=1;autoexpire=1")
modparam("htable", "timer_interval", 1)
event_route[htable:expired:x] {
	xlog("L_INFO", "expired $shtrecord(key)=$shtrecord(value) cn=$shtcn(x=>**)\n");
}
event_route[htable:mod-init] {
	$sht(x=>a) = "va";
	$sht(x=>b) = 2;
	$sht(a=>one) = "v-one";
	$sht(a=>two) = 2;
	$sht(a=>Three) = "v-three";
	$sht(a=>four) = 4;
	$sht(a=>five) = "v-five";
	xlog("L_INFO", "get one=$sht(a=>one) two=$sht(a=>two) none=$sht(a=>none) n=$sht(n=>x) t=$sht(nosuch=>x)\n");
	xlog("L_INFO", "cn all=$shtcn(a=>**) re=$shtcn(a=>~~^t) plain=$shtcn(a=>O) pre=$shtcn(a=>%~f) suf=$shtcn(a=>~%e) eq=$shtcn(a=>==two) eqn=$shtcn(a=>eq2) short=$shtcn(a=>==)\n");
	xlog("L_INFO", "cv eq=$shtcv(a=>eq2) str=$shtcv(a=>==v-one) re=$shtcv(a=>~~^V) all=$shtcv(a=>**)\n");
	xlog("L_INFO", "inc $shtinc(a=>two) $shtdec(a=>two) $shtinc(a=>one) $shtinc(a=>none) $shtinc(n=>y) $shtdec(n=>y) $shtinc(n=>y)\n");
	$sht(a=>big) = 2147483647;
	xlog("L_INFO", "wrap $shtinc(a=>big)\n");
	$sht(a=>big) = $null;
	$sht(a=>port) = $sp;
	$var(p) = $sp;
	$sht(a=>vport) = $var(p);
	xlog("L_INFO", "typed port=$shtinc(a=>port) vport=$shtinc(a=>vport)\n");
	$sht(a=>port) = $null;
	$sht(a=>vport) = $null;
	xlog("L_INFO", "ex none=$shtex(e=>x) noexp=$shtex(a=>one)\n");
	$sht(e=>x) = 1;
	if ($shtex(e=>x) >= 99 && $shtex(e=>x) <= 100) {
		xlog("L_INFO", "ex new ok\n");
	}
	$shtex(e=>x) = 50;
	if ($shtex(e=>x) >= 49 && $shtex(e=>x) <= 50) {
		xlog("L_INFO", "ex set ok\n");
	}
	$shtex(a=>one) = 50;
	xlog("L_INFO", "ex ignored=$shtex(a=>one)\n");
	sht_setxs("e", "s", "ab", 20);
	if ($shtex(e=>s) >= 19 && $shtex(e=>s) <= 20) {
		xlog("L_INFO", "setxs new ok\n");
	}
	sht_setxs("e", "s", "abcdef", 20);
	if ($shtex(e=>s) > 100000) {
		xlog("L_INFO", "setxs replaced: never expires\n");
	}
	sht_match_name("a", "eq", "two");
	xlog("L_INFO", "match eq $rc\n");
	sht_match_name("a", "sw", "x");
	xlog("L_INFO", "match sw $rc\n");
	sht_has_name("a", "ne", "two");
	xlog("L_INFO", "match ne $rc\n");
	sht_has_str_value("a", "re", "^V-T");
	xlog("L_INFO", "match value re $rc\n");
	sht_match_str_value("a", "eq", "2");
	xlog("L_INFO", "match value int $rc\n");
	sht_match_name("a", "xx", "two");
	xlog("L_INFO", "match xx $rc\n");
	sht_rm_name("a", "sw", "f");
	xlog("L_INFO", "rm sw $rc left=$shtcn(a=>**)\n");
	sht_rm_value_re("a=>^v-o");
	xlog("L_INFO", "rm value re $rc left=$shtcn(a=>**)\n");
	sht_rm_name("a", "eq", "two");
	xlog("L_INFO", "rm eq $rc\n");
	sht_rm_name_re("nosuch=>.");
	xlog("L_INFO", "rm re nosuch $rc\n");
	sht_rm("nosuch", "x");
	xlog("L_INFO", "rm nosuch $rc\n");
	$sht(a=>k1) = "x1";
	$sht(a=>k2) = 22;
	$sht(a=>k3) = "x3";
	sht_iterator_start("i", "a");
	$var(n) = 0;
	while (sht_iterator_next("i") && $var(n) < 20) {
		xlog("L_INFO", "it $shtitkey(i)=$shtitval(i)\n");
		if ($shtitkey(i) == "k2") {
			sht_iterator_sets("i", "changed");
		}
		$var(n) = $var(n) + 1;
	}
	sht_iterator_end("i");
	xlog("L_INFO", "after it k2=$sht(a=>k2) itkey=$shtitkey(i)\n");
	sht_iterator_start("j", "a");
	sht_iterator_next("j");
	sht_iterator_rm("j");
	xlog("L_INFO", "it rm $rc left=$shtcn(a=>**)\n");
	sht_iterator_end("j");
	sht_iterator_next("zz");
	xlog("L_INFO", "it none $rc\n");
	sht_lock("a=>k1");
	$sht(a=>k1) = "locked";
	sht_unlock("a=>k1");
	xlog("L_INFO", "lock k1=$sht(a=>k1)\n");
	sht_print();
	sht_reset("a");
	xlog("L_INFO", "reset $rc left=$shtcn(a=>**)\n");
	sht_setxi("e", "i", 7, 10);
	xlog("L_INFO", "not reached\n");
}
request_route {
	drop;
}
`

// scenarioGolden is Kamailio 5.6.3's log of the scenario, recorded by
// the kamailio-tagged test.
const scenarioGolden = "testdata/scenario.txt"

var (
	reAbsTime = regexp.MustCompile(`expire: \d{9,}`)
	reNever   = regexp.MustCompile(`expire: 0$`)
)

// scenarioLog keeps the lines of the script and of htable, as "LEVEL:
// origin: text", with absolute times in sht_print's lines replaced.
func scenarioLog(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		level, rest, ok := strings.Cut(l, ": ")
		if !ok {
			continue
		}
		origin, text, ok := strings.Cut(rest, ": ")
		if !ok {
			continue
		}
		origin = strings.Trim(origin, "<>")
		if origin != "script" && origin != "htable" {
			continue
		}
		text = reAbsTime.ReplaceAllString(text, "expire: <time>")
		text = reNever.ReplaceAllString(text, "expire: 0")
		b.WriteString(level + ": " + origin + ": " + text + "\n")
	}
	return b.String()
}

// TestScenario runs the scenario in kamgo, then lets the items of x
// expire (the timer runs every second, the items expire after one), and
// compares its log with Kamailio's.
func TestScenario(t *testing.T) {
	clock := fakeclock.New()
	ll, err := start(t, scenarioRoutes, clock)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Second)
	got := scenarioLog(ll.Lines())
	siptest.Golden(t, scenarioGolden, "kamgo", got, false)
}
