package siputils

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The tests of a message's routing headers and URIs: is_gruu,
// is_supported and is_first_hop.

func compileIsGRUU(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return func(c *event.Context) int { return isGRUU(c, sipmsg.FromContext(c).RequestURI()) }, nil
	}
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return isGRUU(c, fs[0](c)) }, nil
}

// isGRUU: 1 when the URI has a gr parameter with a value, 2 when it has
// one without, -1 otherwise (tel: URIs too: Kamailio reads their
// parameters alike).
func isGRUU(c *event.Context, uri string) int {
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		logf(c, klog.Err, "w_is_gruu(): parsing of uri '%s' failed", uri)
		return -1
	}
	v, ok := u.Param("gr")
	switch {
	case !ok:
		return -1
	case v != "":
		return 1
	}
	return 2
}

// optionTags are the option tags is_supported knows (Kamailio's
// F_OPTION_TAG_* of parse_option_tags.h).
var optionTags = []string{"path", "100rel", "timer", "eventlist", "gruu", "outbound"}

// compileIsSupported checks, at load time as Kamailio's fixup_option
// does, that the option is one Kamailio knows.
func compileIsSupported(_ module.Host, args []*module.Arg) (module.Call, error) {
	opt, _ := args[0].Literal()
	known := false
	for _, t := range optionTags {
		known = known || strings.EqualFold(opt, t)
	}
	if !known {
		return nil, fmt.Errorf("fixup_option(): unknown option <%s>", opt)
	}
	return func(c *event.Context) int { return isSupported(sipmsg.FromContext(c), opt) }, nil
}

// isSupported: a Supported header lists the option tag.
func isSupported(msg *sipmsg.Msg, opt string) int {
	for _, v := range msg.HeaderValues("supported") {
		for _, tag := range strings.FieldsFunc(v, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ','
		}) {
			if strings.EqualFold(tag, opt) {
				return 1
			}
		}
	}
	return -1
}

func compileIsFirstHop(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return func(c *event.Context) int { return isFirstHop(c, sipmsg.FromContext(c), 0) }, nil
	}
	mode, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := mode(c)
		if !ok {
			logf(c, klog.Err, "w_is_first_hop_mode(): failed to get mode parameter")
			return -1
		}
		return isFirstHop(c, sipmsg.FromContext(c), n)
	}, nil
}

// isFirstHop: a request is at its first hop when it has one Via; a reply
// when it has no Record-Route, or its top Record-Route URI is this server
// and (mode 0) an IP address the reply did not come from.
func isFirstHop(c *event.Context, msg *sipmsg.Msg, mode int64) int {
	if msg.IsRequest() {
		vias := msg.Bodies("via")
		if len(vias) < 2 {
			return 1
		}
		if _, err := sipmsg.ParseVia(vias[1]); err != nil {
			return 1
		}
		return -1
	}
	rrs := msg.Bodies("record-route")
	if len(rrs) == 0 {
		return 1
	}
	na, err := sipmsg.ParseNameAddr(rrs[0])
	if err != nil {
		return -1
	}
	u, err := sipmsg.ParseURI(na.URI)
	if err != nil || u.IsTel() {
		return -1
	}
	var ip netip.Addr
	if mode == 0 {
		if ip, err = netip.ParseAddr(strings.Trim(u.Host, "[]")); err != nil {
			return -1
		}
	}
	port := 0
	if u.Port != "" {
		port = u.PortNumber()
	}
	t := sip.From(c)
	if t == nil || !t.Myself(u.Host, port, u.Proto()) {
		return -1
	}
	if mode == 0 {
		src, err := netip.ParseAddr(msg.Src.IP)
		proto := u.Proto()
		if err == nil && src.Unmap() == ip.Unmap() &&
			(msg.Src.Port == port || port == 0 && msg.Src.Port == 5060) &&
			(proto == sipmsg.ProtoNumber(msg.Proto) || proto == sipmsg.ProtoNone && msg.Proto == "udp") {
			return -1 // a loop: the reply comes from the address it names
		}
	}
	return 1
}
