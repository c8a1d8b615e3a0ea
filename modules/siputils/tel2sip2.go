package siputils

import (
	"sort"
	"strings"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// tel2sip2 (Kamailio 5.8): tel2sip closer to RFC 3261 19.1.6, which sorts
// the tel: URI's parameters and drops a phone-context that is a domain.

// maxTelParams is how many parameters tel2sip2 splits off the number;
// the last one keeps whatever follows it, ';' included, as Kamailio's
// fixed table of ten does.
const maxTelParams = 10

func compileTel2SIP2(h module.Host, args []*module.Arg) (module.Call, error) {
	return compileTelToSIP("tel2sip2", tel2SIP2)(h, args)
}

// tel2SIP2 converts a tel: URI as tel2sip does, then rewrites its
// parameters: each is written name=value (an empty value after '=' when
// it had none), isdn-subaddress first, post-dial next, the others sorted
// by name; a phone-context that is a number loses its visual separators,
// one that is not (a domain) is dropped. rc is 1 with the SIP URI, 1
// without one for a URI that is not tel: (nothing to convert), -1 when
// the result does not parse as a URI.
func tel2SIP2(uri, host string) (string, int) {
	if len(uri) < 4 || !strings.EqualFold(uri[:4], "tel:") {
		return "", 1
	}
	parts := strings.SplitN(telUserPart(uri), ";", maxTelParams+1)
	type param struct{ name, value string }
	params := make([]param, 0, len(parts)-1)
	for _, p := range parts[1:] {
		name, value, _ := strings.Cut(p, "=")
		if name == "phone-context" && telNumberFormat(value) {
			value = dropVisualSeparators(value)
		}
		params = append(params, param{name, value})
	}
	// Equal names keep their order: Kamailio's qsort is glibc's merge
	// sort, which is stable.
	sort.SliceStable(params, func(i, j int) bool {
		ri, rj := telParamRank(params[i].name), telParamRank(params[j].name)
		if ri != rj {
			return ri < rj
		}
		return ri == 2 && params[i].name < params[j].name
	})
	var b strings.Builder
	b.WriteString("sip:" + parts[0])
	for _, p := range params {
		if p.name != "phone-context" || telNumberFormat(p.value) {
			b.WriteString(";" + p.name + "=" + p.value)
		}
	}
	b.WriteString("@" + host + ";user=phone")
	s := b.String()
	if _, err := sipmsg.ParseURI(s); err != nil {
		return "", -1
	}
	return s, 1
}

// telParamRank orders tel2sip2's parameters: isdn-subaddress, post-dial,
// then the others (by name). The names are in lower case already.
func telParamRank(name string) int {
	switch name {
	case "isdn-subaddress":
		return 0
	case "post-dial":
		return 1
	}
	return 2
}

// isVisualSeparator reports whether ch is one of the visual separators of
// a telephone number (RFC 3966): - . ( ).
func isVisualSeparator(ch byte) bool {
	return ch == '-' || ch == '.' || ch == '(' || ch == ')'
}

// telNumberFormat reports whether s is a telephone number: an optional
// '+', then digits and visual separators only ("" and "+" are).
func telNumberFormat(s string) bool {
	s = strings.TrimPrefix(s, "+")
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !isVisualSeparator(s[i]) {
			return false
		}
	}
	return true
}

func dropVisualSeparators(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !isVisualSeparator(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
