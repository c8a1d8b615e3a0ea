package xlog

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// methodBits are Kamailio's request method flags (METHOD_INVITE ...), the
// bits methods_filter is made of; any other method is METHOD_OTHER.
var methodBits = map[string]int64{
	"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32,
	"SUBSCRIBE": 64, "NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024,
	"UPDATE": 2048, "REFER": 4096, "PUBLISH": 8192, "KDMQ": 16384, "GET": 32768,
	"POST": 65536, "PUT": 131072, "DELETE": 262144,
}

const methodOther = 524288

func methodBit(name string) int64 {
	if b, ok := methodBits[strings.ToUpper(name)]; ok {
		return b
	}
	return methodOther
}

// filtered reports whether xlogm skips the event: always with
// methods_filter -1 (the default, so xlogm prints nothing), otherwise
// when the request's method (a reply's CSeq method) is in the filter.
// Events without a SIP message see Kamailio's faked OPTIONS request.
func filtered(c *event.Context, filter int64) bool {
	if filter == -1 {
		return true
	}
	m := sipmsg.FromContext(c)
	method := m.Method
	if !m.IsRequest() {
		_, method, _ = m.CSeq()
	}
	return methodBit(method)&filter != 0
}
