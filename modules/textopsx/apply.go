package textopsx

import (
	"errors"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) compileApplyChanges(module.Host, []*module.Arg) (module.Call, error) {
	return m.applyChanges, nil
}

// applyChanges is msg_apply_changes(): the message rebuilt with its
// changes (the new Request-URI, the lumps) and parsed again, so that
// later reads see them. Only a request in request_route, or a reply, may
// be rebuilt.
func (m *Module) applyChanges(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if msg.IsRequest() && c.Route != routetype.Request {
		m.corelogf(klog.Err, "sip_msg_apply_changes(): invalid usage - not in request route or a reply")
		return -1
	}
	return m.updateBuffer(msg, msg.Build())
}

func (m *Module) compileSetBuffer(h module.Host, args []*module.Arg) (module.Call, error) {
	text, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.setBuffer(c, text(c)) }, nil
}

// setBuffer is msg_set_buffer(text): the message replaced by text,
// parsed.
func (m *Module) setBuffer(c *event.Context, text string) int {
	msg := sipmsg.FromContext(c)
	if msg.IsRequest() && c.Route != routetype.Request {
		m.logf(klog.Err, "ki_msg_set_buffer(): invalid usage - not in request route or a reply")
		return -1
	}
	if text == "" {
		m.logf(klog.Err, "ki_msg_update_buffer(): invalid buffer parameter")
		return -1
	}
	if len(text) >= sipmsg.MaxBuf {
		m.logf(klog.Err, "ki_msg_update_buffer(): new buffer is too large (%d)", len(text))
		return -1
	}
	return m.updateBuffer(msg, text)
}

// updateBuffer makes text the message's text (Kamailio's
// sip_msg_update_buffer). A text that does not parse as a SIP message
// ends the script (0), as in Kamailio, and leaves the message as it was.
func (m *Module) updateBuffer(msg *sipmsg.Msg, text string) int {
	if text == "" {
		m.corelogf(klog.Err, "sip_msg_update_buffer(): invalid buffer parameter")
		return -1
	}
	nm, err := sipmsg.ParseUpdate(text)
	if err != nil {
		m.corelogf(klog.Err, "%s", err)
		if errors.Is(err, sipmsg.ErrBufTooLarge) {
			return -1
		}
		return 0
	}
	msg.Reparse(nm)
	return 1
}
