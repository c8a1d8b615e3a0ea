package json

import (
	"math"
	"strings"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
)

// escapeChar stands for '.' inside a key of a {json.parse} path. The
// json_escape_char parameter was meant to change it; in Kamailio 5.6.3
// it does not.
const escapeChar = '%'

// cString is s as C code reads it: up to the first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// lookup follows a {json.parse} path from root: segments separated by
// sep ('.' for parse, the path's first character for parsex; empty
// segments are skipped, as strtok skips them), each a key optionally followed by
// "[n]"; '%' in a key stands for '.'. A key looks into an object (or
// finds nothing); an index applies only when the key's value is an array
// and is read as C's atoi, a negative one finding nothing; on any other
// value the index is ignored. A segment that starts with '[' reuses the
// previous segment's key, as Kamailio's sscanf leaves it; for the first
// segment it finds nothing.
func lookup(root *jsondoc.Node, path string, sep byte) *jsondoc.Node {
	cur := root
	prevKey, havePrev := "", false
	for _, seg := range strings.Split(path, string(sep)) {
		if seg == "" {
			continue
		}
		if cur == nil {
			break
		}
		seg = strings.ReplaceAll(seg, string(escapeChar), ".")
		key, idx, hasIdx := splitSegment(seg)
		if key == "" {
			if !havePrev {
				return nil
			}
			key = prevKey
		}
		prevKey, havePrev = key, true
		cur, _ = cur.Field(key)
		if cur != nil && hasIdx && cur.Kind == jsondoc.Array {
			cur = cur.Index(uint64(atoi(idx)))
		}
	}
	return cur
}

// splitSegment reads "key[idx]" as sscanf's "%[^[][%[^]]]" does: key is
// the text before the first '[' (empty when the segment starts with
// one: sscanf then matches nothing, not even the index); idx is the text
// after it up to ']', present only when not empty.
func splitSegment(seg string) (key, idx string, hasIdx bool) {
	i := strings.IndexByte(seg, '[')
	if i == 0 {
		return "", "", false
	}
	if i < 0 {
		return seg, "", false
	}
	key, rest := seg[:i], seg[i+1:]
	if j := strings.IndexByte(rest, ']'); j >= 0 {
		rest = rest[:j]
	}
	return key, rest, rest != ""
}

// atoi is C's atoi, (int)strtol(s, NULL, 10): leading white space, a
// sign, digits (saturating at the long range), anything else reads as 0;
// the result is cut to 32 bits.
func atoi(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n <= (1<<63)/10 {
			n = n*10 + uint64(s[i]-'0')
		} else {
			n = 1 << 63
		}
	}
	var v int64
	switch {
	case neg && n >= 1<<63:
		v = math.MinInt64
	case neg:
		v = -int64(n)
	case n >= 1<<63:
		v = math.MaxInt64
	default:
		v = int64(n)
	}
	return int64(int32(v))
}
