// Package siptest is the harness the SIP tests of the modules share. It
// runs a configuration in kamgo on a free 127.0.0.1 port (server.go) or
// in the installed Kamailio, with kamcmd on its ctl socket (kamailio.go),
// both behind one Target interface; it gives a test UDP user agents that
// send and read SIP with a bound on every wait (ua.go), builders for
// requests, replies and configuration text (message.go), the log as
// records (log.go), the replay of recorded cases (replay.go), RPC calls
// and their replies as kamcmd prints them (rpc.go), the masks, line
// diffs and golden files that compare two servers' output (compare.go),
// a lock for the fixed ports a shipped configuration names (lock.go),
// and the installed sipp for the tests that drive a server with it
// (sipp.go).
//
// Every wait is bounded: by Wait for something that must come (a
// message, a log line), by Quiet for something that must not, and every
// loop over messages by MaxSkip. Every port comes from internal/freeport
// or from the system. Nothing here sleeps to let a server catch up: a
// test waits for what the server sends or logs, and Poll asks for state
// that has no signal. The one exception is Kamailio's Advance, which
// lets real time pass because Kamailio's timers run on the real clock.
//
// The package imports no module, so that a module's own tests can use it:
// a test loads the modules its configuration names (blank imports) and
// reaches a module instance (to put it on a fake clock) through
// Options.Setup and Module.
package siptest

import "time"

// Wait bounds every wait for something that must come: a message, a log
// line, a server's start or stop.
const Wait = 5 * time.Second

// Quiet is how long a read waits for a message that must not come, and
// how long Drain waits for the next late one.
const Quiet = 300 * time.Millisecond

// MaxSkip bounds how many messages a read that looks for one particular
// message passes over (provisional replies, retransmissions).
const MaxSkip = 20
