package registrar

import (
	"math/rand/v2"

	modpv "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// The XAVPs registrar reads and writes: xavp_cfg holds per-request
// settings (expires, q, max_contacts, socket, match_* for registered,
// rlf_bflags for lookup); xavp_rcd receives each binding save replies
// with or lookup and registered match (ruid, received, contact, expires,
// path, minus those xavp_rcd_mask leaves out).

// xavp_rcd_mask bits.
const (
	rcdRuid     = 1
	rcdContact  = 2
	rcdExpires  = 4
	rcdReceived = 8
	rcdPath     = 16
)

// xavpFields returns the fields of the newest root XAVP name.
func xavpFields(c *event.Context, name string) ([]modpv.XavpField, bool) {
	return modpv.XavpList(c, name)
}

// cfgField returns field name of the xavp_cfg XAVP.
func (m *Module) cfgField(c *event.Context, name string) (value.Value, bool) {
	x := m.strs["xavp_cfg"]
	if x == "" {
		return value.Value{}, false
	}
	fields, ok := modpv.XavpList(c, x)
	if !ok {
		return value.Value{}, false
	}
	for _, f := range fields {
		if f.Name == name && !f.List {
			return f.Value, true
		}
	}
	return value.Value{}, false
}

// cfgInt returns an integer field of the xavp_cfg XAVP (Kamailio's
// xavp_get_child_with_ival).
func (m *Module) cfgInt(c *event.Context, name string) (int64, bool) {
	v, ok := m.cfgField(c, name)
	if !ok || v.K != value.Int {
		return 0, false
	}
	return v.I, true
}

// cfgStr returns a string field of the xavp_cfg XAVP.
func (m *Module) cfgStr(c *event.Context, name string) (string, bool) {
	v, ok := m.cfgField(c, name)
	if !ok || v.K != value.Str {
		return "", false
	}
	return v.S, true
}

// xavpRcd adds the binding c to the xavp_rcd XAVP (Kamailio's
// xavp_rcd_helper). Kamailio adds the fields to the newest such XAVP when
// there is one; kamgo's pv API adds XAVPs only as a whole, so the fields
// of that XAVP are carried into a new one, in front of it.
func (m *Module) xavpRcd(ec *event.Context, c *usrloc.Contact) {
	name := m.strs["xavp_rcd"]
	if name == "" {
		return
	}
	mask := m.ints["xavp_rcd_mask"]
	var add []modpv.XavpField
	if mask&rcdRuid == 0 {
		add = append(add, modpv.XavpField{Name: "ruid", Value: value.MakeStr(c.Ruid)})
	}
	if mask&rcdReceived == 0 && c.Received != "" {
		add = append(add, modpv.XavpField{Name: "received", Value: value.MakeStr(c.Received)})
	}
	if mask&rcdContact == 0 {
		add = append(add, modpv.XavpField{Name: "contact", Value: value.MakeStr(c.URI)})
	}
	if mask&rcdExpires == 0 {
		add = append(add, modpv.XavpField{Name: "expires", Value: value.MakeInt(int64(int32(c.Expires - m.ul.Now())))})
	}
	if mask&rcdPath == 0 && c.Path != "" {
		add = append(add, modpv.XavpField{Name: "path", Value: value.MakeStr(c.Path)})
	}
	// AddXavpList puts each field in front of the ones before it; the
	// old fields go first so that the new ones end up in front, as
	// xavp_add_value adds them.
	if old, ok := modpv.XavpList(ec, name); ok {
		rev := make([]modpv.XavpField, 0, len(old)+len(add))
		for i := len(old) - 1; i >= 0; i-- {
			rev = append(rev, old[i])
		}
		add = append(rev, add...)
	}
	modpv.AddXavpList(ec, name, add)
}

// restoreXavp adds the fields usrloc stored with a contact
// (xavp_contact) back as that XAVP, for the contact lookup or registered
// picked.
func (m *Module) restoreXavp(ec *event.Context, c *usrloc.Contact) {
	name := m.ul.XavpContact()
	if name == "" || len(c.Xavp) == 0 {
		return
	}
	rev := make([]modpv.XavpField, 0, len(c.Xavp))
	for i := len(c.Xavp) - 1; i >= 0; i-- {
		rev = append(rev, c.Xavp[i])
	}
	modpv.AddXavpList(ec, name, rev)
}

// randomize varies an expiry by up to rng percent downwards (Kamailio's
// randomize_expires).
func randomize(e, rng int64) int64 {
	if rng == 0 {
		return e
	}
	lo := e - int64(float32(rng)/100*float32(e))
	return lo + int64(float32(rand.IntN(100))/100*float32(e-lo))
}

// contactQ is a contact's q (Kamailio's calc_contact_q): the xavp_cfg "q"
// field, else its q parameter, else default_q.
func (m *Module) contactQ(c *event.Context, ct *contact) (int, bool) {
	if v, ok := m.cfgInt(c, "q"); ok {
		if v >= 0 && v <= 1000 {
			return int(v), true
		}
		m.log.Log(errLevel, Name, "calc_contact_q(): invalid q parameter")
		return 0, false
	}
	if ct.q == nil || ct.q.value == "" {
		return int(m.live("default_q")), true
	}
	q, ok := parseQ(ct.q.value)
	if !ok {
		m.log.Log(errLevel, Name, "calc_contact_q(): invalid q parameter")
		return 0, false
	}
	return q, true
}
