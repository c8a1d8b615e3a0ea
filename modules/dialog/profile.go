package dialog

import (
	"fmt"
	"github.com/kamgo/kamgo/runtime/klog"
	"strings"
)

// profile is a dialog profile (profiles_no_value, profiles_with_value):
// a named set of dialogs, each with a value when the profile has values.
type profile struct {
	name     string
	hasValue bool
	links    []*link // guarded by the module's mu
}

// link puts one dialog (nil while pending) in one profile.
type link struct {
	p   *profile
	val string
	d   *dlg
	// a remote dialog (dlg_remote_profile) has no d, a uid and an
	// expiry time
	uid     string
	expires int64
}

// addProfiles reads a profiles parameter: names separated by ';', of
// letters, digits and '_'; empty names are skipped.
func (m *Module) addProfiles(list string, hasValue bool) error {
	if list == "" {
		return nil
	}
	for _, name := range strings.Split(list, ";") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				m.log.Logf(klog.Err, Name, "bad profile name <%s>, char %c - use only alphanumerical characters or '_'", name, c)
				return fmt.Errorf("bad profile name %q", name)
			}
		}
		if _, dup := m.profiles[name]; dup {
			m.log.Logf(klog.Err, Name, "duplicate dialog profile registered <%s>", name)
			return fmt.Errorf("duplicate profile %q", name)
		}
		p := &profile{name: name, hasValue: hasValue}
		m.profiles[name] = p
		m.profOrder = append(m.profOrder, p)
	}
	return nil
}

// attach links l to d: first in d's list, as Kamailio prepends. m.mu
// must be held.
func (m *Module) attach(l *link, d *dlg) {
	l.d = d
	d.links = append([]*link{l}, d.links...)
	d.dflags |= dflagChangedProf
	l.p.links = append(l.p.links, l)
}

// detach removes l from its profile. m.mu must be held.
func detach(l *link) {
	for i, x := range l.p.links {
		if x == l {
			l.p.links = append(l.p.links[:i], l.p.links[i+1:]...)
			return
		}
	}
}

// dropLinks takes d out of all its profiles. m.mu must be held.
func (m *Module) dropLinks(d *dlg) {
	for _, l := range d.links {
		detach(l)
	}
	d.links = nil
}

// size counts the dialogs in p, those with value val when p has values
// and val is given.
func (m *Module) size(p *profile, val string, withVal bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !p.hasValue || !withVal {
		return len(p.links)
	}
	n := 0
	for _, l := range p.links {
		if l.val == val {
			n++
		}
	}
	return n
}

// remoteAdd puts a dialog of another server in p until expires (a Unix
// time; 0 never), as dlg_remote_profile("add") does: each call adds one.
func (m *Module) remoteAdd(p *profile, val, uid string, expires int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := &link{p: p, uid: uid, expires: expires}
	if p.hasValue {
		l.val = val
	}
	p.links = append(p.links, l)
	return true
}

// remoteRemove takes one remote dialog with uid and value out of p.
func (m *Module) remoteRemove(p *profile, val, uid string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, l := range p.links {
		if l.d == nil && l.uid == uid && l.val == val {
			detach(l)
			return true
		}
	}
	return false
}

// expireRemote drops remote dialogs whose time is over. m.mu must be held.
func (m *Module) expireRemote(now int64) {
	for _, p := range m.profOrder {
		for _, l := range append([]*link(nil), p.links...) {
			if l.d == nil && l.expires > 0 && l.expires < now {
				detach(l)
			}
		}
	}
}
