package siputils

import (
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// dateLayout is the one Date format Kamailio's parser accepts (RFC 3261
// 20.17: rfc1123-date, always GMT).
const dateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

func (m *Module) compileDateCheck(h module.Host, args []*module.Arg) (module.Call, error) {
	diff, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := diff(c)
		if !ok {
			logf(c, klog.Err, "w_hdr_date_check(): failed to get time diff parameter")
			return -1
		}
		return m.dateCheck(c, sipmsg.FromContext(c), n)
	}, nil
}

// dateCheck is hdr_date_check(diff): the Date header is at most diff
// seconds old. Kamailio logs both answers at the error level.
func (m *Module) dateCheck(c *event.Context, msg *sipmsg.Msg, diff int64) int {
	v, ok := msg.Header("date")
	if !ok {
		logf(c, klog.Err, "ki_hdr_date_check(): Date header field is not found")
		return -1
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		logf(c, klog.Err, "ki_hdr_date_check(): failed parsing DATE body")
		return -1
	}
	now := m.now().Unix()
	if now > t.Unix()+diff {
		logf(c, klog.Err, "ki_hdr_date_check(): autdated date header value (%d sec)", now-t.Unix()+diff)
		return -4
	}
	logf(c, klog.Err, "ki_hdr_date_check(): Date header value OK")
	return 1
}
