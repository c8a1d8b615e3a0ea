package sipmsg

import (
	"errors"
	"strconv"
	"strings"
)

// NameAddr is a From/To/Contact style value: an optional display name, the
// URI and the header parameters after it.
type NameAddr struct {
	Name    string // the text before '<' as written, spaces included
	Display string // Name without surrounding white space (quotes kept, as Kamailio's to_body has it)
	URI     string
	Params  string // after the address, without the leading ';'
	Len     int    // length of the name-addr: up to '>', or the whole text
}

// ParseNameAddr parses `"Name" <uri>;p=v`, `Name <uri>` or `uri;p=v`. It
// is small enough to be inlined, so that a caller that does not keep the
// result has it on its stack.
func ParseNameAddr(s string) (*NameAddr, error) {
	na := &NameAddr{}
	if err := na.parse(s); err != nil {
		return nil, err
	}
	return na, nil
}

func (na *NameAddr) parse(s string) error {
	lt, inq := -1, false
	for i := 0; i < len(s); i++ {
		if s[i] == '"' && (i == 0 || s[i-1] != '\\') {
			inq = !inq
		}
		if !inq && s[i] == '<' {
			lt = i
			break
		}
	}
	if lt >= 0 {
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return errors.New("sipmsg: missing '>' in " + strconv.Quote(s))
		}
		gt += lt
		na.Name, na.URI, na.Len = s[:lt], s[lt+1:gt], gt+1
		na.Display = strings.TrimSpace(na.Name)
		na.Params = strings.TrimPrefix(strings.TrimSpace(s[gt+1:]), ";")
	} else {
		na.URI, na.Params, _ = strings.Cut(strings.TrimSpace(s), ";")
		na.Len = len(s)
	}
	if na.URI == "" {
		return errors.New("sipmsg: empty address")
	}
	return nil
}

// Param returns the value of a header parameter such as tag.
func (na *NameAddr) Param(name string) (string, bool) {
	if na.Params == "" {
		return "", false
	}
	v, _, _, ok := param(na.Params, name)
	return v, ok
}
