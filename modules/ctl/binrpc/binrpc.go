// Package binrpc owns the binrpc wire format of Kamailio's ctl module, the
// protocol kamcmd speaks: the packet header (magic, version, message type,
// body length and cookie, each on as few bytes as they need), the typed
// records of a body (int, string, double, struct, array, struct member,
// bytes), replies and faults. It reads and writes bytes only; module ctl
// runs the listeners and the commands.
//
// The format follows Kamailio 5.6.3's src/modules/ctl/binrpc.h: a record is
// one byte holding a 4-bit size and a 4-bit type, then the value. When the
// size's high bit is set (for any type but double) its low three bits count
// the bytes of a separate length that follows. Integers are 32-bit two's
// complement, doubles are fixed point (the value times 1000 in a 64-bit
// integer), strings and member names carry a terminating 0 that their
// length counts.
package binrpc

import "strconv"

// The first header byte: magic 0xA in the high nibble, version 1 in the low.
const (
	Magic      = 0xA
	Version    = 1
	HeaderByte = Magic<<4 | Version
)

// Header sizes: two fixed bytes, then 1..4 bytes of body length and 1..4 of
// cookie.
const (
	MinHeaderSize = 4
	MaxHeaderSize = 10
)

// MsgType is a packet's type.
type MsgType uint8

// Packet types.
const (
	Request MsgType = 0
	Reply   MsgType = 1
	Fault   MsgType = 3
)

// Type is a record's type.
type Type uint8

// Record types. All is a wildcard for Reader.Next; it never appears in a
// packet.
const (
	Int    Type = 0
	Str    Type = 1
	Double Type = 2
	Struct Type = 3
	Array  Type = 4
	AVP    Type = 5
	Bytes  Type = 6
	All    Type = 0xf
)

// Name is what Kamailio calls the type in its scan faults.
func (t Type) Name() string {
	switch t {
	case Int:
		return "integer"
	case Str:
		return "string"
	case Double:
		return "float"
	case Struct:
		return "structure"
	case Array:
		return "array"
	case AVP:
		return "structure member"
	case Bytes:
		return "bytes array"
	case All:
		return "any"
	}
	return "<unknown/error>"
}

// Error is one of binrpc's error codes. Its text is the one Kamailio puts
// in its faults ("bad request: corrupted packet").
type Error int

// Error codes, with Kamailio's numbers.
const (
	ErrInval    Error = -1
	ErrOverflow Error = -2
	ErrBadPkt   Error = -3
	ErrMoreData Error = -4
	ErrEOP      Error = -5
	ErrNotInit  Error = -6
	ErrType     Error = -7
	ErrRecord   Error = -8
	ErrBug      Error = -9
)

var errText = [...]string{
	"no error",
	"invalid function arguments",
	"buffer too small (overflow)",
	"corrupted packet",
	"more data needed",
	"end of packet encountered",
	"binrpc parse context not initialized",
	"record doesn't match type",
	"bad record",
	"bug -- internal error",
	"unknown/invalid error code",
}

func (e Error) Error() string {
	n := -int(e)
	if n < 0 {
		n = -n
	}
	if n >= len(errText) {
		n = len(errText) - 1
	}
	return errText[n]
}

// Code is the error's number as Kamailio prints it ("(-2)").
func (e Error) Code() string { return strconv.Itoa(int(e)) }

// Header is a parsed packet header.
type Header struct {
	Type    MsgType
	BodyLen uint32 // bytes of body after the header
	Cookie  uint32 // echoed in the reply
	Size    int    // bytes of header
}

// ParseHeader reads the header at the start of b. ErrMoreData means b is
// too short to hold it; ErrBadPkt a wrong magic, version or type. When
// only the length and cookie bytes are missing, Size is still set.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < MinHeaderSize {
		return h, ErrMoreData
	}
	if b[0] != HeaderByte {
		return h, ErrBadPkt
	}
	h.Type = MsgType(b[1] >> 4)
	switch h.Type {
	case Request, Reply, Fault:
	default:
		return h, ErrBadPkt
	}
	lenLen := int(b[1]>>2&3) + 1
	cLen := int(b[1]&3) + 1
	h.Size = 2 + lenLen + cLen
	if h.Size > len(b) {
		return h, ErrMoreData
	}
	h.BodyLen = uint32(readUint(b[2 : 2+lenLen]))
	h.Cookie = uint32(readUint(b[2+lenLen : h.Size]))
	return h, nil
}

// AppendHeader appends the header of a packet of type t whose body is
// bodyLen bytes long.
func AppendHeader(dst []byte, t MsgType, bodyLen int, cookie uint32) []byte {
	lenLen := max(intSize(uint32(bodyLen)), 1)
	cLen := max(intSize(cookie), 1)
	dst = append(dst, HeaderByte, byte(t)<<4|byte(lenLen-1)<<2|byte(cLen-1))
	dst = appendUint(dst, uint64(uint32(bodyLen)), lenLen)
	return appendUint(dst, uint64(cookie), cLen)
}

// intSize is the fewest bytes that hold u (0 for 0).
func intSize(u uint32) int {
	n := 0
	for u != 0 {
		n++
		u >>= 8
	}
	return n
}

// llongSize is intSize for 64 bits.
func llongSize(u uint64) int {
	n := 0
	for u != 0 {
		n++
		u >>= 8
	}
	return n
}

// appendUint appends the low n bytes of u, big endian.
func appendUint(dst []byte, u uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(u>>(8*uint(i))))
	}
	return dst
}

// readUint reads b big endian; bytes beyond the eighth push the first ones
// out, as Kamailio's shifting reader does.
func readUint(b []byte) uint64 {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}
