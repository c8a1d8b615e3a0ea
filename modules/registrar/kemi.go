package registrar

import (
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.registrar.*, as Kamailio's
// registrar exports them. Tables are looked up by name: a table no
// function of the configuration named is an error, as in Kamailio.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	rc := module.KEMIRC
	withTable := func(c *event.Context, name string, f func(d *usrloc.Domain) int) module.KEMIValue {
		d, ok := m.ul.Domain(name)
		if !ok {
			m.log.Logf(errLevel, Name, "usrloc domain [%s] not found", name)
			return rc(-1)
		}
		return rc(f(d))
	}
	fn := func(name string, params []module.KEMIType, call func(c *event.Context, a []value.Value) module.KEMIValue) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue { return call(c, a) }}
	}
	return []module.KEMIFunc{
		fn("save", []module.KEMIType{s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.save(c, d, a[1].I, "") })
		}),
		fn("save_uri", []module.KEMIType{s, i, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.save(c, d, a[1].I, a[2].S) })
		}),
		fn("lookup", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.lookup(c, d, "", false) })
		}),
		fn("lookup_uri", []module.KEMIType{s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.lookup(c, d, a[1].S, false) })
		}),
		fn("lookup_to_dset", []module.KEMIType{s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.lookup(c, d, a[1].S, true) })
		}),
		fn("lookup_branches", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.lookupBranches(c, d) })
		}),
		fn("registered", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.registered(c, d, "", 0, 0) })
		}),
		fn("registered_uri", []module.KEMIType{s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.registered(c, d, a[1].S, 0, 0) })
		}),
		fn("registered_flags", []module.KEMIType{s, s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.registered(c, d, a[1].S, a[2].I, 0) })
		}),
		fn("registered_action", []module.KEMIType{s, s, i, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.registered(c, d, a[1].S, a[2].I, a[3].I) })
		}),
		fn("set_q_override", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setQOverride(c, a[0].S))
		}),
		fn("add_sock_hdr", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.addSockHdr(c, a[0].S))
		}),
		fn("unregister", []module.KEMIType{s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			if a[1].S == "" {
				m.log.Log(errLevel, Name, "invalid uri parameter")
				return rc(-1)
			}
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.unregister(c, d, a[1].S, "", false) })
		}),
		fn("unregister_ruid", []module.KEMIType{s, s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			if a[1].S == "" {
				m.log.Log(errLevel, Name, "invalid uri parameter")
				return rc(-1)
			}
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.unregister(c, d, a[1].S, a[2].S, true) })
		}),
		fn("reg_fetch_contacts", []module.KEMIType{s, s, s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return withTable(c, a[0].S, func(d *usrloc.Domain) int { return m.fetchContacts(c, d, a[1].S, a[2].S) })
		}),
		fn("reg_free_contacts", []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.freeContacts(c, a[0].S))
		}),
		fn("reg_send_reply", nil, func(c *event.Context, _ []value.Value) module.KEMIValue {
			return rc(m.regSendReply(c))
		}),
	}
}

// setQOverride is KSR.registrar.set_q_override(q): the q the contacts of
// the current request are saved with, whatever they say.
func (m *Module) setQOverride(c *event.Context, q string) int {
	n, ok := parseQ(q)
	if !ok || n < 0 || n > 1000 {
		m.log.Log(errLevel, Name, "set_q_override(): Invalid q value")
		return -1
	}
	st := m.st(c)
	st.qMsg, st.qVal, st.qSet = sipmsg.FromContext(c).ID, n, true
	return 1
}

var _ module.KEMIExporter = (*Module)(nil)
