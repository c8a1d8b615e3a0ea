package acc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
)

// extra is one `name=$pv` of log_extra or multi_leg_info.
type extra struct {
	name string
	text string // the pseudo-variable as written
	ref  *pv.Ref
}

// parseExtras reads "name=$pv; name2=$pv2" as Kamailio's parse_acc_extra
// does: white space around names, '=' and ';' is skipped, a ';' must be
// followed by another definition, at most size definitions.
func parseExtras(h module.Host, text string, size int) ([]*extra, error) {
	var out []*extra
	i := 0
	bad := func() error {
		return fmt.Errorf("parse_acc_extra(): parse failed in <%s> around position %d", text, i)
	}
	for i < len(text) {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i == len(text) {
			return nil, bad()
		}
		if len(out) == size {
			return nil, fmt.Errorf("parse_acc_extra(): too many extras -> please increase the internal buffer")
		}
		start := i
		for i < len(text) && !isSpace(text[i]) && text[i] != '=' {
			i++
		}
		if i == len(text) {
			return nil, bad()
		}
		name := text[start:i]
		if text[i] != '=' {
			for i < len(text) && isSpace(text[i]) {
				i++
			}
			if i == len(text) || text[i] != '=' {
				return nil, bad()
			}
		}
		i++
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		pvText, ok := pvPrefix(text[i:])
		if !ok {
			return nil, bad()
		}
		ref, err := h.CompilePV(pvText, diag.Range{})
		if err != nil {
			return nil, bad()
		}
		out = append(out, &extra{name: name, text: pvText, ref: ref})
		i += len(pvText)
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i < len(text) {
			if text[i] != ';' || i+1 == len(text) {
				i++
				return nil, bad()
			}
			i++
		}
	}
	return out, nil
}

// parseLegs reads multi_leg_info: extras that must all be AVPs, at most
// maxLegs of them.
func parseLegs(h module.Host, text string, size int) ([]*extra, error) {
	legs, err := parseExtras(h, text, size)
	if err != nil {
		return nil, fmt.Errorf("%v; parse_acc_leg(): failed to parse extra leg", err)
	}
	for n, l := range legs {
		if l.ref.Node == nil || l.ref.Node.Class != "avp" {
			return nil, fmt.Errorf("parse_acc_leg(): only AVP are accepted as leg info")
		}
		if n+1 > maxLegs {
			return nil, fmt.Errorf("parse_acc_leg(): too many leg info; MAX=%d", maxLegs)
		}
	}
	return legs, nil
}

// pvPrefix returns the pseudo-variable text starts with.
func pvPrefix(text string) (string, bool) {
	if !strings.HasPrefix(text, "$") || strings.HasPrefix(text, "$$") {
		return "", false
	}
	f, diags := pvsyntax.ParseFormat(text, diag.Range{})
	if len(f.Parts) == 0 || f.Parts[0].PV == nil {
		return "", false
	}
	if len(diags) > 0 && len(f.Parts[0].PV.Text) == 0 {
		return "", false
	}
	return f.Parts[0].PV.Text, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// values reads the extras in c: a null value is empty.
func values(c *event.Context, ex []*extra) []string {
	out := make([]string, len(ex))
	for i, e := range ex {
		v := e.ref.Get(c)
		if v.IsNull() {
			continue
		}
		out[i] = v.String()
	}
	return out
}

// legRefs are compiled reads of one multi-leg AVP by index.
type legRefs struct {
	refs []*pv.Ref
}

// legValue is the value at index i of the leg AVP l in c (0 the most
// recent), and whether there is one.
func (m *Module) legValue(c *event.Context, l *extra, i int) (string, bool) {
	m.legMu.Lock()
	lr := m.legRefs[l.text]
	if lr == nil {
		lr = &legRefs{}
		m.legRefs[l.text] = lr
	}
	for len(lr.refs) <= i {
		text := indexed(l.text, len(lr.refs))
		ref, err := m.host.CompilePV(text, diag.Range{})
		if err != nil {
			m.legMu.Unlock()
			return "", false
		}
		lr.refs = append(lr.refs, ref)
	}
	ref := lr.refs[i]
	m.legMu.Unlock()
	v := ref.Get(c)
	if v.IsNull() {
		return "", false
	}
	return v.String(), true
}

// indexed writes the AVP reference text with index i: $avp(x) becomes
// $(avp(x)[i]).
func indexed(text string, i int) string {
	inner := strings.TrimPrefix(text, "$")
	if strings.HasPrefix(inner, "(") && strings.HasSuffix(inner, ")") {
		inner = inner[1 : len(inner)-1]
	}
	return "$(" + inner + "[" + strconv.Itoa(i) + "])"
}
