package jsonrpcs

import (
	"context"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// The JSON-RPC error codes jsonrpcs names; a fault with one of these codes
// is sent with the name instead of the handler's text.
var errorNames = map[int]string{
	-32700: "Parse Error",
	-32600: "Invalid Request",
	-32601: "Method Not Found",
	-32602: "Invalid Parameters",
	-32603: "Internal Error",
	-32000: "Execution Error",
}

// maxFaultText is the longest fault text jsonrpcs keeps (its buffer holds
// 128 bytes with the NUL).
const maxFaultText = 127

// maxReplyName is the size of the buffer the FIFO transport reads the
// reply FIFO name into; a name of that length or longer is refused.
const maxReplyName = 128

// Reply is the outcome of one request, what $jsonrpl reads after
// jsonrpc_exec: Code and Text are the HTTP-like status (200 "OK", or the
// fault's), Body the JSON-RPC response document.
type Reply struct {
	Code int
	Text string
	Body string
}

// result is what exec produced for a transport.
type result struct {
	parsed bool // false: not a JSON document; nothing is answered
	Reply
	replyName string // the FIFO's reply_name; "" when there is none
	noReply   bool   // the FIFO transport cannot tell where to answer
}

// exec runs one JSON-RPC request document as Kamailio's jsonrpc_exec_ex
// does. With fifo set, the document must name its reply FIFO in
// reply_name. A document that is not JSON gets no reply at all; a request
// that is not JSON-RPC 2.0 (no "jsonrpc":"2.0", no method, params neither
// an array nor an object) gets an empty result, as jsonrpcs answers it.
func (m *Module) exec(ctx context.Context, text []byte, fifo bool) result {
	return m.execAs(ctx, text, fifo, "")
}

// execAs is exec; a request that is not JSON-RPC 2.0 or names no command
// is logged as the function where (Kamailio's ki_jsonrpcs_dispatch logs
// them), or not at all when where is "".
func (m *Module) execAs(ctx context.Context, text []byte, fifo bool, where string) result {
	bad := func(format string, args ...any) {
		if where != "" && m.log != nil {
			m.log.Logf(klog.Err, Name, where+"(): "+format, args...)
		}
	}
	root, err := parse(text)
	if err != nil {
		return result{}
	}
	res := result{parsed: true}
	call := &rpc.Call{Scan: scanParam}
	var cmd *rpc.Command
	var fault *rpc.Fault
	ran := false
	func() {
		v, ok := root.get("jsonrpc").text()
		if !ok {
			bad("missing or invalid jsonrpc field in request")
			return
		}
		if v != "2.0" {
			bad("unsupported jsonrpc version [%s]", v)
			return
		}
		if fifo {
			name, ok := root.get("reply_name").text()
			if !ok || len(name) >= maxReplyName {
				res.noReply = true
				return
			}
			res.replyName = name
		}
		method, ok := root.get("method").text()
		if !ok {
			bad("missing or invalid jsonrpc method field in request")
			return
		}
		reg := m.registry()
		var c *rpc.Command
		found := false
		if reg != nil {
			c, found = reg.Lookup(method)
		}
		if !found {
			bad("method callback not found [%s]", method)
			fault = &rpc.Fault{Code: 500, Text: "Method Not Found"}
			return
		}
		cmd = c
		params := root.get("params")
		if params != nil && params.kind != jArray && params.kind != jObject {
			bad("params field is not an array or object")
			return
		}
		if params != nil {
			for _, p := range params.items {
				call.Params = append(call.Params, p.param())
			}
		}
		call.Method = method
		reg.Run(ctx, call)
		ran = true
	}()
	var values []*rpc.Value
	if ran {
		values, fault = call.Reply()
	}
	res.Reply = m.envelope(root, cmd, values, fault)
	if fifo && res.replyName == "" {
		res.noReply = true
	}
	return res
}

// envelope builds the response document and status from a command's
// values or fault: the result is an array for commands flagged Array
// (every value, possibly none), otherwise the last value added, or an
// empty object when there is none. The request's id is echoed: a string
// as a string, anything else as a number (null and objects as 0).
func (m *Module) envelope(req *node, cmd *rpc.Command, values []*rpc.Value, fault *rpc.Fault) Reply {
	doc := rpc.NewStruct().Set("jsonrpc", rpc.NewStr("2.0"))
	st := Reply{Code: 200, Text: "OK"}
	if fault != nil {
		text := fault.Text
		if len(text) > maxFaultText {
			text = text[:maxFaultText]
		}
		code := fault.Code
		st.Code, st.Text = code, text
		if code <= 100 {
			st.Code = 500
		}
		if code == 0 {
			code = -32000
		}
		msg, named := errorNames[code]
		switch {
		case named:
		case text != "":
			msg = text
		default:
			msg = "Unexpected Error"
		}
		doc.Set("error", rpc.NewStruct().Set("code", rpc.NewInt(int64(code))).Set("message", rpc.NewStr(msg)))
	} else {
		var res *rpc.Value
		switch {
		case cmd != nil && cmd.Array:
			res = rpc.NewArray().Append(values...)
		case len(values) > 0:
			res = values[len(values)-1]
		default:
			res = rpc.NewStruct()
		}
		doc.Set("result", res)
	}
	if id := req.get("id"); id != nil {
		if s, ok := id.text(); ok {
			doc.Set("id", rpc.NewStr(s))
		} else {
			doc.Set("id", rpc.NewDouble(id.double()))
		}
	}
	st.Body = encode(doc, m.pretty)
	return st
}
