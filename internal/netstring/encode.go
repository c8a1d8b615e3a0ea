package netstring

import "strconv"

// Append appends payload framed as a netstring to dst.
func Append[T ~string | ~[]byte](dst []byte, payload T) []byte {
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, ':')
	dst = append(dst, payload...)
	return append(dst, ',')
}

// HeaderRoom is room enough for the header ("LEN:") of any payload
// shorter than 100 GB.
const HeaderRoom = 12

// PutHeader writes the header of an n-byte payload into b so that it ends
// just before b[end], and returns where it starts. It lets a payload be
// formatted straight into a buffer after HeaderRoom reserved bytes and then
// framed in place: start := PutHeader(b, HeaderRoom, len(b)-HeaderRoom),
// then append ',' and send b[start:]. end must be at least the header's
// length (HeaderRoom always is).
func PutHeader(b []byte, end, n int) (start int) {
	var num [HeaderRoom]byte
	h := strconv.AppendInt(num[:0], int64(n), 10)
	h = append(h, ':')
	start = end - len(h)
	copy(b[start:end], h)
	return start
}
