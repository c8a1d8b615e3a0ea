package sl_test

import (
	"strings"
	"testing"
)

// TestURIMyself: the core's `uri == myself` is true for a Request-URI
// naming one of the server's sockets with its port, false without the
// port (it then stands for 5060) or for another host; `from_uri != myself`
// for a foreign From.
func TestURIMyself(t *testing.T) {
	addr, ll := run(t, `request_route {
	if (uri == myself) { $var(u) = "me"; } else { $var(u) = "other"; }
	if (from_uri != myself) { $var(f) = "foreign"; } else { $var(f) = "mine"; }
	if (src_ip == myself && dst_ip == myself) { $var(s) = " local"; }
	if (src_ip != myself) { $var(s) = " remote"; }
	xlog("L_INFO", "$ci uri=$var(u) from=$var(f)$var(s)\n");
	sl_send_reply("200", "OK");
}`)
	p := dial(t, addr)
	for _, tc := range []struct{ callID, ruri, want string }{
		{"m1", "sip:svc@" + addr, "uri=me from=foreign local"},
		{"m2", "sip:svc@127.0.0.1", "uri=other from=foreign local"},
		{"m3", "sip:svc@192.0.2.7:" + addr[strings.LastIndexByte(addr, ':')+1:], "uri=other from=foreign local"},
	} {
		req := strings.Replace(p.request("OPTIONS", tc.callID), "OPTIONS sip:svc@127.0.0.1 SIP/2.0", "OPTIONS "+tc.ruri+" SIP/2.0", 1)
		p.Ask(req)
		waitLog(t, ll, `^INFO: <script>: `+tc.callID+` `+tc.want+`$`)
	}
}
