package pv

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The Via headers: $via0 (the first via-parm), $via1 (the second), $viaZ
// (the last), and the reply attributes $rpl(...) taken from the second
// via-parm, where a reply goes next.

// viaAttr reads an attribute of a via-parm; null without one.
func viaAttr(v *sipmsg.Via, name string) value.Value {
	if v == nil {
		return value.NullValue
	}
	switch name {
	case "host":
		return nonEmpty(v.Host)
	case "port":
		if p := v.PortNumber(); p != 0 {
			return uintValue(int64(p))
		}
		return uintValue(5060)
	case "proto":
		return value.MakeStr(v.Transport)
	case "protoid":
		return intValue(v.Proto())
	case "params":
		return nonEmpty(v.Params)
	case "oc":
		return intValue(parseViaOC(v).oc)
	case "oc-algo", "ocalgo":
		return nonEmpty(parseViaOC(v).algo)
	case "oc-validity", "ocvalidity":
		return uintValue(parseViaOC(v).validity)
	case "oc-seq", "ocseq":
		return uintValue(parseViaOC(v).seq)
	case "oc-val", "ocval":
		return nonEmpty(parseViaOC(v).val)
	}
	p, _ := v.Param(name)
	return nonEmpty(p)
}

// viaNames are the attributes $via0, $via1 and $viaZ take; params and the
// overload-control ones (RFC 7339), with their short spellings, came with
// Kamailio 5.8.
var viaNames = []string{"host", "port", "proto", "protoid", "branch", "rport", "received", "i",
	"params", "oc", "oc-algo", "ocalgo", "oc-validity", "ocvalidity", "oc-seq", "ocseq", "oc-val", "ocval"}

// viaOC holds the overload-control parameters of a via-parm (RFC 7339).
type viaOC struct {
	oc        int    // 0 without an oc parameter, 1 with an empty one, 2 with a value
	val, algo string // the values of oc and oc-algo, unquoted
	validity  int64  // oc-validity, 0 when absent
	seq       int64  // oc-seq, 0 when absent
}

// parseViaOC reads the overload-control parameters of v. Names match
// without regard to case; when one is repeated, the last one with a value
// counts (an empty oc still sets oc to 1 and keeps an earlier oc value, as
// Kamailio does).
func parseViaOC(v *sipmsg.Via) viaOC {
	var o viaOC
	for _, p := range splitViaParams(v.Params) {
		switch {
		case strings.EqualFold(p.name, "oc"):
			if p.value != "" {
				o.oc, o.val = 2, p.value
			} else {
				o.oc = 1
			}
		case p.value == "":
		case strings.EqualFold(p.name, "oc-algo"):
			o.algo = p.value
		case strings.EqualFold(p.name, "oc-validity"):
			o.validity = ocNumber(p.value)
		case strings.EqualFold(p.name, "oc-seq"):
			o.seq = ocNumber(p.value)
		}
	}
	return o
}

// ocNumber reads the number at the start of an oc-validity or oc-seq
// value: an optional '+', then the digits up to the first other byte (so
// "1282321615.782" is 1282321615), 4294967295 when larger. Kamailio reads
// oc-validity into a 64-bit number and then keeps its low 32 bits, so that
// 4294967296 reads as 0; kamgo stops at the largest value, as Kamailio
// does for oc-seq (spec/deviations.md).
func ocNumber(s string) int64 {
	s = strings.TrimPrefix(s, "+")
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > math.MaxUint32 {
			return math.MaxUint32
		}
	}
	return n
}

// viaParam is one parameter of a via-parm.
type viaParam struct{ name, value string }

// splitViaParams splits the parameters of a via-parm (`a=1;b;c="x;y"`) at
// the semicolons outside double quotes; names and values are trimmed, and a
// value in double quotes loses them.
func splitViaParams(params string) []viaParam {
	var out []viaParam
	for params != "" {
		end, quoted := len(params), false
		for i := 0; i < len(params); i++ {
			if params[i] == '"' {
				quoted = !quoted
			} else if params[i] == ';' && !quoted {
				end = i
				break
			}
		}
		n, val, _ := strings.Cut(params[:end], "=")
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		out = append(out, viaParam{strings.TrimSpace(n), val})
		if end == len(params) {
			break
		}
		params = params[end+1:]
	}
	return out
}

