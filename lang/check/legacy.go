package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// legacyWords are the bare words Kamailio's grammar accepts as values in
// expressions (its exp_elem operands and their right-hand constants).
var legacyWords = map[string]bool{
	"method": true, "uri": true, "status": true, "from_uri": true, "to_uri": true,
	"src_ip": true, "dst_ip": true, "snd_ip": true, "to_ip": true, "src_port": true,
	"dst_port": true, "snd_port": true, "to_port": true, "proto": true, "snd_proto": true,
	"af": true, "snd_af": true, "myself": true, "msg:len": true, "uri:host": true,
	"uri:port": true, "rcvip": true, "rcvport": true, "max_len": true,
	"udp": true, "tcp": true, "tls": true, "sctp": true, "ws": true, "wss": true,
	"inet": true, "inet6": true, "ipv4": true, "ipv6": true, "any": true,
}

// ident reports a bare word used as a value that is neither a legacy
// keyword nor anything else Kamailio accepts there: typically a #!define
// that is not defined.
func (c *checker) ident(n *ast.Ident) {
	if legacyWords[n.Name] || legacyWords[strings.ToLower(n.Name)] || c.okIdents[n] {
		return
	}
	if f, ok := c.cat.CoreFunc(n.Name); ok && f.Bare {
		return // a core action written bare is a value: its return code
	}
	d := c.errorf(CodeBareWord, n.Rng, "%q is not a value here", n.Name)
	d.Detail = "a bare word is only a keyword such as method, uri or myself; a #!define named " + n.Name + " may be missing"
}

// addrLit reports an address written as a value anywhere but as the
// operand of a test of the message (src_ip == 10.0.0.0/8) or an argument
// of a core action (forward(192.0.2.1)): Kamailio's grammar has no other
// place for one. A #!define or #!substdef whose value is an address or a
// URI, used unquoted, is the usual cause.
func (c *checker) addrLit(n *ast.AddrLit) {
	if c.okAddrs[n] {
		return
	}
	d := c.errorf(CodeBareWord, n.Rng, "the address %s is not a value here", n.Text)
	d.Detail = "quote it to make a string: \"" + n.Text + "\""
}
