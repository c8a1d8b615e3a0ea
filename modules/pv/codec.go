package pv

import (
	"fmt"
	"math/big"
	"strings"
)

// encode7bit packs 7-bit characters as in an SMS PDU and prints the
// octets in upper-case hex.
func encode7bit(s string) string {
	var out []byte
	var acc uint
	bits := 0
	for i := 0; i < len(s); i++ {
		acc |= uint(s[i]&0x7f) << bits
		bits += 7
		for bits >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			bits -= 8
		}
	}
	if bits > 0 {
		out = append(out, byte(acc))
	}
	return fmt.Sprintf("%X", out)
}

// decode7bit unpacks hex octets of packed 7-bit characters.
func decode7bit(s string) string {
	var out []byte
	var acc uint
	bits := 0
	for i := 0; i+1 < len(s); i += 2 {
		b := hexval(s[i])<<4 | hexval(s[i+1])
		acc |= uint(b) << bits
		bits += 8
		for bits >= 7 {
			out = append(out, byte(acc&0x7f))
			acc >>= 7
			bits -= 7
		}
	}
	return string(out)
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// encodeBase58 uses the Bitcoin alphabet; leading zero bytes become '1'.
func encodeBase58(s string) string {
	n := new(big.Int).SetBytes([]byte(s))
	var out []byte
	mod := new(big.Int)
	base := big.NewInt(58)
	for i := 0; n.Sign() > 0 && i < 4*len(s)+1; i++ {
		n.DivMod(n, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for i := 0; i < len(s) && s[i] == 0; i++ {
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func decodeBase58(s string) (string, error) {
	n := new(big.Int)
	base := big.NewInt(58)
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return "", errTrans
		}
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(d)))
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	return strings.Repeat("\x00", zeros) + string(n.Bytes()), nil
}