func viaClass(class string, which func(vias []*sipmsg.Via) *sipmsg.Via) *pv.Class {
	g := map[string]pv.Spec{}
	for _, n := range viaNames {
		g[n] = msg(func(m *sipmsg.Msg) value.Value { return viaAttr(which(m.Vias()), n) })
	}
	return namedClass(class, g)
}

// replyDest is where a reply goes: the second via-parm's received address
// (else its host) and rport (else its port, else the transport's default
// port); ok is false without a second via-parm or with a bad rport.
func replyDest(m *sipmsg.Msg, tlsDefault bool) (v *sipmsg.Via, host string, port int, ok bool) {
	vias := m.Vias()
	if len(vias) < 2 {
		return nil, "", 0, false
	}
	v = vias[1]
	if r, has := v.Param("rport"); has && r != "" {
		n, err := strconv.ParseUint(r, 10, 32)
		if err != nil {
			return nil, "", 0, false
		}
		port = int(n)
	}
	host = v.Host
	if r, has := v.Param("received"); has {
		host = r
	}
	if port == 0 {
		port = v.PortNumber()
	}
	if port == 0 {
		port = 5060
		if tlsDefault && v.Proto() == sipmsg.ProtoTLS {
			port = 5061
		}
	}
	return v, host, port, true
}

func viaProto(v *sipmsg.Via, uri bool) string {
	if p := sipmsg.ProtoName(v.Proto(), uri); p != "" {
		return p
	}
	return "udp"
}

// rplAttr is $rpl(name); null for requests.
func rplAttr(name string) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		if m.IsRequest() {
			return value.NullValue
		}
		switch name {
		case "cntvia":
			return uintValue(int64(len(m.Vias())))
		case "cntrr":
			// Kamailio counts the Record-Route entries that follow the
			// first Via header.
			n, seen := 0, false
			for _, h := range m.Headers {
				switch sipmsg.CanonName(h.Name) {
				case "via":
					seen = true
				case "record-route":
					if seen {
						n += len(sipmsg.SplitList(h.Value))
					}
				}
			}
			return uintValue(int64(n))
		}
		v, host, port, ok := replyDest(m, false)
		if !ok {
			return value.NullValue
		}
		switch name {
		case "duri":
			return value.MakeStr(fmt.Sprintf("sip:%s:%d;transport=%s", host, port, viaProto(v, true)))
		case "dhost":
			return value.MakeStr(host)
		case "dport":
			return uintValue(int64(port))
		case "dproto":
			return strInt(viaProto(v, false), v.Proto())
		}
		return uintValue(int64(v.Proto()))
	})
}

// replyHop is $nh(name) for a reply.
func replyHop(m *sipmsg.Msg, name string) value.Value {
	v, host, port, ok := replyDest(m, true)
	if !ok {
		return value.NullValue
	}
	switch name {
	case "u":
		return value.MakeStr(fmt.Sprintf("sip:%s:%d;transport=%s", host, port, viaProto(v, true)))
	case "U":
		return value.NullValue
	case "d":
		return value.MakeStr(host)
	case "p":
		return uintValue(int64(port))
	case "P":
		if p := v.Proto(); p != sipmsg.ProtoNone {
			return strInt(sipmsg.ProtoName(p, false), p)
		}
		return strInt("udp", sipmsg.ProtoUDP)
	}
	return uintValue(int64(ipFamily(host)))
}

func viaClasses() []*pv.Class {
	rpl := map[string]pv.Spec{}
	for _, n := range []string{"duri", "dhost", "dport", "dproto", "dprotoid", "cntvia", "cntrr"} {
		rpl[n] = rplAttr(n)
	}
	return []*pv.Class{
		viaClass("via0", func(vias []*sipmsg.Via) *sipmsg.Via {
			if len(vias) > 0 {
				return vias[0]
			}
			return nil
		}),
		viaClass("via1", func(vias []*sipmsg.Via) *sipmsg.Via {
			if len(vias) > 1 {
				return vias[1]
			}
			return nil
		}),
		viaClass("viaZ", func(vias []*sipmsg.Via) *sipmsg.Via {
			if len(vias) > 0 {
				return vias[len(vias)-1]
			}
			return nil
		}),
		namedClass("rpl", rpl),
	}
}
