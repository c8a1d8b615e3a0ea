package csrc

import "os"

// DebianBuild is what the compiler command line decides for the export
// tables in a Debian build of Kamailio with every module package: the
// preprocessor conditions around table entries that the source alone
// does not settle. Each fact names where it was read; a condition not
// listed here leaves its entries undecided, which the reader reports.
var DebianBuild = Build{
	Defined: map[string]string{
		// src/Makefile.defs (5.6.3 ... 5.8.8): C_DEFS += -DUSE_TCP and
		// -DUSE_DNS_FAILOVER unconditionally, -DUSE_TLS with TLS_HOOKS=1
		// (the default), -DUSE_SCTP with SCTP=1 (Debian builds with
		// libsctp); cmake/defs.cmake (6.0, 6.1): options USE_TCP, USE_TLS,
		// USE_SCTP, USE_DNS_FAILOVER, all ON. The 5.6.3 binaries export
		// t_relay_to_tcp, t_relay_to_tls and t_relay_to_sctp (tm.c).
		"USE_TCP":          "1",
		"USE_TLS":          "1",
		"USE_SCTP":         "1",
		"USE_DNS_FAILOVER": "1",
		// Debian 12 and 13 build against OpenSSL 3 (opensslv.h gives
		// 0x30000000 and above); tls_mod.c picks engine or provider
		// parameters by it from 5.7 on.
		"OPENSSL_VERSION_NUMBER": "0x30000000L",
	},
	Undefined: map[string]bool{
		// tm.c, sl.c: only for a core with tm or sl linked in; the Debian
		// modules are shared objects exporting "exports".
		"STATIC_TM": true,
		"STATIC_SL": true,
		// src/modules/rr/Makefile: "#DEFS+=-DENABLE_USER_CHECK", commented
		// out at every tag read.
		"ENABLE_USER_CHECK": true,
		// Debian's OpenSSL 3 keeps engines and providers: the 5.6.3 tls
		// binary exports engine, engine_config and engine_algorithms.
		"OPENSSL_NO_ENGINE":   true,
		"OPENSSL_NO_PROVIDER": true,
	},
	Module: map[string]map[string]string{
		// src/modules/ctl/Makefile: DEFS+=-DUSE_FIFO; CMakeLists.txt:
		// target_compile_definitions(... USE_FIFO ...).
		"ctl": {"USE_FIFO": "1"},
		// src/modules/db_redis/Makefile and ndb_redis/Makefile add
		// -DWITH_SSL when the compiler finds libhiredis_ssl.so
		// (CMakeLists.txt: when hiredis_ssl is found), which hiredis 1.x
		// builds provide and 0.14 (Debian 12) does not; the entries only
		// exist from 5.8 on. Taken as defined: the SSL parameters are then
		// known, and a config using them is right for a build that has them.
		"db_redis":  {"WITH_SSL": "1"},
		"ndb_redis": {"WITH_SSL": "1"},
	},
}

// DefaultRepo is the Kamailio git repository read when none is named:
// $KAMAILIO_REPO, else the mirror this project's machines keep.
func DefaultRepo() string {
	if r := os.Getenv("KAMAILIO_REPO"); r != "" {
		return r
	}
	return "/work/.mirror/kamailio+kamailio/repo"
}
