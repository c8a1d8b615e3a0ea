package registrar

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) funcs() []module.Func {
	return []module.Func{
		{Name: "save", MinArgs: 1, MaxArgs: 3, Compile: m.compileSave},
		{Name: "lookup", MinArgs: 1, MaxArgs: 2, Compile: m.compileLookup(false)},
		{Name: "lookup_to_dset", MinArgs: 1, MaxArgs: 2, Compile: m.compileLookup(true)},
		{Name: "lookup_branches", MinArgs: 1, MaxArgs: 1, Compile: m.compileLookupBranches},
		{Name: "registered", MinArgs: 1, MaxArgs: 4, Compile: m.compileRegistered},
		{Name: "unregister", MinArgs: 2, MaxArgs: 3, Compile: m.compileUnregister},
		{Name: "add_sock_hdr", MinArgs: 1, MaxArgs: 1, Compile: m.compileAddSockHdr},
		{Name: "reg_fetch_contacts", MinArgs: 3, MaxArgs: 3, Compile: m.compileFetch},
		{Name: "reg_free_contacts", MinArgs: 1, MaxArgs: 1, Compile: m.compileFree},
		{Name: "reg_send_reply", Compile: m.compileSendReply},
	}
}

// table resolves a table argument at load, registering the table with
// usrloc (Kamailio's domain_fixup). Kamailio takes the text as written,
// so the name is the literal.
func (m *Module) table(h module.Host, a *module.Arg) (*usrloc.Domain, error) {
	if err := m.bindUsrloc(h); err != nil {
		return nil, err
	}
	name, ok := a.Literal()
	if !ok {
		switch e := a.Expr.(type) {
		case *ast.PVar:
			name = e.Text
		case *ast.IntLit:
			name = fmt.Sprint(e.Value)
		default:
			return nil, fmt.Errorf("the table name must be a string")
		}
	}
	return m.ul.Register(name), nil
}

// optURI compiles an optional URI argument: nil without one.
func optURI(h module.Host, args []*module.Arg, i int) (module.StrFunc, error) {
	if len(args) <= i {
		return nil, nil
	}
	return args[i].Str(h)
}

// uriArg evaluates an optional URI argument; ok is false (after
// Kamailio's error line) when it is given but empty.
func (m *Module) uriArg(c *event.Context, f module.StrFunc) (string, bool) {
	if f == nil {
		return "", true
	}
	u := f(c)
	if u == "" {
		m.log.Log(errLevel, Name, "invalid uri parameter")
		return "", false
	}
	return u, true
}

// compileSave compiles save(table[, flags[, uri]]). The flags are a
// number (decimal or 0x hex) fixed at load.
func (m *Module) compileSave(h module.Host, args []*module.Arg) (module.Call, error) {
	d, err := m.table(h, args[0])
	if err != nil {
		return nil, err
	}
	var flags int64
	if len(args) > 1 {
		text, ok := args[1].Literal()
		if n, isInt := args[1].IntLiteral(); isInt {
			text, ok = fmt.Sprint(n), true
		}
		if !ok {
			return nil, fmt.Errorf("bad flags: the flags of save() must be a number")
		}
		n, ok := strno2int(text)
		if !ok || n > saveAll {
			return nil, fmt.Errorf("bad flags <%s>", text)
		}
		flags = n
	}
	uri, err := optURI(h, args, 2)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		u, ok := m.uriArg(c, uri)
		if !ok {
			return -1
		}
		return m.save(c, d, flags, u)
	}, nil
}

// strno2int reads a decimal or 0x hexadecimal unsigned number.
func strno2int(s string) (int64, bool) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		var n int64
		for i := 2; i < len(s); i++ {
			v, ok := hexVal(s[i])
			if !ok || n > 0xfffffff {
				return 0, false
			}
			n = n<<4 | int64(v)
		}
		return n, true
	}
	return str2int(s)
}

