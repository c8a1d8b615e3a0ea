//go:build !kamailio

package main

// requireTools is set by the kamailio build tag: sipp must be installed.
const requireTools = false
