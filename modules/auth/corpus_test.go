package auth_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/runtime/module"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// The CGRateS tutorial config authenticates REGISTERs with the password
// its charging engine returns over evapi: the request is suspended
// (evapi_async_relay), the engine's answer resumes it (t_continue), and
// route[AUTH] challenges with www_challenge or accepts with
// pv_www_authenticate, consume_credentials and save. The test runs the
// config with `kamgo run` (its listen lines, which name a host's
// interface, replaced by -l on a free port, and evapi on a free port),
// with a Go engine and a Go phone.

const (
	corpusDir = "/work/shared/corpus/cgrates-tutorial"
	wait      = 10 * time.Second
)

var reListen = regexp.MustCompile(`(?m)^listen=.*$`)

// corpusCopy copies the config and its include into a temporary
// directory, without listen lines and with evapi on a free port.
func corpusCopy(t *testing.T) (cfg, evapiAddr string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"kamailio.cfg", "kamailio-cgrates.cfg"} {
		text, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Skipf("corpus config not available: %v", err)
		}
		s := string(text)
		if name == "kamailio.cfg" {
			const bind = `"127.0.0.1:8448"`
			if !strings.Contains(s, bind) || !reListen.MatchString(s) {
				t.Fatalf("%s no longer binds evapi to %s or has no listen lines", name, bind)
			}
			port, err := freeport.Pick()
			if err != nil {
				t.Fatal(err)
			}
			evapiAddr = "127.0.0.1:" + strconv.Itoa(port)
			s = strings.Replace(s, bind, `"`+evapiAddr+`"`, 1)
			s = reListen.ReplaceAllString(s, "# listen given with -l")
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "kamailio.cfg"), evapiAddr
}

// answer answers a CGR_AUTH_REQUEST frame with the account's password.
func answer(t *testing.T, app *netstring.Conn, frame, password string) {
	t.Helper()
	var req struct {
		Event, Account string
		TrIndex        string `json:"tr_index"`
		TrLabel        string `json:"tr_label"`
		ReplyRoute     string `json:"reply_route"`
	}
	if err := json.Unmarshal([]byte(frame), &req); err != nil {
		t.Fatalf("auth request %q: %v", frame, err)
	}
	if req.Event != "CGR_AUTH_REQUEST" || req.Account != "alice" || req.ReplyRoute != "CGR_SIMPLEAUTH_REPLY" {
		t.Fatalf("auth request %q", frame)
	}
	reply := fmt.Sprintf(`{"Event":"CGR_SIMPLEAUTH_REPLY","TransactionIndex":%q,"TransactionLabel":%q,"Attributes":"Password:%s","Error":""}`,
		req.TrIndex, req.TrLabel, password)
	if err := app.Send(reply); err != nil {
		t.Fatal(err)
	}
}

