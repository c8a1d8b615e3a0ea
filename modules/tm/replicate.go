package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// t_replicate and its forms send a copy of the request statefully, as
// t_relay does, but the transaction is local: its replies are not relayed
// upstream (Kamailio's T_IS_LOCAL_FLAG); the script goes on to answer or
// relay the request itself.

// compileReplicateURI compiles t_replicate([uri]): to the URI given (a
// format string), else to the request's next hop.
func (m *Module) compileReplicateURI(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return func(c *event.Context) int { return m.relay(c, relayOpts{replicate: true}) }, nil
	}
	uri, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.replicateURI(c, uri(c)) }, nil
}

// compileReplicate compiles t_replicate(host, port) and its _udp, _tcp,
// _tls and _sctp forms.
func (m *Module) compileReplicate(proto int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		o, err := hostPortArgs(args[0], args[1])
		if err != nil {
			return nil, err
		}
		o.proto, o.replicate = proto, true
		return func(c *event.Context) int { return m.relay(c, o) }, nil
	}
}

// compileReplicateTo compiles t_replicate_to(proto, "host:port").
func (m *Module) compileReplicateTo(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		o, ok := m.protoAddr(strs[0](c), strs[1](c))
		if !ok {
			return -1
		}
		o.replicate = true
		return m.relay(c, o)
	}, nil
}
