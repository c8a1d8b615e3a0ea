package dialog

import (
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// cleanEvery is how often stale dialogs are looked for (Kamailio's
// dlg_clean_timer).
const cleanEvery = 90 * time.Second

// armClean runs clean every cleanEvery until Stop.
func (m *Module) armClean() {
	var round func()
	round = func() {
		if m.stopped.Load() {
			return
		}
		m.clean()
		m.mu.Lock()
		m.cleanStop = m.clock.AfterFunc(cleanEvery, round)
		m.mu.Unlock()
	}
	m.mu.Lock()
	m.cleanStop = m.clock.AfterFunc(cleanEvery, round)
	m.mu.Unlock()
}

// clean drops what should have gone already (Kamailio's dlg_clean_run):
// dialogs not answered after early_timeout seconds, deleted ones older
// than end_timeout; an answer not acknowledged after noack_timeout
// leaves the dialog 10 more seconds. Remote profile entries past their
// expiry go too.
func (m *Module) clean() {
	now := m.nowUnix()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.all() {
		if d.state <= stateEarly && d.initTS > 0 && d.initTS < now-m.cfg.earlyTimeout {
			m.log.Logf(klog.Notice, Name, "dialog in early state is too old (ref %d)", d.ref)
			m.unlink(d)
			continue
		}
		if d.state == stateConfirmedNA && d.startTS > 0 && d.startTS < now-m.cfg.noackTimeout {
			if d.timerStop != nil {
				m.armTimer(d, 10*time.Second)
			} else {
				m.log.Log(klog.Err, Name, "failed to update dialog lifetime in long non-ack state")
			}
			d.lifetime = 10
			d.dflags |= dflagChanged
		}
		if d.state == stateDeleted && d.endTS > 0 && d.endTS < now-m.cfg.endTimeout {
			m.log.Logf(klog.Notice, Name, "dialog in delete state is too old (ref %d)", d.ref)
			m.unlink(d)
		}
	}
	m.expireRemote(now)
}
