package sipmsg

import (
	"errors"
	"strconv"
)

// QUnspecified is the q value of a URI that has none. Q values are
// thousandths: 500 is q=0.5.
const QUnspecified = -1

// MaxBranches is how many branches a message may have besides the
// Request-URI (Kamailio's default max_branches, 12, minus the R-URI).
const MaxBranches = 11

// Branch is one destination of the message besides the Request-URI, as
// append_branch adds them (Kamailio's destination set).
type Branch struct {
	URI        string
	DstURI     string
	Path       string
	Q          int
	Flags      uint32
	Socket     *Socket
	Ruid       string
	LocationUA string
	Instance   string
	RegID      uint32
	OTcpID     uint32
}

// ErrTooManyBranches is returned when a message already has MaxBranches.
var ErrTooManyBranches = errors.New("max nr of branches exceeded")

// AppendBranch adds b as the last branch. An empty URI takes the current
// Request-URI.
func (m *Msg) AppendBranch(b Branch) error {
	if len(m.Branches) >= MaxBranches {
		return ErrTooManyBranches
	}
	if b.URI == "" {
		b.URI = m.RequestURI()
	}
	m.Branches = append(m.Branches, b)
	return nil
}

// Branch returns branch i; a negative i counts from the end.
func (m *Msg) Branch(i int) *Branch {
	if i < 0 {
		i += len(m.Branches)
	}
	if i < 0 || i >= len(m.Branches) {
		return nil
	}
	return &m.Branches[i]
}

// DropBranch removes branch i (negative from the end); a missing branch is
// ignored.
func (m *Msg) DropBranch(i int) {
	if i < 0 {
		i += len(m.Branches)
	}
	if i < 0 || i >= len(m.Branches) {
		return
	}
	m.Branches = append(m.Branches[:i], m.Branches[i+1:]...)
}

// QString prints a q value as Kamailio does: "1", "0", "0.5", "0.25",
// "0.125"; "" for QUnspecified.
func QString(q int) string {
	switch {
	case q == QUnspecified:
		return ""
	case q >= 1000:
		return "1"
	case q <= 0:
		return "0"
	case q%100 == 0:
		return "0." + strconv.Itoa(q/100)
	case q%10 == 0:
		return "0." + pad(q/10, 2)
	}
	return "0." + pad(q, 3)
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
