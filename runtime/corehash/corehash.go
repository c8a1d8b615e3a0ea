// Package corehash owns Kamailio's core string hash (core_hash in the
// core's hashes.h): cfgutils' core_hash() and lock slots, pv's
// {s.corehex} and the XAVP ids pv prints all use it, and must agree with
// Kamailio's values byte for byte.
package corehash

// Sum hashes s1 and, when it is not empty, s2, and reduces the hash to a
// slot when size is not 0 (size must then be a power of two). Bytes are
// signed, as C chars are on x86.
func Sum(s1, s2 string, size uint32) uint32 {
	var h uint32
	add := func(s string) {
		p := 0
		for ; p+4 <= len(s); p += 4 {
			v := signed(s[p])<<24 + signed(s[p+1])<<16 + signed(s[p+2])<<8 + signed(s[p+3])
			h += v ^ (v >> 3)
		}
		var v uint32
		for ; p < len(s); p++ {
			v = v<<8 + signed(s[p])
		}
		h += v ^ (v >> 3)
	}
	add(s1)
	if s2 != "" {
		add(s2)
	}
	h = (h + (h >> 11)) + ((h >> 13) + (h >> 23))
	if size != 0 {
		return h & (size - 1)
	}
	return h
}

func signed(b byte) uint32 { return uint32(int32(int8(b))) }
