// Package check owns the semantic checks of a parsed configuration: it
// resolves every name (modules, module parameters, core parameters,
// functions, routes, pseudo-variable classes and names, transformations,
// flags, event routes) against the module catalog and reports what
// `kamailio -c` and Kamailio's startup would reject, as errors, plus real
// mistakes Kamailio lets through, as warnings.
//
// Errors follow Kamailio's verdicts: a config kamgo reports errors for is one
// Kamailio refuses to check or to start. Warnings never change the verdict.
package check

import (
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
)

// reservedWords are keywords of Kamailio's lexer other than core parameter
// names (which the catalog lists) that may appear where a name is expected.
var reservedWords = map[string]bool{
	"udp": true, "tcp": true, "tls": true, "sctp": true, "ws": true, "wss": true,
	"inet": true, "inet6": true, "ipv4": true, "ipv6": true,
	"method": true, "uri": true, "status": true, "from_uri": true, "to_uri": true,
	"src_ip": true, "dst_ip": true, "src_port": true, "dst_port": true, "proto": true,
	"af": true, "myself": true, "msg": true, "snd_ip": true, "snd_port": true,
	"snd_proto": true, "snd_af": true, "to_ip": true, "to_port": true, "rcvip": true,
	"rcvport": true, "max_len": true, "name": true, "port": true, "domain": true,
	"alias": true, "user": true, "group": true, "dns": true, "yes": true, "no": true,
	"on": true, "off": true, "true": true, "false": true, "enable": true, "disable": true,
	"forward": true, "drop": true, "exit": true, "return": true, "break": true,
	"log": true, "error": true, "route": true, "if": true, "else": true, "switch": true,
	"case": true, "default": true, "while": true, "setflag": true, "resetflag": true,
	"isflagset": true, "strip": true, "prefix": true, "rewriteuri": true, "seturi": true,
	"mod": true, "and": true, "or": true, "not": true, "eq": true, "ne": true, "ieq": true, "ine": true,
}

// Options configure a check.
type Options struct {
	// Catalog supplies the module facts; nil means catalog.Load().
	Catalog *catalog.Catalog
	// GrammarOnly runs only the checks that stand for rules of Kamailio's
	// grammar (core parameter names and value shapes, listen addresses,
	// reserved route names), for a config that already has syntax errors.
	GrammarOnly bool
}

// Check runs every semantic check on cfg.
func Check(cfg *ast.Config, opts Options) diag.List {
	c := &checker{cat: opts.Catalog, loaded: map[string]*loadedMod{}, routes: map[ast.Slot]*ast.Route{},
		flags: map[string]int{}, okIdents: map[*ast.Ident]bool{}, okAddrs: map[*ast.AddrLit]bool{}}
	if c.cat == nil {
		c.cat = catalog.Load()
	}
	if opts.GrammarOnly {
		for _, it := range cfg.Items {
			switch n := it.(type) {
			case *ast.CoreParam:
				c.coreParam(n)
			case *ast.Route:
				c.reservedRouteName(n)
			case *ast.LoadModule:
				c.loadModuleCall(n)
			}
		}
	} else {
		c.run(cfg)
	}
	c.diags.Sort()
	return c.diags
}

type loadedMod struct {
	mod   *catalog.Module
	order int // index of the loadmodule item
	node  *ast.LoadModule
}

type checker struct {
	cat    *catalog.Catalog
	diags  diag.List
	loaded map[string]*loadedMod // by declared module name
	routes map[ast.Slot]*ast.Route
	flags  map[string]int // declared flag names, with the index of their flags item
	// flagBits has a bit set for each flag bit a name took.
	flagBits uint32

	// per route body walk
	route     *ast.Route
	routeMask routetype.Mask
	itemIdx   int
	calls     map[string][]string // route title -> named routes it calls
	funcUses  map[string][]funcUse
	okIdents  map[*ast.Ident]bool   // host names in legacy tests
	okAddrs   map[*ast.AddrLit]bool // addresses in legacy tests
	// strictPV is set while a pseudo-variable is read where Kamailio
	// parses it as one or fails (a format string, a pseudo-variable
	// argument), not as an AVP when its class is unknown.
	strictPV bool
}

