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
	ErrUnspec          = -1
	ErrOutOfMem        = -2
	ErrBug             = -5
	ErrCfg             = -6
	ErrNoSocket        = -7
	ErrBadVia          = -8
	ErrBadTuple        = -9
	ErrScript          = -10
	ErrExec            = -11
	ErrTooManyBranches = -12
	ErrBadTo           = -13
	ErrQInvChar        = -15
	ErrQEmpty          = -16
	ErrQTooBig         = -17
	ErrQDecMissing     = -18
	ErrBadReq          = -400
	ErrSend            = -477
	ErrBadAddress      = -478
	ErrBadURI          = -479
	ErrBadProto        = -480
	ErrCanceled        = -487 // the transaction was canceled
	ErrBadServer       = -500
	ErrProhibited      = -510 // onsend_route dropped the message
)

// ErrorReply is the reply code and reason phrase for a Kamailio error
// code, as its err2reason_phrase words them, the phrase ending with the
// code and signature ("SL", "TM"): what sl_reply_error and tm's error
// replies send.
func ErrorReply(e int, signature string) (code int, phrase string) {
	text, code := "I'm terribly sorry, server error occurred", 500
	switch e {
	case ErrSend, ErrBadAddress, ErrBadReq, ErrBadURI, ErrCanceled:
		code = -e
		text = map[int]string{ErrSend: "Unfortunately error on sending to next hop occurred",
			ErrBadAddress: "Unresolvable destination", ErrBadReq: "Bad Request",
			ErrBadURI: "Regretfully, we were not able to process the URI", ErrCanceled: "Transaction canceled"}[e]
	case ErrBadTuple:
		text, code = "Transaction tuple incomplete", -ErrBadReq
	case ErrBadTo:
		text, code = "Bad To", -ErrBadReq
	case ErrExec:
		text, code = "Error in external logic", -ErrBadServer
	case ErrTooManyBranches:
		text, code = "Forking capacity exceeded", -ErrBadServer
	case ErrQInvChar:
		text, code = "Invalid character in q parameter", -ErrBadReq
	case ErrQEmpty:
		text, code = "Empty q parameter", -ErrBadReq
	case ErrQTooBig:
		text, code = "Q parameter too big", -ErrBadReq
	case ErrQDecMissing:
		text, code = "Decimal part missing in q", -ErrBadReq
	case 0, ErrOutOfMem:
		text = "No error"
	}
	return code, text + " (" + strconv.Itoa(-e) + "/" + signature + ")"
}

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

// NoteError records, for the event c, the outcome of a send the running
// action made: its Kamailio code, 0 after a success (Kamailio's
// ser_error).
func NoteError(c *event.Context, err error) { c.SetError(Code(err)) }

// LastError returns the error the action before the running one left
// (Kamailio's prev_ser_error, which sl_reply_error reads), ErrUnspec when
// it left none.
func LastError(c *event.Context) int {
	if n, ok := c.PrevError(); ok {
		return n
	}
	return ErrUnspec
}

// reasons are the reason phrases of Kamailio's error_text.
var reasons = map[int]string{
	100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued", 183: "Session Progress",
	200: "OK",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily", 305: "Use Proxy", 380: "Alternative Service",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout",
	410: "Gone", 413: "Request Entity Too Large", 414: "Request-URI Too Long", 415: "Unsupported Media Type",
	416: "Unsupported URI Scheme", 417: "Bad Extension", 421: "Extension Required", 423: "Interval Too Brief",
	480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops",
	484: "Address Incomplete", 485: "Ambiguous", 486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
	491: "Request Pending",
	500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
	504: "Server Time-Out", 505: "Version Not Supported", 513: "Message Too Large",
	600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere", 606: "Not Acceptable",
}

// ReasonPhrase is the reason phrase Kamailio gives a reply code it makes
// itself (error_text): the code's own, else its class's.
func ReasonPhrase(code int) string {
	if r, ok := reasons[code]; ok {
		return r
	}
	switch {
	case code >= 600:
		return "Global Failure"
	case code >= 500:
		return "Server Failure"
	case code >= 400:
		return "Request Failure"
	case code >= 300:
		return "Redirection"
	case code >= 200:
		return "Successful"
	case code >= 100:
		return "Provisional"
	}
	return "Unspecified"
}
