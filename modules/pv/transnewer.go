package pv

import (
	"crypto/sha1"
	"crypto/sha3"
	"encoding/hex"
	"hash/crc32"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The {s.*} operators Kamailio added after 5.6, read from pv_trans.c at
// the tag of the release that added each (no Kamailio of those releases
// runs here, so none is recorded: the tests state what the source does).
// Checking for 5.6 refuses them (the catalog of each release lists its
// operators); kamgo runs them whatever release a config is checked for.
//
//	5.8: byteat, charat
//	6.0: escape.crlf, unescape.crlf, rmhdws, rmhlws
//	6.1: crc32, intv, keccak, selectsw, sha1, sha3
func addNewerStringOps(ops map[string]opSpec) {
	ops["byteat"] = opSpec{min: 1, max: 1, build: buildAt(false)}
	ops["charat"] = opSpec{min: 1, max: 1, build: buildAt(true)}
	ops["escape.crlf"] = strErr(escapeCRLF)
	ops["unescape.crlf"] = strErr(unescapeCRLF)
	ops["rmhdws"] = str(func(s string) string { return unfold(s, true) })
	ops["rmhlws"] = str(func(s string) string { return unfold(s, false) })
	ops["crc32"] = simple(func(s string) (value.Value, error) {
		return value.MakeInt(int64(crc32.ChecksumIEEE([]byte(s)))), nil
	})
	// intv is int whose string form is made again from the number: a
	// kamgo integer always prints as its number, so the two agree here.
	ops["intv"] = stringOps["int"]
	ops["selectsw"] = opSpec{min: 1, max: 1, build: buildSelectWS}
	ops["sha1"] = str(func(s string) string { x := sha1.Sum([]byte(s)); return hex.EncodeToString(x[:]) })
	ops["sha3"] = opSpec{max: 1, build: buildSHA3("sha3", false)}
	ops["keccak"] = opSpec{max: 1, build: buildSHA3("keccak", true)}
}

// buildAt builds {s.charat,i} (the byte at i as a one-byte string) and
// {s.byteat,i} (its value as a signed C char). An index outside the value
// gives "" (charat) or -1 with an empty string form (byteat).
func buildAt(char bool) func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	return func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		idx, err := intParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			i, err := idx(c)
			if err != nil {
				return value.NullValue, err
			}
			switch {
			case i < 0 || i >= len(s):
				if char {
					return value.MakeStr(""), nil
				}
				return value.MakeStrInt("", -1), nil
			case char:
				return value.MakeStr(s[i : i+1]), nil
			}
			return value.MakeInt(int64(int8(s[i]))), nil
		}, nil
	}
}

// escapeCRLF writes CR and LF as \r and \n; an empty value fails.
func escapeCRLF(s string) (string, error) {
	if s == "" {
		return "", errTrans
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s), nil
}

// unescapeCRLF turns \r and \n back into CR and LF and keeps any other
// backslash; an empty value fails.
func unescapeCRLF(s string) (string, error) {
	if s == "" {
		return "", errTrans
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r') {
			if s[i+1] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte('\r')
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// unfold removes header line folding: every CR and LF goes, and the
// spaces and tabs right after them become one space (rmhdws, space true)
// or nothing (rmhlws).
func unfold(s string, space bool) string {
	var b strings.Builder
	state := 0 // 1: after CR/LF, 2: after CR/LF and white space
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\r' || ch == '\n':
			state = 1
		case state != 0 && (ch == ' ' || ch == '\t'):
			if state == 1 && space {
				b.WriteByte(' ')
			}
			state = 2
		default:
			b.WriteByte(ch)
			state = 0
		}
	}
	return b.String()
}

// buildSelectWS builds {s.selectsw,i}: field i of the value split at
// each space, tab, CR or LF (two in a row make an empty field); a
// negative i counts from the end (-1 is the last). A field past the
// ends gives "".
func buildSelectWS(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	idx, err := intParam(t, ps[0])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context, s string) (value.Value, error) {
		i, err := idx(c)
		if err != nil {
			return value.NullValue, err
		}
		fields := splitWS(s)
		if i < 0 {
			i += len(fields)
		}
		if i < 0 || i >= len(fields) {
			return value.MakeStr(""), nil
		}
		return value.MakeStr(fields[i]), nil
	}, nil
}

// splitWS splits at every white-space byte, keeping empty fields.
func splitWS(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// buildSHA3 builds {s.sha3[,bits]} and {s.keccak[,bits]}: the hex digest
// of 256 (default), 384 or 512 bits, SHA-3 or the original Keccak
// padding. bits is read as C's strtol reads it; another size logs an
// error and fails. A pseudo-variable as bits is not read (Kamailio reads
// only a literal), so the digest has 256 bits.
func buildSHA3(name string, keccak bool) func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	return func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		bits := int64(256)
		if len(ps) == 1 && ps[0].PV == nil {
			bits = strtol(ps[0].Text)
		}
		return func(c *event.Context, s string) (value.Value, error) {
			if bits != 256 && bits != 384 && bits != 512 {
				logf(c, klog.Err, "tr_eval_string(): invalid/unsupported %d bit length in %s transformation", int32(bits), name)
				return value.NullValue, errTrans
			}
			var sum []byte
			switch {
			case keccak:
				sum = legacyKeccak([]byte(s), int(bits))
			case bits == 256:
				x := sha3.Sum256([]byte(s))
				sum = x[:]
			case bits == 384:
				x := sha3.Sum384([]byte(s))
				sum = x[:]
			default:
				x := sha3.Sum512([]byte(s))
				sum = x[:]
			}
			return value.MakeStr(hex.EncodeToString(sum)), nil
		}, nil
	}
}

// strtol reads a decimal number as C's strtol does: leading white space,
// a sign, digits; the rest is ignored and no digits read as 0.
func strtol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<40; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