type funcUse struct {
	fn   *catalog.Func
	call *ast.Call
}

func (c *checker) errorf(code string, r diag.Range, format string, args ...any) *diag.Diagnostic {
	d := c.diags.Errorf(code, r, format, args...)
	if c.route != nil {
		d.Context = c.route.Title()
	}
	return d
}

func (c *checker) warnf(code string, r diag.Range, format string, args ...any) *diag.Diagnostic {
	d := c.diags.Warnf(code, r, format, args...)
	if c.route != nil {
		d.Context = c.route.Title()
	}
	return d
}

func (c *checker) run(cfg *ast.Config) {
	// Pass 1: declarations, in order (Kamailio resolves functions while
	// parsing, so a module must be loaded before its functions are used).
	for i, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.LoadModule:
			c.loadModule(i, n)
		case *ast.ModParam:
			c.modparam(n)
		case *ast.CoreParam:
			c.coreParam(n)
		case *ast.Flags:
			c.declareFlags(i, n)
		case *ast.Route:
			c.declareRoute(n)
		case *ast.CfgEngine:
			c.cfgEngine(n)
		}
	}
	c.kemiCallbacks(cfg)
	// Pass 2: route bodies.
	c.calls = map[string][]string{}
	c.funcUses = map[string][]funcUse{}
	for i, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok || r.Body == nil {
			continue
		}
		c.route, c.itemIdx = r, i
		c.routeMask = routetype.Of(r.Kind)
		c.block(r.Body.Stmts)
		if r.Kind == ast.Event {
			c.eventRoute(r)
		}
		c.route = nil
	}
	c.callGraph(cfg)
	// Kamailio binds module APIs when the modules start, after the whole
	// config parsed: a missing dependency matters only when nothing else
	// is wrong.
	if !c.diags.HasErrors() {
		c.moduleDeps(cfg)
	}
}

// loadModuleCall refuses loadmodule("path") where the release checked
// for has only loadmodule "path".
func (c *checker) loadModuleCall(n *ast.LoadModule) {
	if n.Paren && !c.cat.Syntax("loadmodule-call") {
		c.errorf(CodeNewerSyntax, n.Rng, "loadmodule(...) needs Kamailio 5.7 or newer (the config is checked for Kamailio %s); write loadmodule %q", c.cat.Release(), n.Path)
	}
}

// debianRelease is the release Debian 12 ships (5.6.3); the catalog's
// Package fields name its packages.
const debianRelease = "5.6"

func (c *checker) loadModule(i int, n *ast.LoadModule) {
	c.loadModuleCall(n)
	if n.X && strings.Contains(n.Path, "$") {
		return // loadmodulex with a run-time path: nothing to resolve here
	}
	file := n.Module()
	m := c.cat.ModuleByFile(file)
	if m == nil {
		m = c.cat.Module(file)
	}
	if m == nil {
		var names []string
		for _, mm := range c.cat.Modules() {
			names = append(names, mm.File)
		}
		d := c.errorf(CodeUnknownModule, n.PathRange, "unknown module %q", file)
		if s := diag.Suggest(file, names); s != "" {
			d.Detail = "did you mean \"" + s + ".so\"?"
		}
		return
	}
	if m.Package == "" && c.cat.Release() == debianRelease {
		d := c.warnf(CodeNotPackaged, n.PathRange, "module %s is not packaged by Debian 12: Debian's Kamailio %s does not find it", m.File, c.cat.Tag())
		d.Detail = "the module is in Kamailio's sources but in no Debian package; it loads only where it was built from the sources"
	}
	if prev, ok := c.loaded[m.Name]; ok {
		d := c.errorf(CodeModuleTwice, n.PathRange, "module %q is already loaded", m.Name)
		d.Related = append(d.Related, diag.Related{Message: "first loaded here", Range: prev.node.PathRange})
		return
	}
	c.loaded[m.Name] = &loadedMod{mod: m, order: i, node: n}
}

