package preproc

import "github.com/kamgo/kamgo/lang/diag"

// The diagnostic codes of the scanner and preprocessor (KC0001-KC0199),
// with their texts. The code that reports one names it by its ID.
func init() { diag.Register("lang/preproc", diagCodes...) }

var diagCodes = []diag.Code{
	{
		ID:    "KC0001",
		Title: "unexpected character (ignored)",
		Explain: `A character that cannot start any token of the language: a control
character, a byte that is not UTF-8, or a symbol such as a backquote.
Kamailio's lexer has no rule for it, copies it to its standard output and
goes on, so the config is accepted. kamgo warns because such characters
usually come from a bad copy and paste or an editor accident, and may hide
a real change.`,
		Example: "request_route {\n\texit;`\n}",
		Fix:     "request_route {\n\texit;\n}",
	},
	{
		ID:    "KC0002",
		Title: "NUL byte in input (ignored)",
		Explain: `The file holds a byte 0. Kamailio skips it like any other character it has
no rule for, and accepts the config. A NUL byte in a text file usually
means the file was saved in the wrong encoding (UTF-16) or truncated while
written.`,
		Example: `request_route {
	exit; <- a byte 0x00 here
}`,
		Fix: `request_route {
	exit;
}`,
	},
	{
		ID:    "KC0003",
		Title: "unterminated string",
		Explain: `A string opened with " or ' is not closed before the end of the file.
Strings may span lines, so the missing quote is often far above the end,
where the string starts. Kamailio reports "unexpected EOF in unclosed
string" and a syntax error.`,
		Example: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "hello\n);
}`,
		Fix: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "hello\n");
}`,
	},
	{
		ID:    "KC0004",
		Title: "unterminated block comment",
		Explain: `A /* comment is not closed before the end of the file (block comments nest,
so each /* needs its own */). Kamailio logs that comments are still open
but accepts the config, ignoring everything after the /*: routes written
there silently do not exist.`,
		Example: `request_route {
	exit;
}
/* old routes
route[OLD] {
	drop;
}`,
		Fix: `request_route {
	exit;
}
/* old routes */
route[OLD] {
	drop;
}`,
	},
	{
		ID:    "KC0005",
		Title: "unbalanced parentheses in pseudo-variable",
		Explain: `Kamailio's lexer cuts a pseudo-variable such as $var(x) or $(hdr(Via)[0])
by counting its parentheses, and the closing one must be on the same line.
When the count does not come back to zero by the end of the line, the rest
of the line is not a pseudo-variable and Kamailio refuses the config.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(a = 1;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(a) = 1;
}`,
	},
	{
		ID:    "KC0006",
		Title: "malformed pseudo-variable",
		Explain: `A $ (or the % of an old-style attribute) is followed by nothing that can
name a pseudo-variable: a blank, a digit, punctuation. Kamailio cannot
parse it and refuses the config. Outside strings a $ always starts a
pseudo-variable; inside strings it is text, except in format strings, which
the function taking them parses (KC0403).`,
		Example: `loadmodule "pv.so"
request_route {
	$var(a) = $ 1;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(a) = 1;
}`,
	},
	{
		ID:    "KC0007",
		Title: "file too large",
		Explain: `The file is larger than kamgo reads (16 MiB unless configured otherwise).
Kamailio has no such limit; kamgo has one so that a wrong path (a log file,
a disk image) cannot exhaust memory. No real configuration comes close.`,
		Example: `kamgo check /var/log/syslog`,
	},
	{
		ID:    "KC0008",
		Title: "cannot read file",
		Explain: `The main configuration file cannot be opened or read: it does not exist,
permissions forbid it, it is not a regular file (a directory, a named pipe,
a device such as /dev/zero: kamgo does not wait on a pipe or read a device),
or it is larger than the size limit. kamgo check exits with status 2, as for
a usage error, since nothing could be checked. Included files have their
own codes, KC0160 and KC0007.`,
		Example: `kamgo check /etc/kamailio/kamailo.cfg`,
		Fix:     `kamgo check /etc/kamailio/kamailio.cfg`,
	},
	{
		ID:    "KC0009",
		Title: "too many errors",
		Explain: `The preprocessor stopped reporting after 200 diagnostics: input with that
many problems is most likely not a Kamailio configuration at all (a binary
file, a different format). Fix the first errors and check again.`,
		Example: `kamgo check /usr/lib/x86_64-linux-gnu/kamailio/modules/tm.so`,
	},
	{
		ID:    "KC0101",
		Title: "define name expected",
		Explain: `A directive that takes a name (#!define, #!ifdef, #!ifndef, #!trydef,
#!redefine, ...) has none after it, or what follows does not start like a
name. Kamailio reports a syntax error.`,
		Example: `#!define 2ND_PROXY "192.0.2.2"`,
		Fix:     `#!define PROXY_2 "192.0.2.2"`,
	},
	{
		ID:    "KC0102",
		Title: "'-' not allowed in a define name",
		Explain: `Define names are made of letters, digits and underscores. Kamailio stops
at a '-' in the name of a #!define or #!ifdef with an error ("'-' not
allowed"). Use an underscore.`,
		Example: `#!define MY-IP "192.0.2.1"`,
		Fix:     `#!define MY_IP "192.0.2.1"`,
	},
	{
		ID:    "KC0103",
		Title: "define already defined",
		Explain: `#!define of a name that is already defined, by an earlier #!define, by -A
on the command line, or by Kamailio itself (KAMAILIO_5, MOD_tm, ...).
Kamailio reports "already defined" and refuses the config. Use #!trydef to
keep the first value, or #!redefine to replace it.`,
		Example: `#!define DBURL "mysql://kamailio@localhost/kamailio"
#!define DBURL "mysql://kamailio@db/kamailio"`,
		Fix: `#!define DBURL "mysql://kamailio@localhost/kamailio"
#!redefine DBURL "mysql://kamailio@db/kamailio"`,
	},
	{
		ID:    "KC0104",
		Title: "too many defines",
		Explain: `Kamailio keeps at most 512 defines, counting its own and those given with
-A; the next #!define fails and the config is refused. A config that needs
that many defines usually generates them: generate the values instead.`,
		Example: `#!define D1 1
#!define D2 2
... (up to)
#!define D513 513`,
	},
	{
		ID:    "KC0105",
		Title: "recursive define expansion",
		Explain: `A define expands, directly or through other defines, to itself. Kamailio
has no guard against this and loops while it reads the config; kamgo
stops the expansion and reports it.`,
		Example: `#!define A B
#!define B A
request_route {
	if (A) exit;
}`,
		Fix: `#!define A 1
#!define B A
request_route {
	if (B) exit;
}`,
	},
	{
		ID:    "KC0106",
		Title: "define expansion too deep or too large",
		Explain: `Expanding one use of a define went through more than 64 nested defines, or
the expansions of one file added up to more than 8 MiB of text. Kamailio
has no such limits; kamgo has them so that hostile input cannot make it
run out of memory. A real configuration stays far below both.`,
		Example: `#!define D1 D2
#!define D2 D3
... (65 levels)
#!define D65 1`,
	},
	{
		ID:    "KC0107",
		Title: "invalid command-line define",
		Explain: `A define given with -A NAME or -A NAME=VALUE has a name that is not an
identifier (letters, digits and underscores, not starting with a digit).
Kamailio cannot use it either.`,
		Example: `kamgo check -A WITH-TLS kamailio.cfg`,
		Fix:     `kamgo check -A WITH_TLS kamailio.cfg`,
	},
	{
		ID:    "KC0108",
		Title: "environment variable not set",
		Explain: `#!defenv and #!defenvs define a name from an environment variable, and
Kamailio refuses the config when the variable is not set ("env variable
not defined"). Configs are often checked in another environment than the
one that runs them. Use #!trydefenv or #!trydefenvs when the variable may be
missing: the name is then simply not defined.`,
		Example: `#!defenv SIP_DOMAIN=KAMGO_EXAMPLE_DOMAIN`,
		Fix:     `#!trydefenv SIP_DOMAIN=KAMGO_EXAMPLE_DOMAIN`,
	},
	{
		ID:    "KC0109",
		Title: "invalid #!defenv argument",
		Explain: `The #!defenv family takes VAR (define VAR from the variable VAR) or
NAME=VAR (define NAME from VAR), both identifiers. Anything else is an
error, and Kamailio refuses the config.`,
		Example: `#!defenv`,
		Fix:     `#!trydefenv HOME`,
	},
	{
		ID:    "KC0110",
		Title: "invalid expression",
		Explain: `The expression of #!ifexp or #!defexp does not parse or cannot be
evaluated. These directives exist from Kamailio 5.7 on; kamgo evaluates them
only when it follows 5.7 or newer (under 5.6.3 they are comments, see
KC0128).`,
		Example: `#!ifexp 1 +
#!define WITH_TLS
#!endif`,
		Fix: `#!ifexp 1 + 1
#!define WITH_TLS
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0111",
		Title: "undefining a name that is not defined",
		Explain: `#!undef of a name that is not defined does nothing. It is a warning
because the name is often misspelled, and then the define meant to be
removed stays. #!undef exists from Kamailio 5.7 on (under 5.6.3 it is a
comment, see KC0128).`,
		Example: `#!define WITH_NAT
