package netstring

import (
	"bytes"
	"strconv"
)

// Result is what Decoder.Next found at the front of the buffer.
type Result uint8

const (
	// NeedMore: the bytes consumed were whitespace or skipped garbage; the
	// rest of the buffer is the start of a frame and must be kept until
	// more data arrives.
	NeedMore Result = iota
	// Frame: a whole frame; the payload points into the buffer.
	Frame
	// Bad: an invalid frame was detected and is being discarded up to and
	// including its next ','; the reason says why.
	Bad
	// TooLong: the announced length exceeds the limit, or has more than
	// MaxLenDigits digits. Nothing after this point can be parsed: a
	// connection must be closed.
	TooLong
)

// MaxLenDigits bounds the digits of a length prefix, leading zeros
// included, so a pending header can never grow without bound.
const MaxLenDigits = 20

// Decoder parses netstrings from a stream. It is restartable at any byte
// boundary: Next only reports frames and errors that the bytes seen so far
// fully determine, so feeding a stream in any split gives the same results
// as feeding it whole. The only state kept between calls is whether an
// invalid frame is being skipped; a partial frame is left in the caller's
// buffer and parsed again from its start. The zero Decoder accepts no
// payload at all: set Max.
type Decoder struct {
	// Max is the largest payload accepted.
	Max int
	// MaxName names the limit in TooLong reasons: "frame length exceeds
	// MaxName (Max)". "the limit" when empty.
	MaxName string

	skip bool // discarding an invalid frame up to its next ','
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Next examines buf and reports the first event. n is the number of bytes
// consumed; for NeedMore the caller keeps buf[n:] and calls again when more
// data has been appended. The reason is empty for NeedMore and Frame.
func (d *Decoder) Next(buf []byte) (payload []byte, n int, r Result, reason string) {
	i := 0
	if d.skip {
		j := bytes.IndexByte(buf, ',')
		if j < 0 {
			return nil, len(buf), NeedMore, ""
		}
		d.skip = false
		i = j + 1
	}
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	start := i
	length := 0
	for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
		length = length*10 + int(buf[i]-'0')
		if length > d.Max {
			return nil, i + 1, TooLong, exceedsReason(d.MaxName, d.Max)
		}
		if i-start >= MaxLenDigits {
			return nil, i + 1, TooLong, digitsReason()
		}
		i++
	}
	if i == len(buf) {
		return nil, start, NeedMore, ""
	}
	if i == start || buf[i] != ':' {
		// The bad byte may itself be the ',' that ends the bad frame.
		d.skip = true
		return nil, i, Bad, charReason(buf[i], i == start)
	}
	if length == 0 {
		d.skip = true
		return nil, i + 1, Bad, zeroReason
	}
	end := i + 1 + length
	if end >= len(buf) {
		return nil, start, NeedMore, ""
	}
	if buf[end] != ',' {
		d.skip = true
		return nil, end, Bad, mismatchReason(buf[end], length)
	}
	return buf[i+1 : end], end + 1, Frame, ""
}

// The reasons Next and Read give, built only when a frame is invalid.

func exceedsReason(name string, max int) string {
	if name == "" {
		name = "the limit"
	}
	return "frame length exceeds " + name + " (" + strconv.Itoa(max) + ")"
}

func digitsReason() string {
	return "frame length has more than " + strconv.Itoa(MaxLenDigits) + " digits"
}

func charReason(c byte, first bool) string {
	if first {
		return "invalid character " + strconv.QuoteRune(rune(c)) + " where a frame length was expected"
	}
	return "invalid character " + strconv.QuoteRune(rune(c)) + " in the frame length"
}

const zeroReason = "invalid frame length 0"

func mismatchReason(c byte, length int) string {
	return "frame size mismatch: " + strconv.QuoteRune(rune(c)) + " where ',' should end a " + strconv.Itoa(length) + "-byte payload"
}

// Need reports how many bytes the pending partial frame at the start of buf
// occupies once complete, or 0 when its length prefix is not yet complete.
// A reader uses it to grow its buffer to fit a frame in one step.
func Need(buf []byte) int {
	i := 0
	for i < len(buf) && isSpace(buf[i]) {
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
