package kamref

import (
	"errors"
	"fmt"
	"strconv"
)

// maxFrame bounds the length a peer may announce; evapi itself never
// buffers more than 32 KiB per client, so anything larger is garbage.
const maxFrame = 1 << 20

// AppendNetstring appends payload framed as a netstring ("LEN:payload,").
func AppendNetstring(dst []byte, payload string) []byte {
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, ':')
	dst = append(dst, payload...)
	return append(dst, ',')
}

// ErrIncomplete reports that the buffer does not yet hold a whole frame.
var ErrIncomplete = errors.New("netstring: incomplete frame")

// DecodeNetstring decodes the first frame of buf. It returns the payload and
// the number of bytes consumed; ErrIncomplete means more bytes are needed.
// Whitespace before a frame is skipped, as evapi does.
func DecodeNetstring(buf []byte) (payload string, n int, err error) {
	i := 0
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n') {
		i++
	}
	start := i
	length := 0
	for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
		length = length*10 + int(buf[i]-'0')
		if length > maxFrame {
			return "", 0, fmt.Errorf("netstring: length exceeds %d at byte %d", maxFrame, start)
		}
		i++
	}
	if i == len(buf) {
		return "", 0, ErrIncomplete
	}
	if i == start || buf[i] != ':' {
		return "", 0, fmt.Errorf("netstring: bad length prefix at byte %d", start)
	}
	i++
	if len(buf)-i < length+1 {
		return "", 0, ErrIncomplete
	}
	if buf[i+length] != ',' {
		return "", 0, fmt.Errorf("netstring: missing ',' after %d-byte payload at byte %d", length, start)
	}
	return string(buf[i : i+length]), i + length + 1, nil
}