func (c *checker) modparam(n *ast.ModParam) {
	var mods []*catalog.Module
	if re, err := n.ModulePattern(); re != nil || err != nil {
		if err != nil {
			c.errorf(CodeModparamRegex, n.ModuleRange, "bad module pattern %q: %v", n.Module, err)
			return
		}
		for _, lm := range c.sortedLoaded() {
			if re.MatchString(lm.mod.Name) {
				mods = append(mods, lm.mod)
			}
		}
	} else if lm, ok := c.loaded[n.Module]; ok {
		mods = append(mods, lm.mod)
	}
	if len(mods) == 0 {
		d := c.errorf(CodeModparamNoModule, n.ModuleRange, "modparam for module %q, which is not loaded", n.Module)
		if m := c.cat.Module(n.Module); m != nil {
			d.Detail = "add loadmodule \"" + m.File + ".so\" before this line"
		}
		return
	}
	var vt catalog.ParamType
	switch v := n.Value.(type) {
	case *ast.IntLit:
		vt = catalog.Int
	case *ast.StrLit:
		vt = catalog.Str
	case *ast.PVar:
		_ = v
		vt = catalog.Str | catalog.Int
	default:
		vt = catalog.Str
	}
	for _, m := range mods {
		p := m.Param(n.Param)
		if p == nil {
			var names []string
			for _, pp := range m.Params {
				names = append(names, pp.Name)
			}
			d := c.errorf(CodeModparamUnknown, n.ParamRange, "module %q has no parameter %q", m.Name, n.Param)
			if s := diag.Suggest(n.Param, names); s != "" {
				d.Detail = "did you mean \"" + s + "\"?"
			} else if len(names) > 0 && len(names) <= 12 {
				sort.Strings(names)
				d.Detail = "its parameters are: " + strings.Join(names, ", ")
			}
			continue
		}
		if p.Ext != "" {
			c.extParam(m, p, n)
		}
		if p.Type&vt == 0 {
			want := "a string"
			if p.Type == catalog.Int {
				want = "an integer"
			}
			c.errorf(CodeModparamType, n.Value.Span(), "parameter %q of module %q takes %s", n.Param, m.Name, want)
		}
	}
}

// extParam reports a parameter kamgo runs that the release checked for
// does not have: one of a newer release is an error (that Kamailio refuses
// the config), kamgo's own or one of no release a warning.
func (c *checker) extParam(m *catalog.Module, p *catalog.Param, n *ast.ModParam) {
	rel := c.cat.Release()
	if since, ok := newerRelease(p.Ext); ok {
		d := c.errorf(CodeNewerParam, n.ParamRange, "parameter %q of module %q needs Kamailio %s or newer; the config is checked for Kamailio %s", p.Name, m.Name, since, rel)
		d.Detail = "check for the release you run: kamgo check --kamailio " + since
		return
	}
	if p.Ext == "kamgo" {
		c.warnf(CodeExtParam, n.ParamRange, "parameter %q of module %q is kamgo's own: Kamailio refuses it", p.Name, m.Name)
		return
	}
	c.warnf(CodeExtParam, n.ParamRange, "parameter %q of module %q is in no Kamailio release up to %s (%s): Kamailio refuses it", p.Name, m.Name, rel, p.Ext)
}

