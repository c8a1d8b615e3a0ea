package jsonrpcs

import (
	"context"
	"errors"

	"github.com/kamgo/kamgo/modules/xhttp"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// errXHTTP is the start error when HTTP is asked for without xhttp.
var errXHTTP = errors.New(Name + ": cannot bind to XHTTP API: the transport parameter asks for HTTP and xhttp is not loaded")

// contentType is the Content-Type of the HTTP transport's replies.
const contentType = "application/json"

// bindHTTP finds xhttp, as Kamailio's mod_init binds its API: required
// when the transport parameter asks for HTTP, optional with transport 0.
func (m *Module) bindHTTP(h module.Host) error {
	want, required := m.wants(transHTTP)
	if !want {
		return nil
	}
	if mod, ok := h.Module(xhttp.Name); ok {
		m.xh, _ = mod.(*xhttp.Module)
	}
	if m.xh == nil && required {
		m.log.Log(klog.Err, Name, "mod_init(): cannot bind to XHTTP API")
		return errXHTTP
	}
	return nil
}

// dispatch is jsonrpc_dispatch(): the HTTP request of
// event_route[xhttp:request] is a JSON-RPC request; its response goes back
// as the HTTP reply, with the response's status as the HTTP status. A
// message that is not HTTP is left alone (1); a body that is not JSON gets
// no reply (-1).
func (m *Module) dispatch(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if msg == nil || !msg.IsHTTP() {
		return 1
	}
	if m.xh == nil {
		logf(c, klog.Err, "ki_jsonrpcs_dispatch(): jsonrpc over http not initialized - check transport param")
		return -1
	}
	res := m.execAs(context.Background(), []byte(msg.Body), false, "ki_jsonrpcs_dispatch")
	if !res.parsed {
		logf(c, klog.Err, "ki_jsonrpcs_dispatch(): invalid json doc [[%s]]", msg.Body)
		return -1
	}
	if m.xh.Reply(c, res.Code, res.Text, contentType, res.Body) < 0 {
		return -1
	}
	return 1
}
