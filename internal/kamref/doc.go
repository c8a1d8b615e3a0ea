// Package kamref drives a real Kamailio process for differential tests.
//
// It writes a configuration to a temporary directory (config.go), runs
// `kamailio -DD -E -f` on it and waits for its evapi port (instance.go),
// parses the log lines Kamailio prints on stderr (log.go), talks to the
// evapi module over TCP with netstrings (evapi.go), and runs `kamailio -c`
// on a configuration (check.go). Finding the binary and running `-c` are
// package kamc's; starting, stopping and capturing the process are package
// proc's; ports come from package freeport. Every wait is bounded, so a
// stuck Kamailio fails a test instead of hanging it. Everything binds to
// 127.0.0.1.
package kamref
