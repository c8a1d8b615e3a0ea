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
	d := c.errorf(CodeBareWord, n.Rng, "%q is not a value here", n.Name)
	d.Detail = "a bare word is only a keyword such as method, uri or myself; a #!define named " + n.Name + " may be missing"
}
