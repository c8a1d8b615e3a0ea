//go:build kamailio

package pv

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

const sipRecordPrelude = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// sipConfig logs the formats of the case named in a message's X-Case
// header, after a marker line, in request_route and onreply_route.
func sipConfig(cases []*sipCase) string {
	var body strings.Builder
	body.WriteString("\txlog(\"L_NOTICE\", \"@@$hdr(X-Case)\\n\");\n")
	for _, c := range cases {
		fmt.Fprintf(&body, "\tif ($hdr(X-Case) == \"%s\") {\n", c.name)
		for _, f := range c.formats {
			fmt.Fprintf(&body, "\t\txlog(\"L_INFO\", \"%s\\n\");\n", f)
		}
		body.WriteString("\t}\n")
	}
	body.WriteString("\tdrop;\n")
	return sipRecordPrelude + "request_route {\n" + body.String() + "}\nonreply_route {\n" + body.String() + "}\n"
}

func saveSIPCases(path string, header []string, cases []*sipCase) error {
	var b strings.Builder
	for _, l := range header {
		b.WriteString(l + "\n")
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "### %s\n", c.name)
		for _, l := range c.msg {
			b.WriteString(l + "\n")
		}
		b.WriteString("===\n")
		for _, l := range c.formats {
			b.WriteString(l + "\n")
		}
		b.WriteString("---\n")
		for _, l := range c.want {
			b.WriteString(l + "\n")
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// TestRecordSIP checks testdata/messages.sip against the installed Kamailio
// (with -update it rewrites the expected lines):
// go test -tags kamailio -run TestRecordSIP ./modules/pv
func TestRecordSIP(t *testing.T) {
	const path = "testdata/messages.sip"
	header, cases, err := loadSIPCases(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, sipConfig(cases), kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	defer in.Stop()
	conn, err := net.Dial("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(in.SIPPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	end := &sipCase{name: "@end", msg: []string{"OPTIONS sip:end@x SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKend",
		"From: <sip:a@x>;tag=1", "To: <sip:a@x>", "Call-ID: end", "CSeq: 1 OPTIONS", "X-Case: @end", "Content-Length: 0", ""}}
	for _, c := range append(cases, end) {
		if _, err := conn.Write([]byte(c.text())); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(in.Lines(), "\n"), "@@@end") {
		if time.Now().After(deadline) {
			t.Fatalf("no end marker\n%s", strings.Join(in.Lines(), "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.Stop()
	got := map[string][]string{}
	cur := ""
	for _, l := range in.Log() {
		if strings.HasPrefix(l.Text, "@@") && l.Script() {
			cur = strings.TrimPrefix(l.Text, "@@")
			continue
		}
		if cur == "" {
			continue
		}
		if !l.Script() {
			if l.Level == "ERROR" || l.Level == "WARNING" {
				got[cur] = append(got[cur], "# "+l.Level+": "+l.Origin+" "+strings.SplitN(l.Text, "\n", 2)[0])
			}
			continue
		}
		got[cur] = append(got[cur], strings.Split(l.Level+": "+l.Text, "\n")...)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		for _, c := range cases {
			c.want = got[c.name]
		}
		if err := saveSIPCases(path, header, cases); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, c := range cases {
		if strings.Join(got[c.name], "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n kamailio %q\n recorded %q", c.name, got[c.name], c.want)
		}
	}
}
