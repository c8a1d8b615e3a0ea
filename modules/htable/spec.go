package htable

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/value"
)

// maxColumns is the most database columns a table's cols attribute may
// name (Kamailio's HT_MAX_COLS).
const maxColumns = 8

// maxSizeBits bounds the size attribute kamgo accepts: Kamailio takes up
// to 31 (2^31 slots), which no shared memory holds; kamgo refuses what
// would not fit there either instead of exhausting memory.
const maxSizeBits = 20

// parseSpec reads one htable modparam, "name=>attr=value;attr=value;...",
// as Kamailio's ht_table_spec does, into a table that is not yet
// initialized. The attributes are size, autoexpire, updateexpire,
// initval, dbtable, cols, dbmode and dmqreplicate; kamgo refuses dbtable
// (no database) and dmqreplicate (no DMQ).
func parseSpec(spec string) (*Table, error) {
	name, attrs, ok := splitKey(spec)
	if !ok {
		return nil, fmt.Errorf("invalid input parameter [%s]", spec)
	}
	t := &Table{Name: name, sizeBits: 4, updateExpire: true}
	attrs = strings.TrimSuffix(attrs, ";")
	for _, a := range splitParams(attrs) {
		k, v := a[0], a[1]
		var err error
		switch k {
		case "dbtable":
			t.dbtable = v
		case "cols":
			t.cols = v
		case "autoexpire":
			t.autoexpire, err = uintAttr(v)
		case "size":
			t.sizeBits, err = uintAttr(v)
		case "dbmode":
			t.dbmode, err = uintAttr(v)
		case "initval":
			n, ok := value.Str2Sint(v)
			if !ok {
				err = fmt.Errorf("not an integer")
			}
			t.hasInit, t.initVal = true, wrap32(n)
		case "updateexpire":
			var n int64
			n, err = uintAttr(v)
			t.updateExpire = n != 0
		case "dmqreplicate":
			t.dmqReplicate, err = uintAttr(v)
		default:
			err = fmt.Errorf("unknown attribute %s", k)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid htable parameter [%s]", spec)
		}
	}
	if t.dbtable != "" {
		return nil, fmt.Errorf("table %s: dbtable=%s needs a database, which kamgo does not have", name, t.dbtable)
	}
	if t.dmqReplicate > 0 {
		return nil, fmt.Errorf("table %s: dmqreplicate needs the dmq module, which kamgo does not have", name)
	}
	if t.cols != "" {
		n := strings.Count(t.cols, ",") + 1
		if n > maxColumns {
			return nil, fmt.Errorf("too many columns %d", maxColumns)
		}
		if n < 2 {
			return nil, fmt.Errorf("there must be at least two columns (prefix, value)")
		}
	}
	switch {
	case t.sizeBits <= 1:
		t.nslots = 8
	case t.sizeBits > 31:
		t.nslots = 1 << 14
	case t.sizeBits > maxSizeBits:
		return nil, fmt.Errorf("table %s: size=%d asks for 2^%d slots; kamgo allows at most size=%d", name, t.sizeBits, t.sizeBits, maxSizeBits)
	default:
		t.nslots = 1 << t.sizeBits
	}
	return t, nil
}

// splitKey splits "key => rest" as Kamailio's keyvalue parser does: white
// space may surround the key, "=>" follows it, white space after it is
// skipped.
func splitKey(s string) (key, rest string, ok bool) {
	p := strings.TrimLeft(s, " \t\n\r")
	end := strings.IndexAny(p, "= \t\n\r")
	if end <= 0 {
		return "", "", false
	}
	key, p = p[:end], strings.TrimLeft(p[end:], " \t\n\r")
	if !strings.HasPrefix(p, "=>") {
		return "", "", false
	}
	return key, strings.TrimLeft(p[2:], " \t\n\r"), true
}

// splitParams splits "a=1;b=2" into name/value pairs, trimming white space
// and the quotes of a quoted value, as Kamailio's parse_params does for
// these attributes.
func splitParams(s string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if k == "" && v == "" {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

// uintAttr reads an unsigned decimal as Kamailio's str2int: digits only.
func uintAttr(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not a number")
		}
		n = n*10 + int64(s[i]-'0')
		if n > 1<<32-1 {
			return 0, fmt.Errorf("too large")
		}
	}
	return n, nil
}

// wrap32 keeps n in 32 bits: Kamailio 5.6's item values are C ints.
func wrap32(n int64) int64 { return int64(int32(n)) }
