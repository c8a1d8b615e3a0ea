package siputils

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// optionsReply is options_reply(): an OPTIONS request for this server (a
// Request-URI without user) is answered with 200 OK through sl, carrying
// Accept, Accept-Encoding, Accept-Language and Supported from the
// options_* parameters.
func (m *Module) optionsReply(c *event.Context, msg *sipmsg.Msg) int {
	if !msg.IsRequest() || !strings.EqualFold(msg.Method, "OPTIONS") {
		id := int64(0)
		if m.rmid != nil {
			id = m.rmid.Get(c).I
		}
		logf(c, klog.Err, "ki_opt_reply(): called for non-OPTIONS request (%d!=%d)", id, 512)
		return -1
	}
	u, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		logf(c, klog.Err, "ki_opt_reply(): ERROR while parsing the R-URI")
		return -1
	}
	if u.User != "" {
		logf(c, klog.Err, "ki_opt_reply(): ruri contains username")
		return -1
	}
	msg.ReplyHeaders += "Accept: " + m.accept + "\r\n" +
		"Accept-Encoding: " + m.acceptEnc + "\r\n" +
		"Accept-Language: " + m.acceptLang + "\r\n" +
		"Supported: " + m.supported + "\r\n"
	if m.reply(c, 200, "OK") == -1 {
		logf(c, klog.Err, "ki_opt_reply(): failed to send 200 via send_reply")
		return -1
	}
	return 1
}
