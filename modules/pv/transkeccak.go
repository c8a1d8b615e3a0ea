package pv

import "math/bits"

// legacyKeccak is the original Keccak hash ({s.keccak}, Kamailio 6.1) of
// bits 256, 384 or 512: the SHA-3 sponge with the padding byte 0x01 in
// place of SHA-3's 0x06. The standard library has SHA-3 only.
func legacyKeccak(msg []byte, bits int) []byte {
	return sponge(msg, bits/8, 0x01)
}

// sponge absorbs msg into a Keccak-f[1600] state at the rate of a digest
// of size bytes, pads with pad and squeezes size bytes (size is at most
// the rate for every digest kamgo asks for).
func sponge(msg []byte, size int, pad byte) []byte {
	rate := 200 - 2*size
	var a [25]uint64
	absorb := func(block []byte) {
		for i := 0; i < rate/8; i++ {
			a[i] ^= le64(block[8*i:])
		}
		keccakF(&a)
	}
	for len(msg) >= rate {
		absorb(msg[:rate])
		msg = msg[rate:]
	}
	last := make([]byte, rate)
	copy(last, msg)
	last[len(msg)] ^= pad
	last[rate-1] ^= 0x80
	absorb(last)
	out := make([]byte, 0, size)
	for i := 0; len(out) < size; i++ {
		for j := 0; j < 8 && len(out) < size; j++ {
			out = append(out, byte(a[i]>>(8*j)))
		}
	}
	return out
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// keccakRC are the round constants of Keccak-f[1600].
var keccakRC = [24]uint64{
	0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
	0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
	0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
	0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
	0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
	0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}

// keccakRho are the rotation offsets of the rho step, by lane x+5y.
var keccakRho = [25]int{
	0, 1, 62, 28, 27,
	36, 44, 6, 55, 20,
	3, 10, 43, 25, 39,
	41, 45, 15, 21, 8,
	18, 2, 61, 56, 14,
}

// keccakF is the Keccak-f[1600] permutation; lane (x, y) is a[x+5y].
func keccakF(a *[25]uint64) {
	for round := 0; round < 24; round++ {
		var c, d [5]uint64
		for x := 0; x < 5; x++ {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := 0; x < 5; x++ {
			d[x] = c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
		}
		var b [25]uint64
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				// rho and pi: lane (x, y) moves to (y, 2x+3y).
				b[y+5*((2*x+3*y)%5)] = bits.RotateLeft64(a[x+5*y]^d[x], keccakRho[x+5*y])
			}
		}
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				a[x+5*y] = b[x+5*y] ^ (^b[(x+1)%5+5*y] & b[(x+2)%5+5*y])
			}
		}
		a[0] ^= keccakRC[round]
	}
}
