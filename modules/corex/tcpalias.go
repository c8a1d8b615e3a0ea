package corex

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// tcpAliasFunc is add_tcp_alias(port) (Kamailio 6.1): the TCP connection
// the message came over also becomes the connection to its source
// address at port, a number or a variable holding one (the top Via's
// port, else 5060, when it is 0 or less), so that requests and replies
// to that address reuse it. -1 for a message that did not come over a
// connection, or when the alias cannot be added (logged). The core's
// add_tcp_alias(number) is another function: a bare number goes there.
func tcpAliasFunc() module.Func {
	return module.Func{Name: "add_tcp_alias", MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 6.1", Routes: routetype.Any,
		Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
			port, err := args[0].Int(h)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int {
				n, ok := port(c)
				if !ok {
					logf(c, klog.Err, "w_add_tcp_alias(): no port value")
					return -1
				}
				return addTCPAlias(c, n)
			}, nil
		}}
}

func addTCPAlias(c *event.Context, port int64) int {
	m := sipmsg.FromContext(c)
	t := sip.From(c)
	if m == nil || m.ConnID == 0 || t == nil {
		return -1
	}
	if port < 0 {
		port = 0
	}
	if port > 65535 || !t.AddTCPAlias(m, int(port)) {
		logf(c, klog.Err, "ki_add_tcp_alias(): adding tcp alias failed")
		return -1
	}
	return 1
}
