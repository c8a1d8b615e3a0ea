package registrar

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Limits Kamailio puts on what a REGISTER may store.
const (
	maxCallID   = 255 // CALLID_MAX_SIZE
	maxReceived = 255 // RECEIVED_MAX_SIZE
	maxUA       = 255 // MAX_UA_SIZE
	maxPath     = 512 // MAX_PATH_SIZE
)

// contact is one element of a Contact header, with the parameters
// registrar reads (Kamailio's contact_t).
type contact struct {
	uri      string
	params   []param
	q        *param
	expires  *param
	methods  *param
	received *param
	instance *param
	regID    *param
}

type param struct {
	name, value string
	quoted      bool
}

// contactSet is the Contact headers of a request.
type contactSet struct {
	star     bool // the first Contact header is "*"
	starElse bool // "*" mixed with other contacts
	list     []*contact
	present  bool
}

// parseContacts parses every Contact header; ok is false when one does
// not parse (Kamailio's parse_contact_headers).
func parseContacts(msg *sipmsg.Msg) (cs contactSet, ok bool) {
	first := true
	for _, v := range msg.HeaderValues("contact") {
		cs.present = true
		if strings.TrimSpace(v) == "*" {
			if first {
				cs.star = true
			} else {
				cs.starElse = true
			}
			first = false
			continue
		}
		elems := sipmsg.SplitList(v)
		if len(elems) == 0 {
			return cs, false
		}
		if cs.star {
			cs.starElse = true
		}
		for _, e := range elems {
			if e == "*" {
				cs.starElse = true
				continue
			}
			c, ok := parseContact(e)
			if !ok {
				return cs, false
			}
			cs.list = append(cs.list, c)
		}
		first = false
	}
	return cs, true
}

// parseContact parses one name-addr or addr-spec with its parameters.
func parseContact(s string) (*contact, bool) {
	na, err := sipmsg.ParseNameAddr(s)
	if err != nil || strings.ContainsAny(na.URI, " \t") {
		return nil, false
	}
	c := &contact{uri: na.URI}
	for _, p := range splitParams(na.Params) {
		n, v, has := strings.Cut(p, "=")
		n, v = strings.TrimSpace(n), strings.TrimSpace(v)
		if n == "" {
			return nil, false
		}
		pp := param{name: n, value: v}
		if has && len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			pp.value, pp.quoted = v[1:len(v)-1], true
		}
		c.params = append(c.params, pp)
	}
	for i := range c.params {
		p := &c.params[i]
		switch strings.ToLower(p.name) {
		case "q":
			c.q = p
		case "expires":
			c.expires = p
		case "methods":
			c.methods = p
		case "received":
			c.received = p
		case "+sip.instance":
			c.instance = p
		case "reg-id":
			c.regID = p
		}
	}
	return c, true
}

// splitParams splits ";"-separated parameters, not inside quotes.
func splitParams(s string) []string {
	var out []string
	inq, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			if i == 0 || s[i-1] != '\\' {
				inq = !inq
			}
		case ';':
			if !inq {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// expiresHeader is the Expires header's value: -1 when there is none or
// it is not a number (an RFC 2543 date), ok false when it is empty
// (Kamailio's parse_expires).
func expiresHeader(msg *sipmsg.Msg) (n int64, ok bool) {
	v, has := msg.Header("expires")
	if !has {
		return -1, true
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return -1, false
	}
	if len(v) > 10 {
		return -1, true
	}
	var val int64
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			val = val*10 + int64(c-'0')
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			return int64(uint32(val)), true
		default:
			return -1, true
		}
	}
	return int64(int32(uint32(val))), true
}

// str2int is Kamailio's str2int: digits only, into an unsigned 32-bit
// number.
func str2int(s string) (int64, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int64(n), true
}

// parseQ reads a q value in thousandths as Kamailio's str2q does: 0 to 1
// with at most three decimals (more are ignored), leading blanks allowed.
func parseQ(s string) (int, bool) {
	q, i := 0, 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	s = s[i:]
	if s == "" {
		return 0, false
	}
	intPart, frac, dot := strings.Cut(s, ".")
	for _, c := range intPart {
		if c != '0' && c != '1' {
			return 0, false
		}
	}
	one := strings.Trim(intPart, "0") == "1"
	if strings.Count(intPart, "1") > 1 || (one && !strings.HasSuffix(intPart, "1")) {
		return 0, false
	}
	if one {
		q = 1000
	}
	if !dot {
		return q, true
	}
	if frac == "" {
		return 0, false
	}
	order := 100
	for k, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		if one && c != '0' {
			return 0, false
		}
		if !one && k < 3 {
			q += int(c-'0') * order
			order /= 10
		}
	}
	return q, true
}

// methodBits are Kamailio's request method flags.
var methodBits = map[string]uint32{
	"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32, "SUBSCRIBE": 64,
	"NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024, "UPDATE": 2048, "REFER": 4096,
	"PUBLISH": 8192, "KDMQ": 16384, "GET": 32768, "POST": 65536, "PUT": 131072, "DELETE": 262144,
}

const methodOther = 524288

// methodBit is the flag of a method name.
func methodBit(name string) uint32 {
	if b, ok := methodBits[strings.ToUpper(name)]; ok {
		return b
	}
	return methodOther
}

// parseMethods reads a comma-separated method list into flags (Kamailio's
// parse_methods); ok is false for an empty name or a missing comma.
func parseMethods(s string) (uint32, bool) {
	var out uint32
	s = strings.TrimLeft(s, " \t\r\n")
	if s == "" {
		return 0, true
	}
	for _, tok := range strings.Split(s, ",") {
		tok = strings.Trim(tok, " \t\r\n")
		if tok == "" {
			return out, tok == "" && out != 0
		}
		if strings.ContainsAny(tok, " \t") {
			return 0, false
		}
		out |= methodBit(tok)
	}
	return out, true
}

// allowedMethods is what the Allow headers list, every method when there
// is none.
func allowedMethods(msg *sipmsg.Msg) uint32 {
	vals := msg.HeaderValues("allow")
	if len(vals) == 0 {
		return 0xffffffff
	}
	var out uint32
	for _, v := range vals {
		n, _ := parseMethods(v)
		out |= n
	}
	return out
}

// optionTags are the option tags of the Supported or Require headers.
func optionTags(msg *sipmsg.Msg, name string) (tags map[string]bool, present bool) {
	tags = map[string]bool{}
	for _, v := range msg.HeaderValues(name) {
		present = true
		for _, t := range strings.Split(v, ",") {
			tags[strings.ToLower(strings.TrimSpace(t))] = true
		}
	}
	return tags, present
}
