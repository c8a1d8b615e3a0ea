package jansson

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/runtime/value"
)

// toValue converts a JSON value to what Kamailio's jansson_to_val hands
// the script: strings as they are, integers as ints when they fit 32
// bits and as text otherwise, reals as %.15g text, true/false as 1/0,
// null as null, objects and arrays as compact JSON.
func toValue(n *jsondoc.Node) value.Value {
	switch n.Kind {
	case jsondoc.String:
		return value.MakeStr(n.Str)
	case jsondoc.Int:
		if n.Int >= math.MinInt32 && n.Int <= math.MaxInt32 {
			return value.MakeInt(n.Int)
		}
		return value.MakeStr(strconv.FormatInt(n.Int, 10))
	case jsondoc.Real:
		return value.MakeStr(jsondoc.Real15(n.Real))
	case jsondoc.True:
		return value.MakeInt(1)
	case jsondoc.False:
		return value.MakeInt(0)
	case jsondoc.Null:
		return value.NullValue
	}
	return value.MakeStr(n.Jansson(true))
}

// cString is s as C code reads it: up to the first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// strtoll reads s as strtoll(s, &end, 10) does and reports whether the
// whole string was consumed (*end == '\0'): leading white space and a
// sign are allowed, out-of-range values saturate, and a string with no
// digits reads as 0 and is consumed only when it is empty.
func strtoll(s string) (int64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, s == ""
	}
	n, err := strconv.ParseInt(s[i:k], 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return n, k == len(s)
}

// strtod reads s as strtod(s, &end) does and reports whether the whole
// string was consumed: leading white space is allowed; decimal and hex
// floats, inf, infinity and nan are read; "" reads as 0.
func strtod(s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" || strings.ContainsRune(t, '_') {
		return 0, false
	}
	// C reads a hex float without a binary exponent; Go needs one.
	if u := strings.TrimLeft(t, "+-"); len(u) > 2 && (u[:2] == "0x" || u[:2] == "0X") && !strings.ContainsAny(u, "pP") {
		t += "p0"
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// newValue builds the JSON value jansson_set stores for a type name (one
// of obj|object|array|str|string|int|integer|real|true|false|null,
// case-sensitive); the error is the one Kamailio logs. path only appears
// in the messages.
func newValue(typ, s, path string) (*jsondoc.Node, error) {
	switch typ {
	case "obj", "object", "array":
		n, err := jsondoc.ParseJansson(s)
		if err != nil {
			var je *jsondoc.JanssonError
			if errors.As(err, &je) {
				return nil, fmt.Errorf("parsing failed for \"%s\"; value error at line %d: %s", s, je.Line, je.Text)
			}
			return nil, fmt.Errorf("parsing failed for \"%s\"", s)
		}
		switch {
		case typ == "array" && n.Kind != jsondoc.Array:
			return nil, fmt.Errorf("value to add is not an array - \"%s\"", path)
		case typ != "array" && n.Kind != jsondoc.Object:
			return nil, fmt.Errorf("value to add is not an object - \"%s\"", path)
		}
		return n, nil
	case "str", "string":
		s = cString(s)
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("value to add is not a string - \"%s\"", path)
		}
		return &jsondoc.Node{Kind: jsondoc.String, Str: s}, nil
	case "int", "integer":
		n, ok := strtoll(cString(s))
		if !ok {
			return nil, fmt.Errorf("parsing int failed for \"%s\" - \"%s\"", path, s)
		}
		return &jsondoc.Node{Kind: jsondoc.Int, Int: n, Str: strconv.FormatInt(n, 10)}, nil
	case "real":
		f, ok := strtod(cString(s))
		if !ok {
			return nil, fmt.Errorf("parsing real failed for \"%s\" - \"%s\"", path, s)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			// jansson's json_real refuses them.
			return nil, fmt.Errorf("value to add is not a real \"%s\"", path)
		}
		return &jsondoc.Node{Kind: jsondoc.Real, Real: f}, nil
	case "true":
		return &jsondoc.Node{Kind: jsondoc.True}, nil
	case "false":
		return &jsondoc.Node{Kind: jsondoc.False}, nil
	case "null":
		return &jsondoc.Node{Kind: jsondoc.Null}, nil
	}
	return nil, errors.New("unrecognized input type")
}
