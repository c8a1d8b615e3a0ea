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
	h := md5.New()
	h.Write([]byte(k.fromTag))
	switch k.method {
	case "INVITE", "ACK", "CANCEL":
	default:
		h.Write([]byte(toTagOf(req)))
	}
	h.Write([]byte(k.callID))
	h.Write([]byte(k.ruri))
	h.Write([]byte(k.cseqNum))
	if v, _, ok := req.TopVia(); ok {
		h.Write([]byte(v.Host))
		h.Write([]byte(v.Port))
		if br, ok := v.Param("branch"); ok {
			h.Write([]byte(br))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// localMD5 is the characteristic value of a transaction kamgo starts
// itself (t_uac_send), which has no request to take it from: as Kamailio's,
// a random number in reversed hexadecimal followed by zeros.
func localMD5() string {
	s := revHex(rand.Uint32())
	return s + strings.Repeat("0", md5Len-len(s))
}