#!undef WITH_NATT`,
		Fix: `#!define WITH_NAT
#!undef WITH_NAT`,
	},
	{
		ID:    "KC0120",
		Title: "#!ifdef without a matching #!endif",
		Explain: `An #!ifdef, #!ifndef or #!ifexp is still open at the end of the file.
Kamailio notices only there and refuses the config ("different number of
preprocessor directives"). The matching #!endif is often present but not
read as one: it must stand alone on its line, followed only by blanks and a
newline (see KC0125 and KC0127).`,
		Example: `#!ifdef WITH_DEBUG
debug = 3
request_route {
	exit;
}`,
		Fix: `#!ifdef WITH_DEBUG
debug = 3
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0121",
		Title: "#!else without #!ifdef",
		Explain: `An #!else with no open #!ifdef before it. Kamailio logs a warning and
ignores it, so the text after it is always read. Usually the #!ifdef was
removed or sits in another file.`,
		Example: `#!else
debug = 2
request_route {
	exit;
}`,
		Fix: `debug = 2
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0122",
		Title: "#!endif without #!ifdef",
		Explain: `An #!endif with no open #!ifdef before it. Kamailio warns and ignores the
line, but counts it: at the end of the file there is one #!endif too many,
and the config is refused (KC0126).`,
		Example: `debug = 2
#!endif
request_route {
	exit;
}`,
		Fix: `debug = 2
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0123",
		Title: "too many nested #!ifdef",
		Explain: `Kamailio keeps at most 512 nested #!ifdef levels and refuses the config
beyond that. Only generated or broken input nests this deep; usually an
#!endif is missing in a loop of includes.`,
		Example: `#!ifdef A1
#!ifdef A2
... (513 levels)`,
	},
	{
		ID:    "KC0124",
		Title: "text after #!ifdef name is ignored",
		Explain: `#!ifdef and #!ifndef test exactly one name; Kamailio reads the name and
drops the rest of the line. #!ifdef A || B does not test B, and a comment
after the name is not needed. Put each condition in its own #!ifdef, or use
#!ifexp from Kamailio 5.7 on.`,
		Example: `#!ifdef WITH_TLS || WITH_WSS
enable_tls = yes
#!endif`,
		Fix: `#!ifdef WITH_TLS
enable_tls = yes
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0125",
		Title: "#!else/#!endif followed by text is a comment",
		Explain: `Kamailio recognises #!else and #!endif only when nothing but blanks follows
them on the line. With a comment or any other text after them the line is
an ordinary comment: an ignored #!else makes both branches follow the first
one's condition, and an ignored #!endif leaves its #!ifdef open (the config
is then refused at the end of the file, KC0120).`,
		Example: `#!ifdef WITH_DEBUG