func (m *Module) compileLookup(dset bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		d, err := m.table(h, args[0])
		if err != nil {
			return nil, err
		}
		uri, err := optURI(h, args, 1)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			u, ok := m.uriArg(c, uri)
			if !ok {
				return -1
			}
			return m.lookup(c, d, u, dset)
		}, nil
	}
}

func (m *Module) compileLookupBranches(h module.Host, args []*module.Arg) (module.Call, error) {
	d, err := m.table(h, args[0])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.lookupBranches(c, d) }, nil
}

// compileRegistered compiles registered(table[, uri[, match[, action]]]).
func (m *Module) compileRegistered(h module.Host, args []*module.Arg) (module.Call, error) {
	d, err := m.table(h, args[0])
	if err != nil {
		return nil, err
	}
	uri, err := optURI(h, args, 1)
	if err != nil {
		return nil, err
	}
	var flags, action module.IntFunc
	if len(args) > 2 {
		if flags, err = args[2].Int(h); err != nil {
			return nil, err
		}
	}
	if len(args) > 3 {
		if action, err = args[3].Int(h); err != nil {
			return nil, err
		}
	}
	return func(c *event.Context) int {
		u, ok := m.uriArg(c, uri)
		if !ok {
			return -1
		}
		var f, a int64
		if flags != nil {
			if f, ok = flags(c); !ok {
				m.log.Log(errLevel, Name, "invalid flags parameter")
				return -1
			}
		}
		if action != nil {
			if a, ok = action(c); !ok {
				m.log.Log(errLevel, Name, "invalid action flag parameter")
				return -1
			}
		}
		return m.registered(c, d, u, f, a)
	}, nil
}

// compileUnregister compiles unregister(table, uri[, ruid]).
func (m *Module) compileUnregister(h module.Host, args []*module.Arg) (module.Call, error) {
	d, err := m.table(h, args[0])
	if err != nil {
		return nil, err
	}
	fs, err := module.Strs(h, args[1:]...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		uri := fs[0](c)
		if len(fs) == 1 {
			if uri == "" {
				m.log.Log(errLevel, Name, "invalid uri parameter")
				return -1
			}
			return m.unregister(c, d, uri, "", false)
		}
		ruid := fs[1](c)
		if ruid == "" {
			m.log.Log(errLevel, Name, "invalid ruid parameter")
			return -1
		}
		return m.unregister(c, d, uri, ruid, true)
	}, nil
}

func (m *Module) compileAddSockHdr(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.addSockHdr(c, name(c)) }, nil
}

// compileFetch compiles reg_fetch_contacts(table, uri, profile); the
// profile name is fixed at load.
func (m *Module) compileFetch(h module.Host, args []*module.Arg) (module.Call, error) {
	d, err := m.table(h, args[0])
	if err != nil {
		return nil, err
	}
	uri, err := args[1].Str(h)
	if err != nil {
		return nil, err
	}
	name, ok := args[2].Literal()
	if !ok {
		return nil, fmt.Errorf("the profile of reg_fetch_contacts must be a string")
	}
	return func(c *event.Context) int {
		u := uri(c)
		if u == "" {
			m.log.Log(errLevel, Name, "invalid uri parameter")
			return -1
		}
		return m.fetchContacts(c, d, u, name)
	}, nil
}

func (m *Module) compileFree(_ module.Host, args []*module.Arg) (module.Call, error) {
	name, ok := args[0].Literal()
	if !ok {
		return nil, fmt.Errorf("the profile of reg_free_contacts must be a string")
	}
	return func(c *event.Context) int { return m.freeContacts(c, name) }, nil
}

// compileSendReply compiles reg_send_reply(): the reply save prepared
// (save with flag 0x02), 1 when sent.
func (m *Module) compileSendReply(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.regSendReply(c) }, nil
}

func (m *Module) regSendReply(c *event.Context) int {
	if m.sendReply(c, sipmsg.FromContext(c), m.st(c)) < 0 {
		return -1
	}
	return 1
}
