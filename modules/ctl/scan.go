package ctl

import (
	"math"
	"strconv"

	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// scanner returns the rpc.Call Scan of a binrpc request whose parameters
// were decoded as params, with their record types; decodeErr is what
// stopped the decoding, nil at a clean end. It keeps Kamailio's binrpc
// rpc->scan rules: without conversion a string must come as a string
// record and an integer as an integer record; with it (autoconversion,
// or a handler that converts, as core.echo does) an integer reads as its
// digits (a negative one as the digits of its unsigned 64-bit value, as
// Kamailio prints it), a string of digits or a double reads as an
// integer, and a double cannot be read as a string. A read that fails
// says so in Kamailio's words.
func scanner(types []binrpc.Type, decodeErr error) func(int, *rpc.Value, rpc.Kind, bool) (*rpc.Value, string) {
	return func(idx int, v *rpc.Value, want rpc.Kind, convert bool) (*rpc.Value, string) {
		wantType := binrpc.Str
		if want == rpc.Int {
			wantType = binrpc.Int
		}
		asked := wantType
		if convert {
			asked = binrpc.All
		}
		if v == nil {
			err := binrpc.ErrEOP
			if e, ok := decodeErr.(binrpc.Error); ok && idx == len(types) {
				err = e
			}
			return nil, scanFault(idx, asked, err)
		}
		got := types[idx]
		if !convert {
			if got != wantType {
				return nil, scanFault(idx, asked, binrpc.ErrType)
			}
			return v, ""
		}
		switch {
		case want == rpc.Str && got == binrpc.Str:
			return v, ""
		case want == rpc.Str && got == binrpc.Int:
			return rpc.NewStr(strconv.FormatUint(uint64(v.Int), 10)), ""
		case want == rpc.Str && got == binrpc.Double:
			return nil, scanFault(idx, got, binrpc.ErrBug)
		case want == rpc.Int && got == binrpc.Int:
			return v, ""
		case want == rpc.Int && got == binrpc.Double:
			return rpc.NewInt(int64(truncInt32(v.Double))), ""
		case want == rpc.Int && got == binrpc.Str:
			if n, ok := str2sint(v.Str); ok {
				return rpc.NewInt(int64(n)), ""
			}
		}
		return nil, scanFault(idx, got, binrpc.ErrType)
	}
}

// scanFault is Kamailio's text for a parameter it could not read.
func scanFault(idx int, t binrpc.Type, err binrpc.Error) string {
	return "error at parameter " + strconv.Itoa(idx) + ": expected " + t.Name() + " type but " + err.Error()
}

// truncInt32 is C's (int) of a double, clamped where C's is undefined.
func truncInt32(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

// str2sint reads an optional sign and decimal digits, as Kamailio's
// str2sint does, into a 32-bit integer.
func str2sint(s string) (int32, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		u = u*10 + uint64(s[i]-'0')
	}
	if u > math.MaxUint32 {
		return 0, false
	}
	n := int32(uint32(u))
	if neg {
		n = -n
	}
	return n, true
}