debug = 3
#!endif // WITH_DEBUG
request_route {
	exit;
}`,
		Fix: `#!ifdef WITH_DEBUG
debug = 3
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0126",
		Title: "more #!endif than #!ifdef",
		Explain: `At the end of the file Kamailio compares the number of #!ifdef and #!endif
lines, and refuses the config when there are more #!endif ("different
number of preprocessor directives"). The stray #!endif is reported as
KC0122 where it stands.`,
		Example: `#!ifdef WITH_DEBUG
debug = 3
#!endif
#!endif
request_route {
	exit;
}`,
		Fix: `#!ifdef WITH_DEBUG
debug = 3
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0127",
		Title: "#!endif without a newline at end of file is a comment",
		Explain: `Kamailio needs the newline after #!endif to recognise it. When #!endif is
the very last text of a file, with no newline after it, it is read as a
comment, its #!ifdef stays open and the config is refused. Editors that do
not end files with a newline cause this.`,
		Example: "request_route {\n\texit;\n}\n#!ifdef WITH_DEBUG\ndebug = 3\n#!endif",
		Fix:     "request_route {\n\texit;\n}\n#!ifdef WITH_DEBUG\ndebug = 3\n#!endif\n",
	},
	{
		ID:    "KC0128",
		Title: "directive newer than the Kamailio version followed: read as a comment",
		Explain: `#!ifexp, #!defexp, #!defexps and #!undef appeared in Kamailio 5.7. Kamailio