func md5hex(parts ...string) string {
	s := md5.Sum([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(s[:])
}

// TestCGRatesTutorialCorpus registers alice through the corpus config:
// a challenge first, then a REGISTER with her credentials saved.
func TestCGRatesTutorialCorpus(t *testing.T) {
	if _, ok := module.Lookup("dialog"); !ok {
		t.Skip("the config loads dialog, which kamgo does not ship yet")
	}
	cfg, evapiAddr := corpusCopy(t)
	bin := proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo")
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := proctest.Start(t, bin, filepath.Dir(cfg), "run", "--kamailio", "5.6",
		"-l", "udp:127.0.0.1:"+strconv.Itoa(port), "-Y", runDir, cfg)
	p.WaitFor(regexp.MustCompile(`kamgo \S+ running `), 1, wait)
	app, err := netstring.Dial(evapiAddr, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	phone, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	proxy, _ := net.ResolveUDPAddr("udp", "127.0.0.1:"+strconv.Itoa(port))
	local := phone.LocalAddr().String()
	host := "127.0.0.1:" + strconv.Itoa(port)
	// The engine's frames and the phone's replies arrive on channels, so
	// that whichever comes first is handled.
	frames := make(chan string, 4)
	go func() {
		for {
			f, err := app.Recv(time.Minute)
			if err != nil {
				close(frames)
				return
			}
			frames <- f
		}
	}()
	replies := make(chan string, 4)
	go func() {
		buf := make([]byte, 65535)
		for {
			_ = phone.SetReadDeadline(time.Now().Add(time.Minute))
			n, _, err := phone.ReadFrom(buf)
			if err != nil {
				close(replies)
				return
			}
			if r := string(buf[:n]); !strings.HasPrefix(r, "SIP/2.0 1") {
				replies <- r
			}
		}
	}()
	final := func(what string) string {
		select {
		case r, ok := <-replies:
			if !ok {
				t.Fatalf("%s: the phone's socket failed", what)
			}
			return r
		case <-time.After(wait):
			t.Fatalf("%s: no final reply", what)
		}
		return ""
	}

	// register sends a REGISTER, answers the engine's request for it and
	// returns the final reply. Until the config has taken the engine's
	// connection in (event_route[evapi:connection-new]) it answers 503
	// at once: the REGISTER is sent again, a bounded number of times.
	register := func(cseq int, cred string) string {
		for try := 0; try < 100; try++ {
			msg := strings.Join([]string{
				"REGISTER sip:" + host + " SIP/2.0",
				fmt.Sprintf("Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK-corpus-%d-%d", local, cseq, try),
				"Max-Forwards: 70",
				"From: <sip:alice@127.0.0.1>;tag=a1",
				"To: <sip:alice@127.0.0.1>",
				"Call-ID: corpus-reg",
				fmt.Sprintf("CSeq: %d REGISTER", cseq),
				"Contact: <sip:alice@" + local + ">",
				"Expires: 600",
			}, "\r\n")
			if cred != "" {
				msg += "\r\n" + cred
			}
			if _, err := phone.WriteTo([]byte(msg+"\r\nContent-Length: 0\r\n\r\n"), proxy); err != nil {
				t.Fatal(err)
			}
			select {
			case r, ok := <-replies:
				if !ok {
					t.Fatalf("REGISTER %d: the phone's socket failed", cseq)
				}
				if strings.HasPrefix(r, "SIP/2.0 503 Charging controller unreachable") {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				return r
			case f, ok := <-frames:
				if !ok {
					t.Fatalf("REGISTER %d: the engine's connection closed", cseq)
				}
				answer(t, app, f, "alicepw")
				return final(fmt.Sprintf("REGISTER %d", cseq))
			case <-time.After(wait):
				t.Fatalf("REGISTER %d: neither a reply nor a request to the engine", cseq)
			}
		}
		t.Fatalf("REGISTER %d: the engine's connection was never taken in", cseq)
		return ""
	}

	challenge := register(1, "")
	if !strings.HasPrefix(challenge, "SIP/2.0 401 Unauthorized\r\n") {
		t.Fatalf("first REGISTER:\n%s", challenge)
	}
	m := regexp.MustCompile(`\r\nWWW-Authenticate: Digest realm="127\.0\.0\.1", nonce="([^"]+)"\r\n`).FindStringSubmatch(challenge)
	if m == nil {
		t.Fatalf("no challenge for realm 127.0.0.1:\n%s", challenge)
	}
	uri := "sip:" + host
	resp := md5hex(md5hex("alice", "127.0.0.1", "alicepw"), m[1], md5hex("REGISTER", uri))
	cred := fmt.Sprintf(`Authorization: Digest username="alice", realm="127.0.0.1", nonce="%s", uri="%s", response="%s", algorithm=MD5`, m[1], uri, resp)
	ok := register(2, cred)
	if !strings.HasPrefix(ok, "SIP/2.0 200 OK\r\n") || !strings.Contains(ok, "\r\nContact: <sip:alice@"+local+">;expires=") {
		t.Fatalf("REGISTER with credentials:\n%s", ok)
	}
}
