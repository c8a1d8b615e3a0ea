package binrpc

import (
	"bytes"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// Record is one record read from a body. End marks the end tag of a
// structure or an array. Name is set for a structure member (AVP), whose
// Type is then its value's type.
type Record struct {
	Type   Type
	End    bool
	Name   []byte
	Int    int32
	Double float64
	Str    []byte // Str (without its terminator) and Bytes
}

// Reader reads the records of a body one by one with the rules of
// Kamailio's binrpc_read_record: structure members only inside
// structures, nesting counted, and, unless Loose, no plain values inside
// structures (requests); Loose (Kamailio's smode) allows them, as replies
// use them for arrays.
type Reader struct {
	b        []byte
	off      int
	inStruct int
	inArray  int
	Loose    bool
}

// NewReader returns a reader of body.
func NewReader(body []byte) *Reader { return &Reader{b: body} }

// Offset is the number of bytes read.
func (r *Reader) Offset() int { return r.off }

// Next reads the next record, which must be of type want (or anything
// for All). On error nothing is consumed: ErrEOP at the end of the body,
// ErrMoreData when the record runs past it, ErrType for another type,
// ErrRecord for a record that is not allowed where it is.
func (r *Reader) Next(want Type) (Record, error) {
	if r.off >= len(r.b) {
		return Record{}, ErrEOP
	}
	rec, n, err := r.read(r.b[r.off:], want)
	if err != nil {
		return Record{}, err
	}
	r.off += n
	return rec, nil
}

// read reads one record at the start of b; n is its size.
func (r *Reader) read(b []byte, want Type) (rec Record, n int, err error) {
	if len(b) == 0 {
		return rec, 0, ErrMoreData
	}
	t := Type(b[0] & 0xf)
	size := int(b[0] >> 4)
	p := 1
	endTag := false
	if t != Double && size&8 != 0 {
		endTag = true
		k := size & 7
		if p+k > len(b) {
			return rec, 0, ErrMoreData
		}
		u := readUint(b[p : p+k])
		p += k
		if u > uint64(len(b)) {
			return rec, 0, ErrMoreData
		}
		size = int(u)
	}
	if p+size > len(b) {
		return rec, 0, ErrMoreData
	}
	if want != All && want != t {
		return rec, 0, ErrType
	}
	rec.Type = t
	plainOK := r.inStruct == 0 || r.Loose
	switch t {
	case Struct:
		// Kamailio reads no value bytes for a tag, whatever its size says.
		switch {
		case r.inStruct > 0 && endTag:
			r.inStruct--
			rec.End = true
		case r.inStruct > 0 && !r.Loose:
			return rec, 0, ErrRecord
		case r.inStruct == 0 && endTag:
			return rec, 0, ErrRecord
		default:
			r.inStruct++
		}
	case AVP:
		if r.inStruct == 0 {
			return rec, 0, ErrType
		}
		if size > 0 {
			rec.Name = b[p : p+size-1]
		}
		p += size
		if p >= len(b) {
			return rec, 0, ErrMoreData
		}
		vt := Type(b[p] & 0xf)
		if vt == AVP || vt == Array {
			return rec, 0, ErrRecord
		}
		// The value is read as a plain record outside any structure; a
		// structure it opens adds to the nesting.
		saved := r.inStruct
		r.inStruct = 0
		v, m, err := r.read(b[p:], All)
		if err != nil {
			r.inStruct = saved
			return rec, 0, err
		}
		r.inStruct += saved
		v.Name = rec.Name
		return v, p + m, nil
	case Int:
		if !plainOK {
			return rec, 0, ErrRecord
		}
		rec.Int = int32(uint32(readUint(b[p : p+size])))
		p += size
	case Str:
		if !plainOK {
			return rec, 0, ErrRecord
		}
		if size > 0 {
			rec.Str = b[p : p+size-1]
		}
		p += size
	case Bytes:
		if !plainOK {
			return rec, 0, ErrRecord
		}
		rec.Str = b[p : p+size]
		p += size
	case Array:
		if !plainOK {
			return rec, 0, ErrRecord
		}
		if endTag {
			if r.inArray == 0 {
				return rec, 0, ErrRecord
			}
			r.inArray--
			rec.End = true
		} else {
			r.inArray++
		}
	case Double:
		if !plainOK {
			return rec, 0, ErrRecord
		}
		rec.Double = float64(int64(readUint(b[p:p+size]))) / 1000
		p += size
	default:
		if r.inStruct > 0 {
			return rec, 0, ErrRecord
		}
		return rec, 0, ErrType
	}
	return rec, p, nil
}

// MaxDepth bounds the nesting of structures and arrays Values accepts.
const MaxDepth = 64

// Values reads records until the end of the body and builds values:
// integers, doubles, strings, structures (members in order) and arrays.
// A structure whose members have no names is an array, as Kamailio sends
// arrays. Bytes records become strings. It returns the values complete
// before the first error, and the error (nil at a clean end).
func (r *Reader) Values() ([]*rpc.Value, error) {
	vals, _, err := r.Params()
	return vals, err
}

// Params is Values that also returns the record type of each value
// (Bytes for a string that came as bytes, Struct for an array sent as a
// structure), which Kamailio's parameter reading tells apart.
func (r *Reader) Params() ([]*rpc.Value, []Type, error) {
	var out []*rpc.Value
	var types []Type
	type open struct {
		v    *rpc.Value
		name []byte // the member name the container is stored under
		arr  bool   // opened by an array tag
	}
	var stack []open
	for {
		rec, err := r.Next(All)
		if err == ErrEOP && len(stack) == 0 {
			return out, types, nil
		}
		if err == ErrEOP {
			return out, types, ErrMoreData
		}
		if err != nil {
			return out, types, err
		}
		var v *rpc.Value
		switch rec.Type {
		case Struct, Array:
			if rec.End {
				if len(stack) == 0 || stack[len(stack)-1].arr != (rec.Type == Array) {
					return out, types, ErrRecord
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				v = top.v
				if v.Kind == rpc.Struct && len(v.Members) > 0 && unnamed(v) {
					items := make([]*rpc.Value, len(v.Members))
					for i, m := range v.Members {
						items[i] = m.Value
					}
					v = &rpc.Value{Kind: rpc.Array, Items: items}
				}
				rec.Name = top.name
				break
			}
			if len(stack) >= MaxDepth {
				return out, types, ErrRecord
			}
			kind := rpc.Struct
			if rec.Type == Array {
				kind = rpc.Array
			}
			stack = append(stack, open{v: &rpc.Value{Kind: kind}, name: rec.Name, arr: rec.Type == Array})
			continue
		case Int:
			v = rpc.NewInt(int64(rec.Int))
		case Double:
			v = rpc.NewDouble(rec.Double)
		case Str, Bytes:
			v = rpc.NewStr(string(rec.Str))
		}
		if len(stack) == 0 {
			out = append(out, v)
			types = append(types, rec.Type)
			continue
		}
		parent := stack[len(stack)-1].v
		if parent.Kind == rpc.Array {
			parent.Append(v)
		} else {
			parent.Set(string(rec.Name), v)
		}
	}
}

// unnamed reports whether no member of structure v has a name.
func unnamed(v *rpc.Value) bool {
	for _, m := range v.Members {
		if m.Name != "" {
			return false
		}
	}
	return true
}

// CString is s up to its first 0 byte, as C code reads a string.
func CString(s []byte) string {
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}

// ParseFault reads a fault body: its code and text.
func ParseFault(body []byte) (code int, text string, err error) {
	r := NewReader(body)
	c, err := r.Next(Int)
	if err != nil {
		return 0, "", err
	}
	s, err := r.Next(Str)
	if err != nil {
		return int(c.Int), "", err
	}
	return int(c.Int), CString(s.Str), nil
}
