package defaultconfig_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestSippCall: two sipp phones register (the registrar saves them in
// memory), one calls the other by its user name at the proxy; lookup
// finds the contact, tm relays the INVITE with a Record-Route, so the
// ACK and the BYE come back through the proxy with loose routing.
func TestSippCall(t *testing.T) {
	t.Parallel()
	cfg, sipp := configFile(t), newSipp(t)
	k := startKamgo(t, cfg)
	alice, bob := siptest.FreePort(t), siptest.FreePort(t)
	sipp.Run(scenarioArgs(t, "register.xml", k.port, alice, 1, "alice")...)
	sipp.Run(scenarioArgs(t, "register.xml", k.port, bob, 1, "bob")...)
	// The callee listens where it registered; the caller starts once the
	// callee's sipp runs, and sipp retransmits the INVITE over UDP until
	// it is answered, so the callee's start-up time does not matter.
	uas := sipp.Start(scenarioArgs(t, "uas.xml", k.port, bob, 2, "bob")...)
	sipp.Run(scenarioArgs(t, "uac.xml", k.port, alice, 2, "bob")...)
	sipp.Wait(uas)
}

// TestSippOptions: OPTIONS to the proxy itself is answered 200 Keepalive
// by route[REQINIT].
func TestSippOptions(t *testing.T) {
	t.Parallel()
	cfg, sipp := configFile(t), newSipp(t)
	k := startKamgo(t, cfg)
	sipp.Run(scenarioArgs(t, "options.xml", k.port, siptest.FreePort(t), 3, "ping")...)
}

// TestSippNotFound: an INVITE to a user with no registration gets 404
// Not Found from route[LOCATION], in a transaction (the ACK is absorbed).
func TestSippNotFound(t *testing.T) {
	t.Parallel()
	cfg, sipp := configFile(t), newSipp(t)
	k := startKamgo(t, cfg)
	sipp.Run(scenarioArgs(t, "notfound.xml", k.port, siptest.FreePort(t), 2, "nobody")...)
}
