package tm

import "github.com/kamgo/kamgo/runtime/sip"

// timeoutCode is the code tm gives a branch that timed out or could not
// be sent: 408, or reply_408_code (Kamailio 6.0). The same code makes a
// 487 arriving after it ignored, as a 487 after a 408 is.
func (m *Module) timeoutCode() int { return int(m.conf().reply408Code) }

// fakedReason is the reason phrase of a reply tm makes with code for the
// request: reply_408_reason for the timeout code, else the standard
// phrase, as Kamailio's relay_reply chooses it.
func (m *Module) fakedReason(code int) string {
	if c := m.conf(); int64(code) == c.reply408Code {
		return c.reply408Reason
	}
	return sip.ReasonPhrase(code)
}
