package tm

import (
	"github.com/kamgo/kamgo/runtime/module"
)

// moreFuncs are the forms of tm's functions for requests kamgo sends
// itself (t_uac_send), serial forking (t_load_contacts, t_next_contacts,
// t_next_contact_flow) and handing a request to an application
// (t_write_req, t_write_unix).
func (m *Module) moreFuncs() []module.Func {
	f := func(name string, n int, compile func(h module.Host, args []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: compile}
	}
	plain := func(call module.Call) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) { return call, nil }
	}
	return []module.Func{
		f("t_uac_send", 6, m.compileUACSend),
		// One entry for both forms: the server keeps one Func per name.
		{Name: "t_load_contacts", MinArgs: 0, MaxArgs: 1, Compile: m.compileLoadContacts},
		f("t_next_contacts", 0, plain(m.nextContacts)),
		f("t_next_contact_flow", 0, plain(m.nextContactFlow)),
		f("t_write_req", 2, m.compileWrite(false)),
		f("t_write_unix", 2, m.compileWrite(true)),
	}
}
