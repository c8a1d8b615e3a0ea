package jsonrpcs

// The replay cases: JSON-RPC requests sent over the three ways in
// (jsonrpc_exec from an evapi event, the datagram socket, the FIFO) to a
// server running testdata/exec.cfg. run_test.go replays them against
// kamgo and compares with the transcripts recorded from Kamailio 5.6.3
// (testdata/replies-prettyN.txt); kamailio_test.go (build tag kamailio)
// records them and compares live.

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
)

type replayCase struct {
	name string
	req  string
	// fifo is false for documents the FIFO reader cannot delimit (no
	// braces, unbalanced braces): they would swallow the next request.
	fifo bool
}

var replayCases = []replayCase{
	{"echo several params", `{"jsonrpc":"2.0","method":"core.echo","params":["a",1,2.7,-1,"b"],"id":1}`, true},
	{"echo stops at true", `{"jsonrpc":"2.0","method":"core.echo","params":["a",true,"b"],"id":"t"}`, true},
	{"echo no params", `{"jsonrpc":"2.0","method":"core.echo","id":2}`, true},
	{"echo escapes", `{"jsonrpc":"2.0","method":"core.echo","params":["q\"b\\s/t\tn\nc\u0001é"],"id":"i\"d"}`, true},
	{"methodHelp unknown", `{"jsonrpc":"2.0","method":"system.methodHelp","params":["no.such"],"id":"h"}`, true},
	{"methodHelp without name", `{"jsonrpc":"2.0","method":"system.methodHelp","id":4}`, true},
	{"unknown method", `{"jsonrpc":"2.0","method":"no.such","id":5}`, true},
	{"malformed", `{"jsonrpc":"2.0","method":"core.echo","params":["m"],,"id":6}`, true},
	{"truncated", `{"jsonrpc":"2.0","method":"core.echo"`, false},
	{"notification", `{"jsonrpc":"2.0","method":"core.echo","params":["n"]}`, true},
	{"fractional id", `{"jsonrpc":"2.0","method":"core.echo","params":["f"],"id":1.5}`, true},
	{"null id", `{"jsonrpc":"2.0","method":"core.echo","params":["z"],"id":null}`, true},
	{"names without case", `{"JSONRPC":"2.0","Method":"core.echo","PARAMS":["c"],"Id":-3}`, true},
	{"params object", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":{"s":-1,"n":"7"},"id":10}`, true},
	{"jsonrpc.echo", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":["x",42],"id":11}`, true},
	{"params not a list", `{"jsonrpc":"2.0","method":"core.echo","params":"x","id":12}`, true},
	{"version 1.0", `{"jsonrpc":"1.0","method":"core.echo","params":["v"],"id":13}`, true},
	{"no version", `{"method":"core.echo","params":["v"],"id":14}`, true},
	{"array root", `[1,2]`, false},
	{"no reply_name", `{"jsonrpc":"2.0","method":"core.echo","params":["r"],"id":16,"reply_name":""}`, true},
	{"large id", `{"jsonrpc":"2.0","method":"core.echo","params":[3000000000,1e10],"id":3000000000}`, true},
	{"small ids", `{"jsonrpc":"2.0","method":"core.echo","id":1e-7}`, true},
	{"negative fraction id", `{"jsonrpc":"2.0","method":"core.echo","id":-2.25}`, true},
	{"true id", `{"jsonrpc":"2.0","method":"core.echo","id":true}`, true},
	{"object id", `{"jsonrpc":"2.0","method":"core.echo","id":{"a":"b"}}`, true},
	{"repeated names", `{"jsonrpc":"2.0","method":"core.echo","method":"no.such","params":["first"],"params":["second"],"id":20,"id":21}`, true},
	{"surrounding text", " \n\t" + `{"jsonrpc":"2.0","method":"core.echo","params":["t"],"id":22}` + " trailing", false},
	{"jsonrpc.echo no params", `{"jsonrpc":"2.0","method":"jsonrpc.echo","id":23}`, true},
	{"jsonrpc.echo one param", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":[2.9],"id":24}`, true},
	{"core.version", `{"jsonrpc":"2.0","method":"core.version","id":17}`, true},
	{"core.uptime", `{"jsonrpc":"2.0","method":"core.uptime","id":18}`, true},
}

// sentinel follows every request on the socket and the FIFO: the replies
// read before its own are the request's (none for a request that gets
// none).
const sentinel = `{"jsonrpc":"2.0","method":"core.echo","params":["sentinel"],"id":"s"}`

// masks hide what legitimately differs between Kamailio and kamgo: the
// server's name and version, and the clock.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"result":(\t?)"(kamailio|kamgo) [^"]*"`), `"result":$1"VERSION"`},
	{regexp.MustCompile(`"(now|up_since)":(\t?)"[^"]*"`), `"$1":$2"TIME"`},
	{regexp.MustCompile(`"uptime":(\t?)[0-9]+`), `"uptime":${1}0`},
}

func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// withReplyName adds the FIFO's reply_name member to a request that has
// none.
func withReplyName(req string) string {
	if strings.Contains(req, `"reply_name"`) {
		return req
	}
	return strings.Replace(req, "{", `{"reply_name":"rpl",`, 1)
}

// play sends every case through evapi (jsonrpc_exec), the datagram socket
// and the FIFO of a server running testdata/exec.cfg with its files in
// dir, and returns the transcript: one line per reply.
func play(t *testing.T, evapiAddr, dir string) []string {
	t.Helper()
	var out []string
	ev, err := net.DialTimeout("tcp", evapiAddr, ioWait)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	br := bufio.NewReader(ev)
	for _, c := range replayCases {
		ev.SetDeadline(time.Now().Add(ioWait))
		if _, err := ev.Write(netstring.Append(nil, c.req)); err != nil {
			t.Fatal(err)
		}
		b, err := netstring.Read(br, 1<<20)
		if err != nil {
			t.Fatalf("%s: evapi: %v", c.name, err)
		}
		out = append(out, fmt.Sprintf("exec %s: %q", c.name, mask(string(b))))
	}

	dg := newDgramClient(t, filepath.Join(dir, "rpc.sock"), filepath.Join(dir, "cli.sock"))
	for _, c := range replayCases {
		dg.send(c.req)
		dg.send(sentinel)
		for i := 0; ; i++ {
			r := dg.next()
			if strings.Contains(r, `"sentinel"`) {
				break
			}
			if i == 10 {
				t.Fatalf("%s: no sentinel reply", c.name)
			}
			out = append(out, fmt.Sprintf("dgram %s: %q", c.name, mask(r)))
		}
	}

	fc := newFIFOClient(t, filepath.Join(dir, "rpc.fifo"), dir, "rpl")
	for _, c := range replayCases {
		if !c.fifo {
			continue
		}
		fc.send(withReplyName(c.req))
		fc.send(withReplyName(sentinel))
		for i := 0; ; i++ {
			r := fc.next()
			if strings.Contains(r, `"sentinel"`) {
				break
			}
			if i == 10 {
				t.Fatalf("%s: no sentinel reply", c.name)
			}
			out = append(out, fmt.Sprintf("fifo %s: %q", c.name, mask(r)))
		}
	}
	return out
}

// configText returns testdata/exec.cfg with its placeholders replaced,
// all but the SIP port, which the caller fills in.
func configText(t *testing.T, dir string, pretty int) string {
	t.Helper()
	b, err := os.ReadFile("testdata/exec.cfg")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "%%DIR%%", dir)
	return strings.ReplaceAll(s, "%%PRETTY%%", fmt.Sprint(pretty))
}

// shortTempDir makes a directory with a short path, so that the socket
// path fits in sun_path, removed at the end of the test.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "jrpc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// transcriptFile is where the transcript recorded from Kamailio for a
// pretty_format value is kept.
func transcriptFile(pretty int) string {
	return fmt.Sprintf("testdata/replies-pretty%d.txt", pretty)
}
