package pv

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The digest credentials of the first Proxy-Authorization header, else of
// the first Authorization header ($au, $ar ...). ACK and CANCEL carry none
// that count, as in Kamailio. A missing parameter reads "", except the
// digest URI ($adu), which reads null.

func authAttr(field func(cr *sipmsg.Credentials) string, nullEmpty bool) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if m.Method == "ACK" || m.Method == "CANCEL" {
			return value.NullValue
		}
		cr, ok, err := m.Credentials()
		if !ok {
			return value.NullValue
		}
		if err != nil {
			logf(c, klog.Err, "failed to parse credentials")
			return value.NullValue
		}
		s := field(cr)
		if nullEmpty && s == "" {
			return value.NullValue
		}
		return value.MakeStr(s)
	}
}

func authClasses() []*pv.Class {
	attr := func(name string, f func(cr *sipmsg.Credentials) string) *pv.Class {
		return specClass(name, authAttr(f, name == "adu"))
	}
	return []*pv.Class{
		attr("au", func(cr *sipmsg.Credentials) string { return cr.User }),
		attr("ad", func(cr *sipmsg.Credentials) string { return cr.Domain }),
		attr("aU", func(cr *sipmsg.Credentials) string { return cr.Username }),
		attr("ar", func(cr *sipmsg.Credentials) string { return cr.Realm }),
		attr("adu", func(cr *sipmsg.Credentials) string { return cr.URI }),
		attr("aa", func(cr *sipmsg.Credentials) string { return cr.Algorithm }),
		attr("adn", func(cr *sipmsg.Credentials) string { return cr.Nonce }),
		attr("adc", func(cr *sipmsg.Credentials) string { return cr.CNonce }),
		attr("adr", func(cr *sipmsg.Credentials) string { return cr.Response }),
		attr("ado", func(cr *sipmsg.Credentials) string { return cr.Opaque }),
	}
}
