package corex

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// forwardUACFuncs are forward_uac() and forward_uac_uri(uri) (Kamailio
// 6.0, request_route): the request goes statelessly with kamgo's Via as
// its only one (runtime/sip ForwardUAC), to uri, or, when it is empty or
// not given, to $du, else the Request-URI. Useful to copy a request
// somewhere whose replies must not travel back to its sender. 1 when it
// was sent, else -1.
func forwardUACFuncs() []module.Func {
	return []module.Func{
		{Name: "forward_uac", Ext: "Kamailio 6.0", Routes: routetype.Request,
			Compile: plain(func(c *event.Context) int { return forwardUAC(c, "") })},
		{Name: "forward_uac_uri", MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 6.0", Routes: routetype.Request,
			Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				uri, err := args[0].Str(h)
				if err != nil {
					return nil, err
				}
				return func(c *event.Context) int { return forwardUAC(c, uri(c)) }, nil
			}},
	}
}

func forwardUAC(c *event.Context, uri string) int {
	m := sipmsg.FromContext(c)
	if uri == "" {
		uri = sip.NextHop(m)
	}
	d, err := sip.DestOf(uri)
	if err != nil {
		// Kamailio's core logs it (forward_uac_uri in forward.c).
		if c.Log != nil {
			c.Log.Log(klog.Err, "core", "forward_uac_uri(): forward - bad uri dropping packet")
		}
		return -1
	}
	t := sip.From(c)
	if t == nil {
		logf(c, klog.Err, "forward_uac: no SIP socket is open (the configuration has no listen=)")
		return -1
	}
	err = t.ForwardUAC(c, m, d)
	sip.NoteError(c, err)
	if err != nil {
		return -1
	}
	return 1
}
