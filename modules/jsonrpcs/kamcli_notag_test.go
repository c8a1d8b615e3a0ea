//go:build !kamailio

package jsonrpcs_test

// requireKamcli: without the kamailio tag a missing kamcli skips.
const requireKamcli = false
