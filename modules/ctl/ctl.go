// Package ctl owns kamgo's implementation of Kamailio's ctl module: the
// control sockets kamcmd talks to. Each binrpc parameter opens a listener
// (a unix stream or datagram socket, udp or tcp) that answers binrpc
// requests (package binrpc) by running the server's RPC commands
// (runtime/rpc); each fifo parameter opens one that speaks the older text
// FIFO protocol. ctl offers its own commands: ctl.listen, ctl.connections
// and ctl.who.
//
// Parameters, defaults, listen address forms, replies and faults follow
// Kamailio 5.6.3's ctl module; the package README lists where kamgo
// differs.
package ctl

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "ctl.so"` names it.
const Name = "ctl"

// Kamailio's defaults.
const (
	defaultRunDir     = "/run/kamailio"
	defaultSocketName = "kamailio_ctl"
	defaultMode       = 0o600
	defaultMaxBody    = 32 // KiB
	defaultStructBody = 8  // KiB
	defaultBufferSize = 1024
	// maxStreamConns is how many stream connections are open at once
	// (MAX_IO_READ_CONNECTIONS); more are closed at accept.
	maxStreamConns = 128
	// bufSize is the most a stream buffers and a datagram holds.
	bufSize = 65535
)

func init() { module.Register(new(Module)) }

// Module is one loaded ctl module.
type Module struct {
	ids        []listenID // binrpc and fifo parameters, in order
	mode       int
	uid, gid   int // -1: not set
	autoconv   bool
	maxBody    int64 // KiB until Provision, bytes after
	structBody int64
	bufferSize int64

	host module.Host
	log  *klog.Logger

	mu       sync.Mutex
	ctx      context.Context // the handlers' context, done at Stop
	cancel   context.CancelFunc
	socks    []*ctrlSocket // in parameter order
	conns    []*conn       // open stream connections, in accept order
	started  bool
	stopping bool
	wg       sync.WaitGroup
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{
		mode:       defaultMode,
		uid:        -1,
		gid:        -1,
		maxBody:    defaultMaxBody,
		structBody: defaultStructBody,
		bufferSize: defaultBufferSize,
	}
}

// Exports implements module.Exporter. ctl exports no script functions.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "binrpc", Type: module.ParamStr, Multi: true},
			{Name: "fifo", Type: module.ParamStr, Multi: true},
			{Name: "mode", Type: module.ParamInt, Default: value.MakeInt(defaultMode)},
			{Name: "user", Type: module.ParamStr, Multi: true},
			{Name: "group", Type: module.ParamStr, Multi: true},
			{Name: "autoconversion", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "binrpc_max_body_size", Type: module.ParamInt, Default: value.MakeInt(defaultMaxBody)},
			{Name: "binrpc_struct_max_body_size", Type: module.ParamInt, Default: value.MakeInt(defaultStructBody)},
			{Name: "binrpc_buffer_size", Type: module.ParamInt, Default: value.MakeInt(defaultBufferSize)},
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	str := func() (string, error) {
		switch v.K {
		case value.Str:
			return v.S, nil
		case value.Int:
			// Kamailio's string parameters take a number as its digits.
			return strconv.FormatInt(v.I, 10), nil
		}
		return "", fmt.Errorf("ctl: parameter %s takes a string, got %s", name, v.K)
	}
	num := func() (int64, error) {
		if v.K != value.Int {
			return 0, fmt.Errorf("ctl: parameter %s takes an integer, got %s", name, v.K)
		}
		return v.I, nil
	}
	switch name {
	case "binrpc", "fifo":
		s, err := str()
		if err != nil {
			return err
		}
		def, data := udpSock, payloadBinrpc
		if name == "fifo" {
			def, data = fifoSock, payloadFIFO
		}
		id, err := parseListenID(s, def)
		if err != nil {
			return fmt.Errorf("ctl: bad %s socket %q: %v", name, s, err)
		}
		id.data = data
		m.ids = append(m.ids, id)
	case "mode":
		n, err := num()
		if err != nil {
			return err
		}
		m.mode = int(n)
	case "user":
		s, err := str()
		if err != nil {
			return err
		}
		if m.uid, err = lookupUser(s); err != nil {
			return fmt.Errorf("ctl: bad user name/uid number %s: %v", s, err)
		}
	case "group":
		s, err := str()
		if err != nil {
			return err
		}
		if m.gid, err = lookupGroup(s); err != nil {
			return fmt.Errorf("ctl: bad group name/gid number %s: %v", s, err)
		}
	case "autoconversion":
		n, err := num()
		if err != nil {
			return err
		}
		m.autoconv = n != 0
	case "binrpc_max_body_size", "binrpc_struct_max_body_size", "binrpc_buffer_size":
		n, err := num()
		if err != nil {
			return err
		}
		switch name {
		case "binrpc_max_body_size":
			m.maxBody = n
		case "binrpc_struct_max_body_size":
			m.structBody = n
		default:
			m.bufferSize = n
		}
	default:
		return fmt.Errorf("ctl: unknown parameter %q", name)
	}
	return nil
}

// lookupUser resolves a user name or uid number. As Kamailio reads the
// number with strtol, "" is 0 and "-1" means not set.
func lookupUser(s string) (int, error) {
	if n, ok := cNumber(s); ok {
		return n, nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return -1, err
	}
	return strconv.Atoi(u.Uid)
}

// lookupGroup resolves a group name or gid number.
func lookupGroup(s string) (int, error) {
	if n, ok := cNumber(s); ok {
		return n, nil
	}
	g, err := user.LookupGroup(s)
	if err != nil {
		return -1, err
	}
	return strconv.Atoi(g.Gid)
}

// cNumber reads s as C's strtol(s, &end, 10) with nothing after the
// number: leading blanks and a sign are allowed, and "" is 0.
func cNumber(s string) (int, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" {
		return 0, s == t
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}

// Provision implements module.Provisioner: it applies Kamailio's floors
// to the body sizes, adds the default listener when no binrpc or fifo
// parameter named one, and takes the socket owner from the core's
// sock_user and sock_group when the module sets none.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	m.log = h.Log()
	if _, ok := h.(rpc.Host); !ok {
		return errors.New("ctl: the server offers no RPC registry")
	}
	if m.maxBody <= 0 {
		m.maxBody = 4
	}
	if m.structBody <= 0 {
		m.structBody = 1
	}
	m.maxBody *= 1024
	m.structBody *= 1024
	if len(m.ids) == 0 {
		dir := defaultRunDir
		for _, p := range []string{"runtime_dir", "rundir", "run_dir"} {
			if v, ok := h.CoreParam(p); ok && v.K == value.Str && v.S != "" {
				dir = v.S
			}
		}
		id, err := parseListenID("unixs:"+dir+"/"+defaultSocketName, udpSock)
		if err != nil {
			return fmt.Errorf("ctl: default socket: %v", err)
		}
		m.ids = append(m.ids, id)
	}
	for _, p := range []struct {
		name string
		dst  *int
		look func(string) (int, error)
	}{{"sock_user", &m.uid, lookupUser}, {"sock_group", &m.gid, lookupGroup}} {
		if *p.dst != -1 {
			continue
		}
		if v, ok := h.CoreParam(p.name); ok && !v.IsNull() {
			id, err := p.look(value.ToStr(v))
			if err != nil {
				return fmt.Errorf("ctl: core %s %q: %v", p.name, value.ToStr(v), err)
			}
			*p.dst = id
		}
	}
	for i := range m.ids {
		if p := &m.ids[i]; (p.proto == tcpSock || p.proto == udpSock) && p.port == 0 {
			p.port = defaultPort
		}
	}
	return nil
}

// registry is the server's RPC registry, looked up per request because
// the server builds it after modules are provisioned.
func (m *Module) registry() *rpc.Registry {
	return m.host.(rpc.Host).RPC()
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ rpc.Provider       = (*Module)(nil)
)

// ctxKey marks a context as a request ctl serves (ctl.who and
// ctl.connections answer only those, as in Kamailio they run only in
// ctl's process).
type ctxKey struct{}

// withCtl returns ctx marked as served by m.
func withCtl(ctx context.Context, m *Module) context.Context {
	return context.WithValue(ctx, ctxKey{}, m)
}
