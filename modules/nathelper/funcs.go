package nathelper

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	f := func(name string, n int, compile func(module.Host, []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: compile}
	}
	return module.Exports{
		Params: params,
		Funcs: []module.Func{
			f("fix_nated_contact", 0, compile0(m.fixNatedContact)),
			{Name: "add_contact_alias", Arities: []int{0, 3}, Compile: m.compileAddContactAlias},
			{Name: "set_contact_alias", MinArgs: 0, MaxArgs: 1, Compile: m.compileSetContactAlias},
			{Name: "handle_ruri_alias", MinArgs: 0, MaxArgs: 1, Compile: compileOptInt("handle_ruri_alias_mode_f", "failed to get the value for mode parameter", m.handleRURIAlias)},
			{Name: "fix_nated_sdp", MinArgs: 1, MaxArgs: 2, Compile: m.compileFixNatedSDP},
			f("nat_uac_test", 1, compileOptInt("nat_uac_test_f", "failed to get the value for flags parameter", m.natUACTest)),
			f("fix_nated_register", 0, m.compileFixNatedRegister),
			{Name: "add_rcv_param", MinArgs: 0, MaxArgs: 1, Compile: compileOptInt("add_rcv_param_f", "failed to get flags parameter",
				func(c *event.Context, msg *sipmsg.Msg, n int64) int { return m.addRcvParam(c, msg, n != 0) })},
			f("is_rfc1918", 1, m.compileIsRFC1918),
			f("set_alias_to_pv", 1, m.compileSetAliasToPV),
		},
		Classes: m.classes(),
	}
}

// compile0 compiles a function without arguments.
func compile0(run func(c *event.Context, msg *sipmsg.Msg) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) {
		return func(c *event.Context) int { return run(c, sipmsg.FromContext(c)) }, nil
	}
}

// compileOptInt compiles a function with an optional argument that is a
// number or a pseudo-variable holding one (fixup_igp_null); without it
// the number is 0.
func compileOptInt(fn, fail string, run func(c *event.Context, msg *sipmsg.Msg, n int64) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		if len(args) == 0 {
			return func(c *event.Context) int { return run(c, sipmsg.FromContext(c), 0) }, nil
		}
		n, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			v, ok := n(c)
			if !ok {
				logf(c, klog.Err, "%s(): %s", fn, fail)
				return -1
			}
			return run(c, sipmsg.FromContext(c), v)
		}, nil
	}
}

func (m *Module) compileAddContactAlias(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return compile0(func(c *event.Context, msg *sipmsg.Msg) int { return m.addContactAlias(c, msg, nil) })(h, args)
	}
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.addContactAlias(c, sipmsg.FromContext(c), &aliasAddr{ip: fs[0](c), port: fs[1](c), proto: fs[2](c)})
	}, nil
}

func (m *Module) compileSetContactAlias(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return compile0(func(c *event.Context, msg *sipmsg.Msg) int { return m.setContactAlias(c, msg, false) })(h, args)
	}
	n, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		v, ok := n(c)
		if !ok {
			return -1
		}
		return m.setContactAlias(c, sipmsg.FromContext(c), v > 0)
	}, nil
}

func (m *Module) compileFixNatedSDP(h module.Host, args []*module.Arg) (module.Call, error) {
	level, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	var ip module.StrFunc
	if len(args) > 1 {
		if ip, err = args[1].Str(h); err != nil {
			return nil, err
		}
	}
	return func(c *event.Context) int {
		l, ok := level(c)
		if !ok {
			logf(c, klog.Err, "fix_nated_sdp_f(): failed to get value for first parameter")
			return -1
		}
		addr := ""
		if ip != nil {
			addr = ip(c)
		}
		return m.fixNatedSDP(c, sipmsg.FromContext(c), l, addr)
	}, nil
}

// compileFixNatedRegister refuses the call at load when there is no
// received_avp to store the address in, as Kamailio's fixup does.
func (m *Module) compileFixNatedRegister(h module.Host, args []*module.Arg) (module.Call, error) {
	if m.strs["received_avp"] == "" {
		h.Log().Log(klog.Err, Name, "fixup_fix_nated_register(): you must set 'received_avp' parameter. Must be same value as parameter 'received_avp' of registrar module")
		return nil, fmt.Errorf("fix_nated_register needs the received_avp parameter")
	}
	return compile0(m.fixNatedRegister)(h, args)
}

func (m *Module) compileIsRFC1918(h module.Host, args []*module.Arg) (module.Call, error) {
	s, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.isRFC1918(c, s(c)) }, nil
}

// compileSetAliasToPV takes its argument as written: the name of the
// pseudo-variable the decoded alias URI is written to.
func (m *Module) compileSetAliasToPV(h module.Host, args []*module.Arg) (module.Call, error) {
	var name module.StrFunc
	if lit, ok := args[0].Literal(); ok {
		name = func(*event.Context) string { return lit }
	} else {
		f, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		name = f
	}
	var cache module.KEMICache
	return func(c *event.Context) int {
		return m.setAliasToPV(c, sipmsg.FromContext(c), h, &cache, name(c))
	}, nil
}

// setAliasToPV is set_alias_to_pv(pv): the alias parameter of the only
// contact is decoded into a URI written to pv.
func (m *Module) setAliasToPV(c *event.Context, msg *sipmsg.Msg, h module.Host, cache *module.KEMICache, pvname string) int {
	hdr := firstContactHeader(msg)
	if hdr == nil {
		return -1
	}
	cs := splitContacts(hdr)
	if hdr.At < 0 || len(cs) != 1 || cs[0].uri == "" || strings.TrimSpace(hdr.Value) == "*" {
		logf(c, klog.Err, "ki_set_alias_to_pv(): Couldn't parse Contact Header")
		return -1
	}
	uri, ok := m.aliasURI(c, msg.Buf[cs[0].start:cs[0].end])
	if !ok {
		return -1
	}
	ref, err := cache.PV(h, pvname)
	if err != nil {
		logf(c, klog.Err, "nh_write_to_pv(): Failed to malloc destination pseudo-variable ")
		return -1
	}
	if !ref.Writable() {
		logf(c, klog.Err, "nh_write_to_pv(): Destination pseudo-variable is not writable: [%s] ", pvname)
		return -1
	}
	_ = ref.Set(c, value.MakeStr(uri))
	return 1
}

func valueStr(s string) value.Value { return value.MakeStr(s) }
