package server

import "github.com/kamgo/kamgo/lang/diag"

// Codes of this package (KC2100-KC2199). The server loads configs that
// lang/check has passed: it reports what only loading can find, with the
// modules kamgo has. The codes of the modparam rules it used to repeat
// (KC2102-KC2104) stay declared, retired, so that their IDs are never
// given to anything else.
const (
	CodeUnknownModule = "KC2101" // loadmodule names a module kamgo does not implement
	CodeParamRefused  = "KC2105" // the module refused a parameter value
	CodeProvision     = "KC2106" // the module failed to provision
	CodeReload        = "KC2107" // reload refused: needs a restart
	CodeCoreParam     = "KC2108" // bad core parameter value
	CodePVTable       = "KC2109" // two modules register the same class
	CodeUnresolved    = "KC2110" // a host written in the configuration does not resolve
)

func init() { diag.Register("runtime/server", diagCodes...) }

var diagCodes = []diag.Code{
	{
		ID:    CodeUnknownModule,
		Title: "loadmodule names a module kamgo does not implement",
		Explain: `The module is one of Kamailio's, so kamgo check accepts the config, but
kamgo run has no implementation of it (kamgo modules lists those it has).
kamgo run refuses the config and lists where its functions and
pseudo-variables are used. --allow-missing NAME runs the config anyway,
with the module's functions as logged no-ops returning 1, its modparams
ignored and its pseudo-variables <null>.`,
		Example: `loadmodule "ipops.so"
request_route {
	is_ip("192.0.2.1");
}`,
	},
	{
		ID:       "KC2102",
		Title:    "modparam names a parameter the module does not have (retired: KC1004)",
		Reserved: true,
		Explain: `Retired. The server used to report a modparam naming no parameter of its
module. lang/check reports it, as KC1004, from the module catalog; a
parameter Kamailio has and kamgo does not run is KC2213.`,
		Example: `loadmodule "evapi.so"
modparam("evapi", "worker", 2)`,
	},
	{
		ID:       "KC2103",
		Title:    "modparam value of the wrong type (retired: KC1005)",
		Reserved: true,
		Explain: `Retired. The server used to report a modparam value of the wrong type.
lang/check reports it, as KC1005.`,
		Example: `loadmodule "evapi.so"
modparam("evapi", "workers", "2")`,
	},
	{
		ID:       "KC2104",
		Title:    "modparam for a module that is not loaded (retired: KC1003)",
		Reserved: true,
		Explain: `Retired. The server used to report a modparam for a module no loadmodule
names. lang/check reports it, as KC1003.`,
		Example: `modparam("evapi", "workers", 2)`,
	},
	{
		ID:    CodeParamRefused,
		Title: "the module refused a parameter value",
		Explain: `The parameter exists and its value has the right type, so kamgo check
accepts it, but the module refused the value when kamgo run handed it
over (a count below its minimum, a word it does not know), as Kamailio's
module would when it starts. The message is the module's.`,
		Example: `loadmodule "evapi.so"
modparam("evapi", "max_clients", 0)`,
		Fix: `loadmodule "evapi.so"
modparam("evapi", "max_clients", 8)`,
	},
	{
		ID:    CodeProvision,
		Title: "the module failed to provision",
		Explain: `After all modparams are set, each module checks them together and
prepares what it needs, as Kamailio's modules do in their init function.
This module failed to, and kamgo run stops before anything runs. The
message is the module's.`,
		Example: `loadmodule "cfgutils.so"
modparam("cfgutils", "initial_probability", 200)`,
		Fix: `loadmodule "cfgutils.so"
modparam("cfgutils", "initial_probability", 20)`,
	},
	{
		ID:    CodeReload,
		Title: "reload refused: the change needs a restart",
		Explain: `kamgo run --watch (or SIGHUP) reloads the config without dropping
connections, but only when the modules can keep running as they are: the
new config must load the same modules in the same order, with the same
modparams, and keep the core parameters fixed at start (listen, children,
...; debug, log_prefix, log_prefix_mode, max_while_loops and max_recursive_level may
change). Otherwise the reload is refused and the running config is kept;
restart kamgo to apply it.`,
		Example: `# running with:
loadmodule "evapi.so"
modparam("evapi", "workers", 2)
# reloaded with:
loadmodule "evapi.so"
modparam("evapi", "workers", 4)`,
	},
	{
		ID:    CodeCoreParam,
		Title: "bad core parameter value",
		Explain: `kamgo run could not apply a core parameter that kamgo check accepts:
debug must be an integer, and a log_prefix with pseudo-variables must
compile with the classes of the loaded modules, since it is expanded for
every log line.`,
		Example: `log_prefix = "{$nope(x)} "
request_route {
	exit;
}`,
		Fix: `loadmodule "pv.so"
log_prefix = "{$ci} "
request_route {
	exit;
}`,
	},
	{
		ID:    CodePVTable,
		Title: "two modules register the same pseudo-variable class",
		Explain: `Two loaded modules of kamgo register a pseudo-variable class or a
transformation class of the same name, so kamgo run cannot tell which one
a config means. The modules kamgo ships never clash; this guards modules
added to kamgo.`,
		Example: `loadmodule "mymod.so"   # registers $var, as pv does
loadmodule "pv.so"`,
	},
	{
		ID:    CodeUnresolved,
		Title: "a host written in the configuration does not resolve (or is no socket of the server)",
		Explain: `forward(), forward_udp() and forward_tcp() written with a host name send
to the address the name has when the configuration starts, and so do tm's
t_relay(host, port), t_relay_to_udp/tcp(host, port), t_replicate(host,
port), t_forward_nonack(host, port) and their forms, and
t_relay_to("proto:host:port"). Kamailio looks each one up once (an SRV
record when no port is written, then an address record) and refuses to
start when one does not resolve ("could not resolve hostname", then
"fixing failed" at the call's line and at each statement around it).
force_send_socket() finds its socket then: one Kamailio does not listen
on (or whose name does not resolve) refuses the configuration the same
way. kamgo run does the same when its sockets open (force_send_socket()
for a transport kamgo does not serve, such as TLS, fails when it runs),
and a reload whose new host does not resolve is refused, the running
configuration kept. kamgo check does not look names up: it works
offline.`,
		Example: `listen=udp:127.0.0.1:5060
request_route {
	forward("no-such-host.invalid");
}`,
		Fix: `listen=udp:127.0.0.1:5060
request_route {
	forward("192.0.2.10", 5060);
}`,
	},
}
