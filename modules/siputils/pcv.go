package siputils

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The P-Charging-Vector header (RFC 3455): sip_p_charging_vector reads,
// removes, generates or replaces it, and $pcv(all|value|genaddr|orig|term)
// reads it. Kamailio keeps what it read in process-wide variables, keyed
// by the message's id; kamgo keeps it with the event, for its message.

const pcvName = "P-Charging-Vector"

// pcv is what is known of one message's charging vector.
type pcv struct {
	msg                     *sipmsg.Msg
	status                  int    // pcvNone, pcvParsed or pcvGenerated
	all                     string // the header value
	id, genaddr, orig, term string
}

const (
	pcvNone = iota
	pcvParsed
	pcvGenerated
)

var pcvKey = event.NewKey()

// pcvCounter numbers the generated icid-values, as Kamailio's counter
// does (per process there, per kamgo here).
var pcvCounter atomic.Uint32

// pcvOf returns the event's charging vector state for msg, reading the
// message's header when the state is for another message or empty.
func pcvOf(c *event.Context, msg *sipmsg.Msg) *pcv {
	p, _ := c.Get(pcvKey).(*pcv)
	if p == nil || p.msg != msg || p.status == pcvNone {
		p = &pcv{msg: msg}
		p.read(c)
		c.Set(pcvKey, p)
	}
	return p
}

// read looks for the first P-Charging-Vector header with a value (the
// name compared without case, but it must start with a capital P, as in
// Kamailio) and parses it.
func (p *pcv) read(c *event.Context) *sipmsg.Header {
	for i := range p.msg.Headers {
		h := &p.msg.Headers[i]
		name := strings.TrimSpace(h.Name)
		if !strings.HasPrefix(name, "P") || !strings.EqualFold(name, pcvName) {
			continue
		}
		if h.Value == "" {
			logf(c, klog.Warn, "sip_get_charging_vector(): P-Charging-Vector header found but no value.")
			continue
		}
		if p.parse(c, h.Value) {
			p.status, p.all = pcvParsed, h.Value
		} else {
			logf(c, klog.Err, "sip_get_charging_vector(): P-Charging-Vector header found but failed to parse value [%s].", h.Value)
			p.status = pcvNone
		}
		return h
	}
	return nil
}

// parse reads the parameters of a header value; false without
// icid-value.
func (p *pcv) parse(c *event.Context, v string) bool {
	param := func(name string) string {
		i := strings.Index(v, name+"=")
		if i < 0 {
			return ""
		}
		s := v[i+len(name)+1:]
		if end := strings.IndexAny(s, "\x00 ;,\r\n"); end >= 0 {
			s = s[:end]
		}
		return s
	}
	has := func(name string) bool { return strings.Contains(v, name+"=") }
	p.id, p.genaddr, p.orig, p.term = param("icid-value"), param("icid-generated-at"), param("orig-ioi"), param("term-ioi")
	if !has("icid-value") {
		logf(c, klog.Warn, "sip_parse_charging_vector(): mandatory icid-value not found")
		return false
	}
	if !has("icid-generated-at") {
		logf(c, klog.Warn, "sip_parse_charging_vector(): icid-generated-at is missing %s", v)
	}
	return true
}

// chargingVector is sip_p_charging_vector(flags): r removes the header,
// g generates one when the message has none, f replaces it with a
// generated one. Other flag letters are ignored.
func (m *Module) chargingVector(c *event.Context, msg *sipmsg.Msg, a []string) int {
	var remove, generate, replace bool
	for _, f := range strings.ToLower(a[0]) {
		switch f {
		case 'r':
			remove = true
		case 'g':
			generate = true
		case 'f':
			replace, generate = true, true
		}
	}
	p := &pcv{msg: msg}
	c.Set(pcvKey, p)
	h := p.read(c)
	if p.status == pcvParsed && (replace || remove) {
		msg.Remove(h.Start, h.End-h.Start)
	}
	if replace || generate && p.status == pcvNone {
		if msg.Rcv == nil {
			logf(c, klog.Err, "sip_handle_pcv(): No IP address for message. Failed to generate charging vector.")
			return -2
		}
		body := "icid-value=" + m.icid(msg.Rcv.IP) + "; icid-generated-at=" + msg.Rcv.IP
		*p = pcv{msg: msg, status: pcvGenerated, all: body}
		p.parse(c, body)
		logf(c, klog.Info, "sip_handle_pcv(): Generated PCV header %s: %s", pcvName, body)
		msg.Insert(msg.HeadersEnd(), pcvName+": "+body+"\r\n")
	}
	return 1
}

// icid builds a new icid-value as Kamailio does: "IVS", then the bytes of
// an IPv4 address, the process id, the low byte of the time and a
// counter, 16 bytes in hex. Kamailio takes the address of the host name;
// kamgo takes the socket the message came in on.
func (m *Module) icid(ip string) string {
	id := []byte("IVS")
	var a4 [4]byte
	if a, err := netip.ParseAddr(ip); err == nil && a.Unmap().Is4() {
		a4 = a.Unmap().As4()
	}
	id = append(id, a4[:]...)
	pid := os.Getpid()
	for i := 0; i < 4; i++ {
		id = append(id, byte(pid>>(8*i)))
	}
	id = append(id, byte(m.now().Unix()))
	n := pcvCounter.Add(1) - 1
	for i := 0; i < 4; i++ {
		id = append(id, byte(n>>(8*i)))
	}
	return fmt.Sprintf("%X", id)
}

// pcvStatusNumbers are the numbers $pcv(status) (Kamailio 6.0) gives the
// states: Kamailio's PCV_NONE, PCV_PARSED and PCV_GENERATED. kamgo's
// sip_p_charging_vector is 5.6.3's, which never reaches 6.0's other
// states (a header without icid-value, deleted, replaced).
var pcvStatusNumbers = [...]int64{pcvNone: 0, pcvParsed: 1, pcvGenerated: 3}

// pcvClass is $pcv(all|value|genaddr|orig|term), and $pcv(status) of
// Kamailio 6.0.
func pcvClass() *pv.Class {
	names := []string{"all", "value", "genaddr", "orig", "term", "status"}
	return &pv.Class{Name: "pcv", Module: Name, Names: names, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		key := ""
		if p.Name != nil {
			key = p.Name.Text
		}
		known := false
		for _, n := range names {
			known = known || n == key
		}
		if !known {
			return nil, fmt.Errorf("pv_parse_charging_vector_name(): unknown pcv name %s", key)
		}
		if key == "status" {
			return pv.GetterFunc(func(c *event.Context) value.Value {
				return value.MakeInt(pcvStatusNumbers[pcvOf(c, sipmsg.FromContext(c)).status])
			}), nil
		}
		return pv.GetterFunc(func(c *event.Context) value.Value {
			st := pcvOf(c, sipmsg.FromContext(c))
			if st.status == pcvNone {
				return value.NullValue
			}
			v := map[string]string{"all": st.all, "value": st.id, "genaddr": st.genaddr, "orig": st.orig, "term": st.term}[key]
			if v == "" {
				logf(c, klog.Warn, "pv_get_charging_vector(): No value for pseudo-var $pcv but status was %d.", st.status)
				return value.NullValue
			}
			return value.MakeStr(v)
		}), nil
	}}
}
