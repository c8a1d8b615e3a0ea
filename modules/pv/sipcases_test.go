package pv

import (
	"os"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// testdata/messages.sip holds pseudo-variables read on real SIP messages, as
// Kamailio 5.6.3 printed them when it received each message over UDP
// (sip_record_test.go records them). A case is
//
//	### name
//	the message, one line per line (CRLF is added), its empty line included
//	===
//	xlog formats, one per line
//	---
//	the log lines Kamailio printed ("# " lines are its own messages)
//
// Every message carries "X-Case: name" so the recording config can tell
// them apart. The formats avoid the source address and port, which depend
// on the recorder's socket.

type sipCase struct {
	name    string
	msg     []string
	formats []string
	want    []string
}

func (c *sipCase) text() string { return strings.Join(c.msg, "\r\n") + "\r\n" }

func loadSIPCases(path string) (header []string, cases []*sipCase, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var cur *sipCase
	part := 0
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "### "):
			cur = &sipCase{name: strings.TrimPrefix(l, "### ")}
			cases = append(cases, cur)
			part = 0
		case cur == nil:
			header = append(header, l)
		case part == 0 && l == "===":
			part = 1
		case part == 1 && l == "---":
			part = 2
		case part == 0:
			cur.msg = append(cur.msg, l)
		case part == 1:
			cur.formats = append(cur.formats, l)
		default:
			cur.want = append(cur.want, l)
		}
	}
	return header, cases, nil
}

// TestSIPMessages replays testdata/messages.sip: each message is parsed by
// runtime/sipmsg as one received from 127.0.0.1 over UDP on the socket
// udp:127.0.0.1:5060, and each format is expanded as xlog prints it.
func TestSIPMessages(t *testing.T) {
	_, cases, err := loadSIPCases("testdata/messages.sip")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newHost(t)
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			m, err := sipmsg.Parse(sc.text())
			if err != nil {
				t.Fatal(err)
			}
			m.Src = sipmsg.Addr{IP: "127.0.0.1", Port: 5080}
			m.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 5060}
			c := h.Context()
			sipmsg.Set(c, m)
			var got []string
			for _, f := range sc.formats {
				cf, err := h.CompileFormat(f, diag.Range{})
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				got = append(got, strings.Split("INFO: "+cf.String(c), "\n")...)
			}
			var want []string
			for _, l := range sc.want {
				if !strings.HasPrefix(l, "# ") {
					want = append(want, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
