package dialog

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/klog"
)

func TestDidParam(t *testing.T) {
	for _, tc := range []struct {
		entry, id uint32
		want      string
	}{
		{0, 0, "0.0"},
		{10, 1, "a.1"},
		{2560, 0x1234, "00a.4321"},
		{4095, 0xdeadbeef, "fff.feebdaed"},
	} {
		got := didParam(tc.entry, tc.id)
		if got != tc.want {
			t.Errorf("didParam(%d, %d) = %q, want %q", tc.entry, tc.id, got, tc.want)
		}
		e, i, ok := parseDid(got)
		if !ok || e != tc.entry || i != tc.id {
			t.Errorf("parseDid(%q) = %d, %d, %v", got, e, i, ok)
		}
	}
	for _, bad := range []string{"", "abc", "1.x", "g.1", "123456789.1"} {
		if _, _, ok := parseDid(bad); ok {
			t.Errorf("parseDid(%q) accepted", bad)
		}
	}
	if e, i, ok := parseDid("A.F"); !ok || e != 10 || i != 15 {
		t.Errorf("upper case: %d %d %v", e, i, ok)
	}
}

// TestNextState checks Kamailio's transitions, event by event.
func TestNextState(t *testing.T) {
	m := newModule()
	for _, tc := range []struct {
		from, ev, to int
		hasBye       bool
	}{
		{stateUnconfirmed, evRpl1xx, stateEarly, false},
		{stateEarly, evRpl1xx, stateEarly, false},
		{stateUnconfirmed, evRpl2xx, stateConfirmedNA, false},
		{stateEarly, evRpl2xx, stateConfirmedNA, false},
		{stateConfirmedNA, evRpl2xx, stateConfirmedNA, false},
		{stateConfirmed, evRpl2xx, stateConfirmed, false},
		{stateDeleted, evRpl2xx, stateConfirmedNA, false},
		{stateDeleted, evRpl2xx, stateDeleted, true},
		{stateUnconfirmed, evRpl3xx, stateDeleted, false},
		{stateEarly, evRpl3xx, stateDeleted, false},
		{stateConfirmed, evRpl3xx, stateConfirmed, false},
		{stateConfirmedNA, evReqACK, stateConfirmed, false},
		{stateConfirmed, evReqACK, stateConfirmed, false},
		{stateEarly, evReqACK, stateEarly, false},
		{stateConfirmedNA, evReqBYE, stateDeleted, false},
		{stateConfirmed, evReqBYE, stateDeleted, false},
		{stateEarly, evReqBYE, stateEarly, false},
		{stateUnconfirmed, evTDel, stateDeleted, false},
		{stateConfirmed, evTDel, stateConfirmed, false},
		{stateConfirmed, evReq, stateConfirmed, false},
		{stateEarly, evReqPRACK, stateEarly, false},
	} {
		d := &dlg{state: tc.from}
		if tc.hasBye {
			d.dflags |= dflagHasBye
		}
		old, now := m.nextState(d, tc.ev)
		if old != tc.from || now != tc.to {
			t.Errorf("state %d event %d: %d -> %d, want %d", tc.from, tc.ev, old, now, tc.to)
		}
	}
	d := &dlg{state: stateEarly}
	m.nextState(d, evReqPRACK)
	if d.iflags&iflagPRACK == 0 {
		t.Error("PRACK in early state does not set the PRACK flag")
	}
}

func TestMatch(t *testing.T) {
	d := &dlg{callID: "c", tag: [2]string{"f", "t"}}
	for _, tc := range []struct {
		cid, ftag, ttag string
		ok              bool
		dir             int
	}{
		{"c", "f", "t", true, dirDownstream},
		{"c", "t", "f", true, dirUpstream},
		{"c", "f", "x", false, dirNone},
		{"x", "f", "t", false, dirNone},
	} {
		ok, dir := match(d, tc.cid, tc.ftag, tc.ttag)
		if ok != tc.ok || dir != tc.dir {
			t.Errorf("match(%q,%q,%q) = %v,%d", tc.cid, tc.ftag, tc.ttag, ok, dir)
		}
	}
	early := &dlg{callID: "c", tag: [2]string{"f", ""}}
	if ok, dir := match(early, "c", "f", ""); !ok || dir != dirDownstream {
		t.Error("a dialog without callee tag does not match its spiral")
	}
}

func TestRoundHashSize(t *testing.T) {
	m := newModule()
	m.log = klog.New(nil, klog.Text)
	for n, want := range map[int64]int64{1: 1, 2: 2, 4096: 4096, 1 << 20: 1 << 20, 3: 1 << 29, 1000: 1 << 29} {
		if got := m.roundHashSize(n); got != want {
			t.Errorf("roundHashSize(%d) = %d, want %d", n, got, want)
		}
	}
}
