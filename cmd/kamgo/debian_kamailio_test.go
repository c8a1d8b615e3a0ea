//go:build kamailio

package main

// requireDebianConfigs is true with the kamailio tag: the configs Debian
// ships must be installed, as .ci/run does.
const requireDebianConfigs = true
