// Command evapi-async-routing is the routing application of the
// evapi-async-routing example: it connects to the proxy's evapi socket,
// reads each suspended request the proxy relays (a JSON object with the
// transaction's index and label, the method, Request-URI, From and
// Call-ID) and answers with a decision: relay to a destination, or reject
// with a code. Rules map the user part of the Request-URI to a
// destination; a request no rule names gets the default.
//
//	go run ./examples/evapi-async-routing -addr 127.0.0.1:8448 \
//	    -rule alice=sip:127.0.0.1:5080 -default reject:404
//
// -silent answers nothing (the proxy's timer then replies), -wrong-label
// answers with a label that names no transaction: both show what the
// proxy does when the application fails.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/internal/netstring"
)

// request is what the proxy relays for a suspended transaction.
type request struct {
	Index  string `json:"index"`
	Label  string `json:"label"`
	Method string `json:"method"`
	RURI   string `json:"ruri"`
	From   string `json:"from"`
	CallID string `json:"callid"`
}

// answer is the application's decision.
type answer struct {
	Index  string `json:"index"`
	Label  string `json:"label"`
	Action string `json:"action"`
	Dest   string `json:"dest,omitempty"`
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// rules maps Request-URI users to destinations.
type rules map[string]string

func (r rules) String() string { return fmt.Sprint(map[string]string(r)) }

func (r rules) Set(s string) error {
	user, dest, ok := strings.Cut(s, "=")
	if !ok || user == "" || dest == "" {
		return fmt.Errorf("rule %q: want user=sip:host:port", s)
	}
	r[user] = dest
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "the proxy's evapi address")
	def := flag.String("default", "reject:404", "decision for a user no rule names: reject:CODE or relay:URI")
	silent := flag.Bool("silent", false, "never answer")
	wrongLabel := flag.Bool("wrong-label", false, "answer with a label that names no transaction")
	rs := rules{}
	flag.Var(rs, "rule", "user=destination URI (repeatable)")
	flag.Parse()
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	log.Printf("connected to %s", *addr)
	r := bufio.NewReader(c)
	for {
		frame, err := netstring.Read(r, netstring.ConnMax)
		if err != nil {
			log.Printf("connection: %v", err)
			return
		}
		var req request
		if err := json.Unmarshal(frame, &req); err != nil {
			log.Printf("not a request: %q", frame)
			continue
		}
		a := decide(req, rs, *def)
		log.Printf("%s %s (%s): %s %s%s", req.Method, req.RURI, req.CallID, a.Action, a.Dest, codeText(a.Code))
		if *silent {
			continue
		}
		if *wrongLabel {
			a.Label = "0"
			if req.Label == "0" {
				a.Label = "1"
			}
		}
		out, _ := json.Marshal(a)
		if _, err := c.Write(netstring.Append(nil, string(out))); err != nil {
			log.Printf("write: %v", err)
			os.Exit(1)
		}
	}
}

// decide applies the rules to a request.
func decide(req request, rs rules, def string) answer {
	a := answer{Index: req.Index, Label: req.Label}
	user := userOf(req.RURI)
	if dest, ok := rs[user]; ok {
		a.Action, a.Dest = "relay", dest
		return a
	}
	kind, arg, _ := strings.Cut(def, ":")
	if kind == "relay" {
		a.Action, a.Dest = "relay", arg
		return a
	}
	a.Action, a.Code, a.Reason = "reject", 404, "No Route"
	if n, err := strconv.Atoi(arg); err == nil {
		a.Code = n
	}
	return a
}

// userOf is the user part of a SIP URI ("" without one).
func userOf(uri string) string {
	_, rest, ok := strings.Cut(uri, ":")
	if !ok {
		return ""
	}
	user, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	return user
}

func codeText(code int) string {
	if code == 0 {
		return ""
	}
	return strconv.Itoa(code)
}
