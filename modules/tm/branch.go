package tm

import (
	"crypto/md5"
	"encoding/hex"
	"math/rand/v2"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// md5Len is the length of a characteristic value: 32 hexadecimal digits.
const md5Len = 32

// maxBranches is Kamailio's default max_branches (the Request-URI's branch
// and the destination set's): a reply naming a higher branch number
// matches nothing.
const maxBranches = sipmsg.MaxBranches + 1

// The branch parameter of the requests a transaction sends is Kamailio's:
// z9hG4bK, the hash index, the transaction's characteristic value and the
// branch number (the numbers in reversed hexadecimal), so that the replies
// find the transaction and the branch, and so that the same request gets
// the same branch from kamgo and Kamailio.

// branchParam is the branch parameter of branch idx of x.
func (x *txn) branchParam(idx int) string {
	return magicCookie + revHex(x.index) + "." + x.md5 + "." + revHex(uint32(idx))
}

// charMsgVal is Kamailio's characteristic value of a request (char_msg_val):
// the MD5, in lower-case hexadecimal, of the From tag, the To tag (none for
// INVITE, ACK and CANCEL), the Call-ID, the Request-URI as received, the
// CSeq number and the top Via's host, port (as written) and branch.
func charMsgVal(req *sipmsg.Msg, k *matchKeys) string {
	// The parts are hashed as one text: the buffer stays on the stack for
	// usual requests, where a hash.Hash would copy every part to the heap.
	var space [512]byte
	b := append(space[:0], k.fromTag...)
	switch k.method {
	case "INVITE", "ACK", "CANCEL":
	default:
		b = append(b, k.toTag...)
	}
	b = append(b, k.callID...)
	b = append(b, k.ruri...)
	b = append(b, k.cseqNum...)
	if v, _, ok := req.TopVia(); ok {
		b = append(b, v.Host...)
		b = append(b, v.Port...)
		if br, ok := v.Param("branch"); ok {
			b = append(b, br...)
		}
	}
	sum := md5.Sum(b)
	var out [md5Len]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// localMD5 is the characteristic value of a transaction kamgo starts
// itself (t_uac_send), which has no request to take it from: as Kamailio's,
// a random number in reversed hexadecimal followed by zeros.
func localMD5() string {
	s := revHex(rand.Uint32())
	return s + strings.Repeat("0", md5Len-len(s))
}
