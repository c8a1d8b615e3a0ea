package xlog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// $C(fb) prints the terminal escape sequence Kamailio's core writes for
// foreground colour f and background colour b. Colour letters: x default,
// s black, r red, g green, y yellow, b blue, p purple, c cyan, w white; an
// upper-case foreground letter (S R G Y B P C W) is the bold variant. The
// value is empty unless Kamailio would colour its log: log_stderror set
// or force_color=1.

// fgLetters and bgLetters are the letters $C accepts in each place.
const (
	fgLetters = "xsrgybpcwSRGYBPCW"
	bgLetters = "xsrgybpcw"
)

// colorCodes maps a colour letter to its ANSI digit (3x foreground, 4x
// background); any other letter is the terminal default, 9.
var colorCodes = map[byte]byte{'x': '9', 's': '0', 'r': '1', 'g': '2', 'y': '3', 'b': '4', 'p': '5', 'c': '6', 'w': '7'}

func colorDigit(c byte) byte {
	if d, ok := colorCodes[c]; ok {
		return d
	}
	return '9'
}

// termColor returns the escape sequence for foreground f and background
// b: ESC[0;3F;4Bm for a lower-case foreground, ESC[1;... (bold) for an
// upper-case one.
func termColor(f, b byte) string {
	weight := "0;"
	if f >= 'A' && f <= 'Z' {
		weight, f = "1;", f+'a'-'A'
	}
	return "\x1b[" + weight + "3" + string(colorDigit(f)) + ";4" + string(colorDigit(b)) + "m"
}

// compileColor compiles $C(fb).
func (m *Module) compileColor(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Dyn != nil {
		return nil, errors.New("color name must have two chars")
	}
	name := p.Name.Text
	if len(name) != 2 {
		return nil, errors.New("color name must have two chars")
	}
	if !strings.ContainsRune(fgLetters, rune(name[0])) || !strings.ContainsRune(bgLetters, rune(name[1])) {
		return nil, fmt.Errorf("invalid color name %s", name)
	}
	seq := termColor(name[0], name[1])
	return pv.GetterFunc(func(*event.Context) value.Value {
		if !m.colors {
			return value.MakeStr("")
		}
		return value.MakeStr(seq)
	}), nil
}

// checkLogColors validates a log_colors value, "l_err=Rx;l_dbg=cx": level
// names (without case) L_ALERT, L_BUG, L_CRIT2, L_CRIT, L_ERR, L_WARN,
// L_NOTICE, L_INFO, L_DBG, each with two colour characters. kamgo does
// not colour its log lines, so a valid value changes nothing.
func checkLogColors(s string) error {
	if s == "" {
		return errors.New("xlog: empty log_colors")
	}
	s = strings.TrimSuffix(s, ";")
	for _, item := range strings.Split(s, ";") {
		name, body, _ := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		switch strings.ToLower(name) {
		case "l_alert", "l_bug", "l_crit2", "l_crit", "l_err", "l_warn", "l_notice", "l_info", "l_dbg":
		default:
			return fmt.Errorf("xlog: invalid level name %s", name)
		}
		if body = strings.TrimSpace(body); len(body) != 2 {
			return fmt.Errorf("xlog: invalid color spec for level %s (%s)", name, body)
		}
	}
	return nil
}
