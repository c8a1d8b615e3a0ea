package sip

import (
	"errors"
	"strconv"

	"github.com/kamgo/kamgo/runtime/event"
)

// Kamailio's error codes of sending (its E_* values): what forward()
// returns to the script when it fails, and what sl_reply_error turns into
// a reply.
const (
	ErrUnspec     = -1
	ErrNoSocket   = -7
	ErrSend       = -477
	ErrBadAddress = -478
	ErrBadURI     = -479
	ErrBadProto   = -480
	ErrProhibited = -510 // onsend_route dropped the message
)

// Error is a failed send, with its Kamailio code.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "sip: error " + strconv.Itoa(e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the Kamailio code of err: its Error's, ErrUnspec for
// another error, 0 for nil.
func Code(err error) int {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrUnspec
}

func fail(code int, err error) error { return &Error{Code: code, Err: err} }

var errKey = event.NewKey()

// NoteError records, for the event c, the outcome of the last send a core
// action made: its Kamailio code, 0 after a success. sl_reply_error turns
// it into a reply.
func NoteError(c *event.Context, err error) { c.Set(errKey, Code(err)) }

// LastError returns what NoteError recorded for c, ErrUnspec when nothing
// was sent.
func LastError(c *event.Context) int {
	if n, ok := c.Get(errKey).(int); ok {
		return n
	}
	return ErrUnspec
}
