//go:build !kamailio

package sipproxy_test

// requireTools is set by the kamailio build tag: sipp must be installed.
const requireTools = false
