package evapi

import (
	"bytes"
	"strconv"
)

// result is what decoder.next found at the front of the buffer.
type result uint8

const (
	// needMore: the bytes consumed were whitespace or skipped garbage; the
	// rest of the buffer is the start of a frame and must be kept until
	// more data arrives.
	needMore result = iota
	// gotFrame: a whole frame; payload points into the buffer.
	gotFrame
	// badFrame: an invalid frame was detected and is being discarded up
	// to and including its next ','; reason says why.
	badFrame
	// tooLong: the announced length exceeds the limit; the connection
	// must be closed, nothing after this point is parsed.
	tooLong
)

// maxLenDigits bounds the digits of a length prefix, leading zeros
// included, so a pending header can never grow without bound.
const maxLenDigits = 20

// decoder parses incoming netstrings ("LEN:payload,") from a stream. It is
// restartable at any byte boundary: next only reports frames and errors
// that the bytes seen so far fully determine, so feeding a stream in any
// split gives the same results as feeding it whole. The only state kept
// between calls is whether garbage is being skipped; a partial frame is
// left in the caller's buffer and parsed again from its start.
type decoder struct {
	max  int  // largest payload accepted
	skip bool // discarding a bad frame up to its next ','
}

// next examines buf and reports the first event. n is the number of bytes
// consumed; for needMore the caller keeps buf[n:] and calls again when more
// data has been appended.
func (d *decoder) next(buf []byte) (payload []byte, n int, r result, reason string) {
	i := 0
	if d.skip {
		j := bytes.IndexByte(buf, ',')
		if j < 0 {
			return nil, len(buf), needMore, ""
		}
		d.skip = false
		i = j + 1
	}
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n') {
		i++
	}
	start := i
	length := 0
	for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
		length = length*10 + int(buf[i]-'0')
		if length > d.max {
			return nil, i + 1, tooLong, "frame length exceeds max_frame_size (" + strconv.Itoa(d.max) + ")"
		}
		if i-start >= maxLenDigits {
			return nil, i + 1, tooLong, "frame length has more than " + strconv.Itoa(maxLenDigits) + " digits"
		}
		i++
	}
	if i == len(buf) {
		return nil, start, needMore, ""
	}
	if i == start || buf[i] != ':' {
		// The bad byte may itself be the ',' that ends the bad frame.
		d.skip = true
		if i == start {
			return nil, i, badFrame, "invalid character " + strconv.QuoteRune(rune(buf[i])) + " where a frame length was expected"
		}
		return nil, i, badFrame, "invalid character " + strconv.QuoteRune(rune(buf[i])) + " in the frame length"
	}
	if length == 0 {
		d.skip = true
		return nil, i + 1, badFrame, "invalid frame length 0"
	}
	end := i + 1 + length
	if end >= len(buf) {
		return nil, start, needMore, ""
	}
	if buf[end] != ',' {
		d.skip = true
		return nil, end, badFrame, "frame size mismatch: " + strconv.QuoteRune(rune(buf[end])) + " where ',' should end a " + strconv.Itoa(length) + "-byte payload"
	}
	return buf[i+1 : end], end + 1, gotFrame, ""
}

// need reports how many bytes the pending partial frame at the start of buf
// occupies once complete, or 0 when its length prefix is not yet complete.
func need(buf []byte) int {
	i := 0
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n') {
		i++
	}
	length := 0
	for ; i < len(buf) && buf[i] >= '0' && buf[i] <= '9'; i++ {
		length = length*10 + int(buf[i]-'0')
	}
	if i < len(buf) && buf[i] == ':' {
		return i + 1 + length + 1
	}
	return 0
}
