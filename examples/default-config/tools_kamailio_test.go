//go:build kamailio

package defaultconfig_test

// requireTools is set by the kamailio build tag: sipp and Kamailio's
// default configuration must be installed.
const requireTools = true
