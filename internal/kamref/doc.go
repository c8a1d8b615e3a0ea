// Package kamref drives a real Kamailio process for differential tests.
//
// It writes a configuration to a temporary directory, runs
// `kamailio -DD -E -f` on it, captures and parses the log lines Kamailio
// prints on stderr, and talks to the evapi module over TCP with netstrings.
// Check runs `kamailio -c` on a configuration. Every wait is bounded, so a
// stuck Kamailio fails a test instead of hanging it. Everything binds to
// 127.0.0.1.
package kamref