func (c *checker) sortedLoaded() []*loadedMod {
	out := make([]*loadedMod, 0, len(c.loaded))
	for _, lm := range c.loaded {
		out = append(out, lm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

func (c *checker) moduleLoaded(name string) bool {
	if name == "core" {
		return true
	}
	lm, ok := c.loaded[name]
	return ok && lm.order < c.itemIdx
}

func (c *checker) coreParam(n *ast.CoreParam) {
	p, ok := c.cat.CoreParam(n.Name)
	if !ok {
		d := c.errorf(CodeCoreParamUnknown, n.NameRange, "unknown core parameter %q", n.Name)
		if s := diag.Suggest(n.Name, c.cat.CoreParams()); s != "" {
			d.Detail = "did you mean \"" + s + "\"?"
		}
		return
	}
	if len(n.Values) == 0 || n.Block {
		return
	}
	if n.Name == "listen" {
		c.listen(n)
	}
	if !valueFits(p.Kind, n.Values[0]) {
		c.errorf(CodeCoreParamValue, n.Values[0].Rng, "core parameter %q takes %s", n.Name, kindText(p.Kind))
	}
}

// valueFits reports whether a core parameter value has one of the shapes
// kind allows (kinds come from the catalog: int, bool, str, id, ip, proto,
// addr-list, tls-method, or several joined with '|').
func valueFits(kind string, v ast.Value) bool {
	for _, k := range strings.Split(kind, "|") {
		switch k {
		case "int", "bool":
			if v.Kind == ast.ValInt {
				return true
			}
		case "str":
			if v.Kind == ast.ValString {
				return true
			}
		case "id":
			if v.Kind == ast.ValIdent || v.Kind == ast.ValString {
				return true
			}
		default: // address-like and special kinds: accept any shape
			return true
		}
	}
	return false
}

func kindText(kind string) string {
	var parts []string
	for _, k := range strings.Split(kind, "|") {
		switch k {
		case "int":
			parts = append(parts, "an integer")
		case "bool":
			parts = append(parts, "a boolean (yes/no or a number)")
		case "str":
			parts = append(parts, "a string")
		case "id":
			parts = append(parts, "a name")
		default:
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, " or ")
}

// declareFlags registers flag names as Kamailio does: a name once, with
// the bit written or, without one, the lowest bit no flag has taken yet.
// Two names may share a bit written explicitly. i is the index of the
// flags item: a name is known only to the routes below it.
func (c *checker) declareFlags(i int, n *ast.Flags) {
	for _, f := range n.Flags {
		if _, dup := c.flags[f.Name]; dup {
			c.errorf(CodeFlag, f.Rng, "flag %q declared twice", f.Name)
			continue
		}
		bit := f.Bit
		switch {
		case bit > maxFlag || bit < -1:
			c.errorf(CodeFlag, f.Rng, "flag %q: bit %d is out of range 0..%d", f.Name, f.Bit, maxFlag)
			continue
		case bit == -1:
			for bit = 0; bit <= maxFlag && c.flagBits&(1<<bit) != 0; bit++ {
			}
			if bit > maxFlag {
				c.errorf(CodeFlag, f.Rng, "flag %q: no free flag bit: all %d are taken", f.Name, maxFlag+1)
				continue
			}
		}
		c.flagBits |= 1 << bit
		c.flags[f.Name] = i
	}
}

// maxFlag is the highest message flag bit (Kamailio's MAX_FLAG).
const maxFlag = 31

// declareRoute files a route block where Kamailio does and reports a
// second block for a slot that takes one.
func (c *checker) declareRoute(r *ast.Route) {
	c.reservedRouteName(r)
	key, appends := r.Slot()
	prev, taken := c.routes[key]
	switch {
	case !taken:
		c.routes[key] = r
	case !appends:
		// The subject is the whole block: Kamailio reports the duplicate at
		// its closing brace.
		d := c.errorf(CodeDuplicateRoute, r.Rng, "%s is defined twice", r.Title())
		d.Related = append(d.Related, diag.Related{Message: "first defined here", Range: prev.Rng})
	}
}

// routeDefined reports whether a named route of the given kind exists.
// Route 0 always does (Kamailio runs it empty); "" names none.
func (c *checker) routeDefined(kind ast.RouteKind, name string) bool {
	switch {
	case name == "":
		return false
	case kind == ast.Named && name == "0":
		return true
	}
	key := ast.SlotOf(kind, name)
	_, ok := c.routes[key]
	return ok
}

// moduleDeps reports loaded modules whose startup needs a module that is
// not loaded (Kamailio refuses to start: its mod_init cannot bind the API).
func (c *checker) moduleDeps(cfg *ast.Config) {
	for _, lm := range c.sortedLoaded() {
		for _, dep := range lm.mod.Deps {
			if _, ok := c.loaded[dep]; ok {
				continue
			}
			if depWaived(cfg, lm.mod.Name, dep) {
				continue
			}
			file := dep
			if m := c.cat.Module(dep); m != nil {
				file = m.File
			}
			d := c.errorf(CodeModuleDeps, lm.node.PathRange, "module %s needs module %s, which is not loaded", lm.mod.Name, dep)
			d.Detail = "add loadmodule \"" + file + ".so\""
			break
		}
	}
}

// cfgEngine checks that a KEMI engine named by cfgengine has its module.
func (c *checker) cfgEngine(n *ast.CfgEngine) {
	// Kamailio compares native and default without case (kemi.c).
	switch strings.ToLower(n.Name) {
	case "native", "default", "kemi", "":
		return
	}
	mod := "app_" + n.Name
	if n.Name == "python" {
		mod = "app_python3"
	}
	if _, ok := c.loaded[mod]; ok {
		return
	}
	if _, ok := c.loaded["app_"+n.Name]; ok {
		return
	}
	d := c.errorf(CodeModuleDeps, n.Rng, "cfgengine %q needs module %s loaded before it", n.Name, mod)
	d.Detail = "add loadmodule \"" + mod + ".so\" above this line"
}

// listen checks the protocol and port parts of listen addresses (and of
// their advertise attributes).
func (c *checker) listen(n *ast.CoreParam) {
	vals := append([]ast.Value(nil), n.Values...)
	for _, a := range n.Attrs {
		if a.Name == "advertise" {
			vals = append(vals, a.Values...)
		}
	}
	for _, v := range vals {
		if v.Kind == ast.ValAddr {
			c.listenPort(v)
		}
	}
	for _, v := range n.Values {
		if v.Kind != ast.ValAddr {
			continue
		}
		proto, rest, ok := strings.Cut(v.Text, ":")
		if !ok || strings.HasPrefix(v.Text, "[") || rest == "" {
			continue
		}
		if strings.ContainsAny(proto, ".[") || proto == "" || isDigits(proto) {
			continue // host:port without a protocol
		}
		if strings.Count(v.Text, ":") < 2 && !knownProtos[proto] {
			continue // name:port
		}
		if !knownProtos[proto] {
			c.errorf(CodeListen, v.Rng, "unknown protocol %q in listen address %q", proto, v.Text).Detail =
				"use udp, tcp, tls, sctp, ws, wss or *"
		}
	}
}

var knownProtos = map[string]bool{"udp": true, "tcp": true, "tls": true, "sctp": true, "ws": true, "wss": true, "*": true}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// listenPort reports a port that is not a number: Kamailio's grammar takes
// only a number (or *) there, so an undefined #!define is a syntax error.
func (c *checker) listenPort(v ast.Value) {
	text := v.Text
	for _, r := range text {
		if !(r == '.' || r == ':' || r == '-' || r == '_' || r == '[' || r == ']' || r == '*' || r == '/' ||
			r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			c.errorf(CodeListen, v.Rng, "%q is not an address: %q cannot appear in one", v.Text, r).Detail =
				"check the #!define or #!substdef that produced it"
			return
		}
	}
	if i := strings.LastIndexByte(text, ']'); i >= 0 {
		text = text[i+1:] // [v6]:port
	}
	i := strings.LastIndexByte(text, ':')
	if i < 0 {
		return
	}
	port := text[i+1:]
	if port == "*" || isDigits(port) {
		return
	}
	if before := text[:i]; !strings.Contains(before, ":") && knownProtos[before] {
		return // proto:host, no port
	}
	d := c.errorf(CodeListen, v.Rng, "port %q in listen address %q is not a number", port, v.Text)
	d.Detail = "a #!define named " + port + " may be missing"
}

// reservedRouteName reports a route named by a reserved word: every core
// keyword is reserved in Kamailio's lexer.
func (c *checker) reservedRouteName(r *ast.Route) {
	if _, isParam := c.cat.CoreParam(r.Name); isParam || reservedWords[r.Name] {
		c.errorf(CodeReservedName, r.NameRange, "%q is a reserved word and cannot name a route", r.Name).Detail =
			"quote it or choose another name"
	}
}
