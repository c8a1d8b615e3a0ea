// Package jsonrpcs is kamgo's jsonrpcs module: Kamailio's management
// commands (the RPC registry, runtime/rpc) served as JSON-RPC 2.0 over a
// FIFO file, over a datagram socket (unix or UDP) and over HTTP (with
// xhttp: jsonrpc_dispatch in event_route[xhttp:request]), and run from the
// script with jsonrpc_exec, whose response $jsonrpl(code|text|body) reads.
// It owns the request reader, the response writer and the transports.
//
// Requests are read with encoding/json. Responses are written by this
// package, not by encoding/json, because clients see Kamailio's exact
// bytes: its writer separates members with tabs and newlines when
// pretty_format is on, puts ", " between array items, prints numbers with
// C's %d, %.0f, %e or %f depending on their value, and escapes control
// bytes as \u00xx while passing every other byte through; encoding/json
// does none of these.
//
// The package README lists where kamgo differs from Kamailio 5.6.3.
package jsonrpcs

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/modules/xhttp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "jsonrpcs.so"` names it.
const Name = "jsonrpcs"

// The bits of the transport parameter; 0 starts every transport that
// can start and skips the others silently.
const (
	transHTTP  = 1
	transFIFO  = 2
	transDgram = 4
)

// Parameter defaults, as Kamailio 5.6.3 sets them.
const (
	defaultTransport   = transFIFO | transDgram
	defaultFIFOName    = "kamailio_rpc.fifo"
	defaultReplyDir    = "/tmp/"
	defaultDgramSocket = "kamailio_rpc.sock"
	defaultMode        = 0o660
	defaultDgramTO     = 2000
	defaultRunDir      = "/var/run/kamailio/"
)

func init() { module.Register(new(Module)) }

// owner is a user or group parameter: a number, or a name looked up at
// start. The zero value (id -1, no name) leaves the owner alone.
type owner struct {
	id   int
	name string
}

// Module is one loaded jsonrpcs module.
type Module struct {
	pretty    bool
	transport int64

	fifoName     string
	fifoMode     int64
	fifoUser     owner
	fifoGroup    owner
	fifoReplyDir string

	dgramSocket  string
	dgramWorkers int64
	dgramTimeout int64
	dgramMode    int64
	dgramUser    owner
	dgramGroup   owner

	host    module.Host
	log     *klog.Logger
	rpcHost rpc.Host      // where the registry is; it is built after Provision
	reg     *rpc.Registry // a fixed registry (tests), in place of rpcHost's
	xh      *xhttp.Module // the HTTP transport's replies; nil without xhttp

	mu    sync.Mutex
	fifo  *fifoServer
	dgram *dgramServer
}

func newModule() *Module {
	return &Module{
		pretty:       true,
		transport:    defaultTransport,
		fifoName:     defaultFIFOName,
		fifoMode:     defaultMode,
		fifoUser:     owner{id: -1},
		fifoGroup:    owner{id: -1},
		fifoReplyDir: defaultReplyDir,
		dgramSocket:  defaultDgramSocket,
		dgramWorkers: 1,
		dgramTimeout: defaultDgramTO,
		dgramMode:    defaultMode,
		dgramUser:    owner{id: -1},
		dgramGroup:   owner{id: -1},
	}
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	i, s, a := module.ParamInt, module.ParamStr, module.ParamAny
	none := value.MakeInt(-1)
	return module.Exports{
		Params: []module.Param{
			{Name: "pretty_format", Type: i, Default: value.MakeInt(1)},
			{Name: "transport", Type: i, Default: value.MakeInt(defaultTransport)},
			{Name: "fifo_name", Type: s, Default: value.MakeStr(defaultFIFOName)},
			{Name: "fifo_mode", Type: i, Default: value.MakeInt(defaultMode)},
			{Name: "fifo_group", Type: a, Default: none},
			{Name: "fifo_user", Type: a, Default: none},
			{Name: "fifo_reply_dir", Type: s, Default: value.MakeStr(defaultReplyDir)},
			{Name: "dgram_socket", Type: s, Default: value.MakeStr(defaultDgramSocket)},
			{Name: "dgram_workers", Type: i, Default: value.MakeInt(1)},
			{Name: "dgram_timeout", Type: i, Default: value.MakeInt(defaultDgramTO)},
			{Name: "dgram_mode", Type: i, Default: value.MakeInt(defaultMode)},
			{Name: "dgram_group", Type: a, Default: none},
			{Name: "dgram_user", Type: a, Default: none},
		},
		Funcs: []module.Func{
			{Name: "jsonrpc_exec", MinArgs: 1, MaxArgs: 1, Compile: m.compileExec},
			{Name: "jsonrpc_dispatch", Compile: func(module.Host, []*module.Arg) (module.Call, error) { return m.dispatch, nil }},
		},
		Classes: []*pv.Class{m.pvClass()},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "pretty_format":
		m.pretty = v.I != 0
	case "transport":
		m.transport = v.I
	case "fifo_name":
		m.fifoName = v.S
	case "fifo_mode":
		m.fifoMode = v.I
	case "fifo_group":
		m.fifoGroup = ownerOf(v)
	case "fifo_user":
		m.fifoUser = ownerOf(v)
	case "fifo_reply_dir":
		m.fifoReplyDir = v.S
	case "dgram_socket":
		m.dgramSocket = v.S
	case "dgram_workers":
		m.dgramWorkers = v.I
	case "dgram_timeout":
		m.dgramTimeout = v.I
	case "dgram_mode":
		m.dgramMode = v.I
	case "dgram_group":
		m.dgramGroup = ownerOf(v)
	case "dgram_user":
		m.dgramUser = ownerOf(v)
	default:
		return fmt.Errorf("%s: unknown parameter %s", Name, name)
	}
	return nil
}

func ownerOf(v value.Value) owner {
	if v.K == value.Str {
		return owner{id: -1, name: v.S}
	}
	return owner{id: int(v.I)}
}

// Provision implements module.Provisioner: it finds the server's RPC
// registry and checks what can be checked without touching the file
// system.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	m.log = h.Log()
	rh, ok := h.(rpc.Host)
	if !ok {
		return errors.New(Name + ": the server offers no RPC registry")
	}
	m.rpcHost = rh
	if err := m.bindHTTP(h); err != nil {
		return err
	}
	if m.dgramWorkers < 1 {
		// Kamailio forks no worker then: the socket is bound but never read.
		m.log.Logf(klog.Warn, Name, "dgram_workers is %d: datagram requests will not be answered", m.dgramWorkers)
	}
	return nil
}

// registry returns the RPC registry requests run in; nil before the
// server built it.
func (m *Module) registry() *rpc.Registry {
	if m.reg != nil {
		return m.reg
	}
	if m.rpcHost != nil {
		return m.rpcHost.RPC()
	}
	return nil
}

// wants reports whether the transport parameter asks for bit, and
// whether it insists on it (a failure to start it is then an error).
func (m *Module) wants(bit int64) (want, required bool) {
	return m.transport == 0 || m.transport&bit != 0, m.transport&bit != 0
}

// runDir is the core's run_dir (runtime_dir), where relative FIFO and
// socket names are put.
func (m *Module) runDir() string {
	for _, n := range []string{"run_dir", "rundir"} {
		if v, ok := m.host.CoreParam(n); ok && v.K == value.Str && v.S != "" {
			return v.S
		}
	}
	return defaultRunDir
}

// inRunDir puts a relative path in the run directory.
func (m *Module) inRunDir(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return filepath.Join(m.runDir(), p)
}

// Start implements module.Starter: it starts the transports the transport
// parameter selects. A transport it insists on that cannot start is an
// error; with transport 0 such a transport is skipped.
func (m *Module) Start(ctx context.Context) error {
	if m.host == nil {
		return errors.New(Name + ": Start before Provision")
	}
	if want, required := m.wants(transFIFO); want && m.fifoName != "" {
		f, err := m.startFIFO()
		switch {
		case err != nil && required:
			return fmt.Errorf("%s: cannot initialize fifo transport: %w", Name, err)
		case err != nil:
			m.log.Logf(klog.Info, Name, "fifo transport not started: %v", err)
		default:
			m.mu.Lock()
			m.fifo = f
			m.mu.Unlock()
		}
	}
	if want, required := m.wants(transDgram); want && m.dgramSocket != "" {
		d, err := m.startDgram()
		switch {
		case err != nil && required:
			m.stopFIFO()
			return fmt.Errorf("%s: cannot initialize datagram transport: %w", Name, err)
		case err != nil:
			m.log.Logf(klog.Info, Name, "datagram transport not started: %v", err)
		default:
			m.mu.Lock()
			m.dgram = d
			m.mu.Unlock()
		}
	}
	return nil
}

// Stop implements module.Starter: it stops the transports and removes the
// FIFO file and the unix socket, as Kamailio does at exit.
func (m *Module) Stop(ctx context.Context) error {
	m.stopFIFO()
	m.mu.Lock()
	d := m.dgram
	m.dgram = nil
	m.mu.Unlock()
	if d != nil {
		d.stop()
	}
	return nil
}

func (m *Module) stopFIFO() {
	m.mu.Lock()
	f := m.fifo
	m.fifo = nil
	m.mu.Unlock()
	if f != nil {
		f.stop()
	}
}

// FIFOPath is the FIFO file the module reads, once started ("" when the
// FIFO transport does not run).
func (m *Module) FIFOPath() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fifo == nil {
		return ""
	}
	return m.fifo.path
}

// DgramAddr is the address the datagram transport reads, once started
// (nil when it does not run).
func (m *Module) DgramAddr() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dgram == nil {
		return ""
	}
	return m.dgram.conn.LocalAddr().String()
}

// ids resolves a user and a group parameter to numeric ids (-1: leave
// alone), as Kamailio does: a user name also sets the group to the user's
// primary group, which a group parameter then overrides.
func ids(u, g owner) (uid, gid int, err error) {
	uid, gid = u.id, g.id
	if u.name != "" {
		if n, e := strconv.Atoi(u.name); e == nil {
			uid = n
		} else {
			usr, e := user.Lookup(u.name)
			if e != nil {
				return 0, 0, fmt.Errorf("bad user name %s", u.name)
			}
			uid, _ = strconv.Atoi(usr.Uid)
			gid, _ = strconv.Atoi(usr.Gid)
		}
	}
	if g.name != "" {
		if n, e := strconv.Atoi(g.name); e == nil {
			gid = n
		} else {
			grp, e := user.LookupGroup(g.name)
			if e != nil {
				return 0, 0, fmt.Errorf("bad group name %s", g.name)
			}
			gid, _ = strconv.Atoi(grp.Gid)
		}
	}
	return uid, gid, nil
}

// RPC implements rpc.Provider: jsonrpc.echo, the module's sample command.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{{
		Name:    "jsonrpc.echo",
		Doc:     "Returns its first parameter as a string and its second as an integer.",
		Array:   true,
		Handler: echo,
	}}
}

// echo is jsonrpc.echo: the first parameter as a string (a number as the
// digits of its integer part), then, when the first was one, the second
// as an integer (anything that is not a number reads as 0). A first
// parameter of another kind ends the reply.
func echo(_ context.Context, c *rpc.Call) {
	first := c.Param(0)
	if first == nil {
		return
	}
	s, ok := scanStr(first)
	if !ok {
		return
	}
	c.Add(rpc.NewStr(s))
	if second := c.Param(1); second != nil {
		c.Add(rpc.NewInt(int64(int32(scanDouble(second)))))
	}
}

// scanParam is rpc.Call.Scan for jsonrpcs: parameters are read as
// Kamailio's JSON-RPC server reads them. A string is read as it is; a
// number, when the command asks for conversion (Kamailio's '.'), as the
// digits of its value cast to an unsigned long; anything else fails. Any
// value reads as an integer: its numeric value, 0 for strings, null and
// lists, 1 for true. A failed read is no fault of its own in jsonrpcs:
// the command decides what to answer.
func scanParam(_ int, v *rpc.Value, want rpc.Kind, convert bool) (*rpc.Value, string) {
	if v == nil {
		return nil, "Missing Parameter"
	}
	switch want {
	case rpc.Str:
		if v.Kind == rpc.Str || convert {
			if s, ok := scanStr(v); ok {
				return rpc.NewStr(s), ""
			}
		}
	case rpc.Int:
		return rpc.NewInt(int64(scanDouble(v))), ""
	}
	return nil, "Invalid Parameter Type"
}

// scanDouble reads a parameter as jsonrpcs reads any node as a number.
func scanDouble(v *rpc.Value) float64 {
	switch v.Kind {
	case rpc.Int:
		return float64(v.Int)
	case rpc.Double:
		return v.Double
	case rpc.Bool:
		if v.Bool {
			return 1
		}
	}
	return 0
}

// scanStr reads a parameter as jsonrpcs's auto-converting string scan: a
// string as it is, a number as the decimal digits of its value cast to
// an unsigned long (negative numbers wrap around), anything else fails.
func scanStr(v *rpc.Value) (string, bool) {
	switch v.Kind {
	case rpc.Str:
		return v.Str, true
	case rpc.Int, rpc.Double:
		return strconv.FormatUint(ulong(scanDouble(v)), 10), true
	}
	return "", false
}

// ulong converts a double to C's unsigned long as x86-64 does: values
// below 2^63 through a signed conversion, so -1 is 2^64-1.
func ulong(d float64) uint64 {
	if d >= 1<<63 {
		return uint64(d)
	}
	return uint64(int64(d))
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ rpc.Provider       = (*Module)(nil)
)
