package ctl

import (
	"fmt"

	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// result is what process did with the bytes it was given.
type result struct {
	n     int    // bytes of the request consumed; 0 when more are needed
	reply []byte // packet to send, if any
	close bool   // close the stream connection after the reply
}

// process answers the binrpc request at the start of b, as Kamailio's
// process_rpc_req does: a packet not yet whole waits for more bytes (a
// stream) or is dropped (a datagram); a bad header, a packet that is not
// a request or a body that does not start with the method name is answered
// with a 400 fault and ends the connection; an unknown method gets a 500
// fault. stream tells whether more bytes can follow b.
func (m *Module) process(b []byte, stream bool) result {
	h, err := binrpc.ParseHeader(b)
	if err == binrpc.ErrMoreData {
		if !stream {
			m.log.Logf(klog.Dbg, Name, "dropping a datagram of %d bytes: not a whole binrpc packet", len(b))
		}
		return result{}
	}
	if err != nil {
		return result{reply: faultPacket(0, 400, "bad request: "+err.Error()), close: true}
	}
	total := uint64(h.Size) + uint64(h.BodyLen)
	if total > uint64(len(b)) {
		if stream && total > bufSize {
			// Kamailio fills its buffer waiting for it, then gives up.
			m.log.Logf(klog.Err, Name, "buffer overrun: a request of %d bytes is larger than %d", total, bufSize)
			return result{close: true}
		}
		if !stream {
			m.log.Logf(klog.Dbg, Name, "dropping a truncated datagram: %d of %d bytes", len(b), total)
		}
		return result{}
	}
	n := int(total)
	if h.Type != binrpc.Request {
		return result{n: n, reply: faultPacket(h.Cookie, 400, "bad request: "+binrpc.ErrBadPkt.Error()), close: true}
	}
	r := binrpc.NewReader(b[h.Size:n])
	rec, err := r.Next(binrpc.Str)
	if err != nil {
		m.log.Logf(klog.Crit, Name, "bad rpc request method, binrpc error: %v", err)
		return result{n: n, reply: faultPacket(h.Cookie, 400, "bad request method: "+err.Error()), close: true}
	}
	method := binrpc.CString(rec.Str)
	if _, ok := m.registry().Lookup(method); !ok {
		return result{n: n, reply: faultPacket(h.Cookie, 500, fmt.Sprintf("command %s not found", method))}
	}
	// Parameters are read up to the first malformed record; a handler
	// that asks for more is told what is wrong with it.
	params, types, perr := r.Params()
	call := &rpc.Call{Method: method, Params: params, Convert: m.autoconv, Scan: scanner(types, perr)}
	return result{n: n, reply: m.run(h.Cookie, call)}
}

// run runs a command and returns the reply packet.
func (m *Module) run(cookie uint32, call *rpc.Call) []byte {
	method := call.Method
	if !m.registry().Run(withCtl(m.ctx, m), call) {
		return faultPacket(cookie, 500, fmt.Sprintf("command %s not found", method))
	}
	vals, fault := call.Reply()
	if fault == nil {
		var body []byte
		body, fault = binrpc.EncodeReply(vals, m.limits())
		if fault == nil {
			return binrpc.Packet(binrpc.Reply, cookie, body)
		}
	}
	return faultPacket(cookie, fault.Code, fault.Text)
}

// limits are the reply sizes the parameters set.
func (m *Module) limits() binrpc.Limits {
	return binrpc.Limits{Body: int(m.maxBody), Struct: int(m.structBody), Printf: int(max(m.bufferSize, 1))}
}

// faultPacket is a fault reply, or nil when Kamailio would send none
// (see binrpc.FaultBody).
func faultPacket(cookie uint32, code int, text string) []byte {
	body, ok := binrpc.FaultBody(code, text)
	if !ok {
		return nil
	}
	return binrpc.Packet(binrpc.Fault, cookie, body)
}
