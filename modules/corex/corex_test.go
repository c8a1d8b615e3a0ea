package corex

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/spec/conformance"
)

// TestSockTrans pins {sock.*} to what Kamailio 5.6.3 printed
// (testdata/cases/007-sock-trans, with TCP and TLS disabled).
func TestSockTrans(t *testing.T) {
	en := protos{}
	for _, tc := range []struct {
		in                       string
		host, port, proto, touri string
		fails                    bool
	}{
		{in: "udp:1.2.3.4:5080", host: "1.2.3.4", port: "5080", proto: "udp", touri: "sip:1.2.3.4:5080;transport=udp"},
		{in: "tcp:[2001:db8::1]:5061", fails: true},
		{in: "10.0.0.1", host: "10.0.0.1", touri: "sip:10.0.0.1"},
		{in: "10.0.0.1:7000", host: "10.0.0.1", port: "7000", touri: "sip:10.0.0.1:7000"},
		{in: "tls:example.com", fails: true},
		{in: "udp:1.2.3.4:", fails: true},
		{in: "", fails: true},
	} {
		hp, err := parseHostPort(tc.in, en, false)
		if (err != nil) != tc.fails {
			t.Errorf("%q: err %v, want failure %v", tc.in, err, tc.fails)
			continue
		}
		if tc.fails {
			continue
		}
		got := [4]string{sockPart(hp, "host"), sockPart(hp, "port"), sockPart(hp, "proto"), sockPart(hp, "touri")}
		if want := [4]string{tc.host, tc.port, tc.proto, tc.touri}; got != want {
			t.Errorf("%q: got %q, want %q", tc.in, got, want)
		}
	}
	if hp, err := parseHostPort("tcp:[::1]:5061", protos{tcp: true}, false); err != nil || hp.host != "[::1]" || hp.proto != sipmsg.ProtoTCP {
		t.Errorf("tcp enabled: %+v %v", hp, err)
	}
}

// TestLsockExpr pins which $lsock expressions Kamailio accepts
// (testdata/cases/008-lsock).
func TestLsockExpr(t *testing.T) {
	for e, ok := range map[string]bool{
		"i/7/listen": true, "i/7/ll": true, "l/udp:1.2.3.4:5060/index": true, "n/nosuch/listen": true,
		"i/0/l": false, "x/1/listen": false, "i/1/xx": false, "listen": false, "i/a/b/cc": false,
	} {
		if _, _, _, got := parseLsock(e); got != ok {
			t.Errorf("%q: got %v, want %v", e, got, ok)
		}
	}
}

func TestParseQ(t *testing.T) {
	for s, want := range map[string]int{"0.5": 500, "1": 1000, "0": 0, "0.125": 125, "1.0": 1000, "abc": -1, "1.5": -1, "0.1234": -1} {
		got, ok := parseQ(s)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("%q: got %d, want %d", s, got, want)
		}
	}
}

func TestAliasSubdomains(t *testing.T) {
	a, err := parseAlias("udp:example.com:5060")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host        string
		port, proto int
		want        bool
	}{
		{"example.com", 0, 0, true},
		{"sip.EXAMPLE.com", 5060, sipmsg.ProtoUDP, true},
		{"badexample.com", 0, 0, false},
		{"sip.example.com", 5070, 0, false},
		{"sip.example.com", 0, sipmsg.ProtoTCP, false},
	} {
		if got := a.matches(tc.host, tc.port, tc.proto); got != tc.want {
			t.Errorf("%+v: got %v", tc, got)
		}
	}
	for _, bad := range []string{"", "udp:", "xyz:example.com", "example.com:"} {
		if _, err := parseAlias(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDNSCacheParam(t *testing.T) {
	if _, err := parseDNSRecord("name=a.example.com;type=A;addr=1.2.3.4;ttl=3600;"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "name=a;type=MX", "name=a;type=A;ttl=x"} {
		if _, err := parseDNSRecord(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCasesParse keeps the recorded cases readable until they move to
// spec/conformance with the module.
func TestCasesParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conformance.Parse(filepath.Base(f), data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
