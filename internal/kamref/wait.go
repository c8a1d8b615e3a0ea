package kamref

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/kamc"
	"github.com/kamgo/kamgo/internal/proc"
)

// StartSIP is Start for a configuration that has no evapi listener: it
// writes cfgText (placeholders substituted; a zero SIPPort is picked) to a
// temporary directory and runs it as StartSIPFile does, with that
// directory as the runtime one.
func StartSIP(ctx context.Context, cfgText string, opts Options) (*Instance, error) {
	var err error
	if opts.SIPPort == 0 {
		if opts.SIPPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	dir, cfgPath, err := writeConfig("sip", cfgText, opts.SIPPort, 0)
	if err != nil {
		return nil, err
	}
	return startSIP(ctx, dir, cfgPath, opts)
}

// StartSIPFile runs the configuration file at path where it is, as an
// operator would (`kamailio -DD -E -Y DIR -f PATH` with opts.Args), and
// waits until a process of Kamailio's group holds both a UDP socket and a
// listening TCP socket on 127.0.0.1:opts.SIPPort, which opts.Args must make
// it listen on ("-l" arguments, or the file's listen lines). DIR, a new
// temporary directory, is Instance.Dir: the runtime directory, where ctl
// puts kamailio_ctl and jsonrpcs its FIFO and socket. EvapiPort is
// ignored.
func StartSIPFile(ctx context.Context, path string, opts Options) (*Instance, error) {
	if opts.SIPPort == 0 {
		return nil, fmt.Errorf("kamailio start: %s: no SIP port given", path)
	}
	dir, err := os.MkdirTemp("", tempPrefix+"run")
	if err != nil {
		return nil, err
	}
	return startSIP(ctx, dir, path, opts)
}

// startSIP runs Kamailio on cfgPath with dir as its runtime directory and
// waits for its SIP sockets; dir goes with the instance.
func startSIP(ctx context.Context, dir, cfgPath string, opts Options) (*Instance, error) {
	var err error
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 15 * time.Second
	}
	bin := opts.Binary
	if bin == "" {
		if bin, err = kamc.Path(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	p, err := proc.Start(proc.Cmd{
		Path: bin,
		Args: append([]string{"-DD", "-E", "-Y", dir, "-f", cfgPath}, opts.Args...),
		Dir:  dir,
		Env:  append(os.Environ(), opts.Env...),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("kamailio start: %w", err)
	}
	in := &Instance{SIPPort: opts.SIPPort, Dir: dir, p: p}
	if err := in.awaitSIP(ctx, opts.StartTimeout); err != nil {
		in.Stop()
		return nil, &StartError{Reason: err.Error(), Log: in.Lines()}
	}
	return in, nil
}

// awaitSIP polls procfs for the SIP sockets instead of sending a probe,
// which the configuration would route like any request. As in
// awaitListen, the sockets must belong to this Kamailio's process group.
func (in *Instance) awaitSIP(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if holdsSocket("/proc/net/udp", in.SIPPort, "07", in.p.Pid()) &&
			holdsSocket("/proc/net/tcp", in.SIPPort, "0A", in.p.Pid()) {
			return nil
		}
		if time.Now().After(deadline) {
			// As in awaitListen: a refusal takes its time to exit.
			if refused(in.Lines()) {
				select {
				case <-in.p.Done():
					return fmt.Errorf("kamailio exited before listening (%v)", in.p.Err())
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(timeout):
				}
			}
			return fmt.Errorf("SIP port %d not bound after %v", in.SIPPort, timeout)
		}
		select {
		case <-in.p.Done():
			return fmt.Errorf("kamailio exited before listening (%v)", in.p.Err())
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// holdsSocket reports whether a process of group pgid holds a socket of
// the procfs table file (/proc/net/udp or /proc/net/tcp) bound to
// 127.0.0.1:port in state (hex, as the table prints it: 07 is an unbound
// UDP socket's "close", 0A is TCP's LISTEN).
func holdsSocket(table string, port int, state string, pgid int) bool {
	data, err := os.ReadFile(table)
	if err != nil {
		return false
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 9 && f[1] == want && f[3] == state && groupHolds(pgid, "socket:["+f[9]+"]") {
			return true
		}
	}
	return false
}