5.6.3, which kamgo follows by default, reads such a line as a comment: the
define is not removed, the expression not tested. An #!endif written for an
#!ifexp then has no #!ifdef to close.`,
		Example: `#!define WITH_NAT
#!undef WITH_NAT`,
		Fix: `#!ifndef WITHOUT_NAT
#!define WITH_NAT
#!endif
request_route {
	exit;
}`,
	},
	{
		ID:    "KC0140",
		Title: "#!subst needs a string",
		Explain: `#!subst, #!substdef and #!substdefs take one quoted string, the
substitution "/regex/replacement/flags". Without the quotes Kamailio reports
a syntax error.`,
		Example: `#!subst /DBHOST/localhost/`,
		Fix:     `#!subst "/DBHOST/localhost/"`,
	},
	{
		ID:    "KC0141",
		Title: "invalid #!subst expression",
		Explain: `The string of #!subst must be /regex/replacement/flags, where the first
character chosen as the separator also ends each part, and the regular
expression must compile. Kamailio refuses a malformed one ("no separator
found", "bad regular expression").`,
		Example: `#!subst "DBHOST"`,
		Fix:     `#!subst "/DBHOST/localhost/"`,
	},
	{
		ID:    "KC0142",
		Title: "invalid #!substdef expression",
		Explain: `#!substdef and #!substdefs take /NAME/value/flags: a substitution whose
pattern is also the name of a define. The string must have that shape and
the pattern must be a valid define name (letters, digits, underscores).
Kamailio refuses anything else.`,
		Example: `#!substdef "/DB HOST/localhost/"`,
		Fix:     `#!substdef "/DBHOST/localhost/"`,
	},
	{
		ID:    "KC0160",
		Title: "include file not found",
		Explain: `include_file (or #!include_file) names a file that cannot be opened.
Kamailio tries the path as written, then relative to the directory of the
including file, and refuses the config when both fail. import_file is the
variant that skips a missing file silently.`,
		Example: `include_file "kamailio-local-missing.cfg"`,
		Fix:     `import_file "kamailio-local-missing.cfg"`,
	},
	{
		ID:    "KC0161",
		Title: "include nesting too deep",
		Explain: `Kamailio follows at most 10 nested levels of include_file and refuses the
config beyond that ("too many includes"). Real configs need two or three
levels; deeper nesting is almost always an include cycle.`,
		Example: `# a.cfg includes b.cfg, which includes c.cfg ... eleven levels down
include_file "b.cfg"`,
	},
	{
		ID:    "KC0162",
		Title: "include file name must be in double quotes",
		Explain: `include_file and import_file take the file name as a double-quoted
string. Kamailio refuses a bare or single-quoted name ("included file name
must be between quotes").`,
		Example: `include_file routes.cfg`,
		Fix:     `include_file "routes.cfg"`,
	},
	{
		ID:    "KC0163",
		Title: "include file name too long",
		Explain: `Kamailio keeps the name of an included file, quotes included, in a
128-byte buffer and refuses longer names. Shorten the path, for instance by
including relative to the main file.`,
		Example: `include_file "/etc/kamailio/sites/customers/example.com/routing/inbound/very/deeply/nested/directory/structure/that/goes/on/and/on/routes.cfg"`,
		Fix:     `include_file "routes.cfg"`,
	},
	{
		ID:    "KC0164",
		Title: "include file includes itself",
		Explain: `A file is included again while it is being included: directly, or
through a chain of other files. Kamailio follows the loop until its include
depth limit and then refuses the config ("too many includes"). kamgo names
the chain.`,
		Example: `# kamailio.cfg
include_file "kamailio.cfg"`,
	},
	{
		ID:    "KC0165",
		Title: "invalid include file name",
		Explain: `The quoted file name of include_file or import_file is empty or has an
escape that cannot be part of a path. Kamailio cannot open such a file.`,
		Example: `include_file ""`,
		Fix:     `include_file "routes.cfg"`,
	},
}
