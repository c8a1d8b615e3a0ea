//go:build !kamailio

package main

// requireDebianConfigs is false without the kamailio tag: the configs
// Debian ships are checked when they are installed.
const requireDebianConfigs = false
