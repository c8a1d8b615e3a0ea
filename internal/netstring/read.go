package netstring

import (
	"bufio"
	"errors"
	"io"
)

// Error is an invalid frame met by Read or Conn.Recv. Reason is worded as
// Decoder's reasons are.
type Error struct {
	Reason string
	// Fatal: the length was too long, so the stream cannot be resynchronised.
	Fatal bool
}

func (e *Error) Error() string { return "netstring: " + e.Reason }

// Read reads one frame from r and returns its payload in a new slice. It
// follows Decoder's grammar: whitespace before the frame is skipped, and a
// payload longer than max is an error. At the end of the stream before any
// byte of a frame it returns io.EOF; a stream that ends inside a frame gives
// io.ErrUnexpectedEOF. An invalid frame is an *Error; what follows it in r
// is left unread.
func Read(r *bufio.Reader, max int) ([]byte, error) {
	c, err := r.ReadByte()
	for err == nil && isSpace(c) {
		c, err = r.ReadByte()
	}
	if err != nil {
		return nil, err
	}
	length, digits := 0, 0
	for c >= '0' && c <= '9' {
		length = length*10 + int(c-'0')
		if length > max {
			return nil, &Error{Reason: exceedsReason("", max), Fatal: true}
		}
		if digits >= MaxLenDigits {
			return nil, &Error{Reason: digitsReason(), Fatal: true}
		}
		digits++
		if c, err = r.ReadByte(); err != nil {
			return nil, midFrame(err)
		}
	}
	if digits == 0 || c != ':' {
		return nil, &Error{Reason: charReason(c, digits == 0)}
	}
	if length == 0 {
		return nil, &Error{Reason: zeroReason}
	}
	b := make([]byte, length+1)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, midFrame(err)
	}
	if b[length] != ',' {
		return nil, &Error{Reason: mismatchReason(b[length], length)}
	}
	return b[:length], nil
}

// midFrame reports the end of the stream inside a frame as unexpected.
func midFrame(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
