// Package auth is kamgo's auth module: SIP digest authentication (RFC
// 2617, and RFC 7616's SHA-256) against passwords or HA1 values the
// configuration supplies, without a database. www_challenge,
// proxy_challenge and auth_challenge answer 401 or 407 with a challenge;
// pv_www_authenticate, pv_proxy_authenticate and pv_auth_check verify the
// credentials of a request; has_credentials, consume_credentials and
// auth_get_www_authenticate complete it.
//
// Nonces are Kamailio's: they carry their creation and expiry times and
// a hash with the module's secret, so a nonce Kamailio made with the same
// secret is accepted here and the reverse. With nonce_count or
// one_time_nonce the module also remembers, per nonce id, the last nc or
// whether the nonce was used. Behaviour, return codes and log lines
// follow Kamailio 5.6.3's auth module; the package README lists where
// kamgo differs.
package auth

import (
	"crypto/rand"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/modules/sl"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "auth.so"` names it.
const Name = "auth"

const errLevel = klog.Err

// Clock gives the time nonces are made and checked at.
type Clock func() time.Time

func init() { module.Register(new(Module)) }

// Module is one loaded auth module.
type Module struct {
	ints map[string]int64
	strs map[string]string
	set  map[string]bool // parameters a modparam set

	host module.Host
	log  *klog.Logger
	sl   *sl.Module

	now Clock
	// rnd seeds the nonce id pools; tests make it fixed.
	rnd func() uint32

	secret1, secret2 []byte
	prefix           string
	alg              *algorithm
	challengeAVP     *pv.Ref

	ncOn, otnOn bool
	index       nonceIndex

	mu      sync.Mutex // guards upSince
	upSince int64      // start time: older nonces are stale
}

// params are auth's parameters with Kamailio 5.6.3's defaults.
var params = func() []module.Param {
	i := func(n string, d int64) module.Param {
		return module.Param{Name: n, Type: module.ParamInt, Default: value.MakeInt(d)}
	}
	s := func(n, d string) module.Param {
		p := module.Param{Name: n, Type: module.ParamStr}
		if d != "" {
			p.Default = value.MakeStr(d)
		}
		return p
	}
	return []module.Param{
		s("secret", ""), i("nonce_expire", 300), i("nonce_auth_max_drift", 3),
		i("protect_contacts", 0), s("challenge_attr", "$digest_challenge"),
		s("proxy_challenge_header", "Proxy-Authenticate"), s("www_challenge_header", "WWW-Authenticate"),
		s("qop", "auth"), i("auth_checks_register", 0), i("auth_checks_no_dlg", 0),
		i("auth_checks_in_dlg", 0), i("nonce_count", 0), i("nc_array_size", 0),
		i("nc_array_order", 0), i("one_time_nonce", 0), i("otn_in_flight_no", 0),
		i("otn_in_flight_order", 0), i("nid_pool_no", 0), i("force_stateless_reply", 0),
		s("realm_prefix", ""), i("use_domain", 0), s("algorithm", ""), i("add_authinfo_hdr", 0),
	}
}()

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{ints: map[string]int64{}, strs: map[string]string{}, set: map[string]bool{},
		now: time.Now, rnd: mrand.Uint32}
	for _, p := range params {
		if p.Type == module.ParamInt {
			m.ints[p.Name] = p.Default.I
		} else {
			m.strs[p.Name] = p.Default.S
		}
	}
	return m
}

// SetClock replaces the clock nonces are made and checked with; call it
// before the first request.
func (m *Module) SetClock(c Clock) { m.now = c }

// Exports implements module.Exporter. bind_auth_s is an API for other C
// modules (auth_db, auth_ephemeral ...), not a script function.
func (m *Module) Exports() module.Exports {
	return module.Exports{Params: params, Funcs: m.funcs()}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	for _, p := range params {
		if p.Name != name {
			continue
		}
		if p.Type == module.ParamInt {
			m.ints[name] = v.I
		} else {
			m.strs[name] = v.S
		}
		m.set[name] = true
		return nil
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// Kamailio's limits for the nonce arrays. kamgo has no shared memory: the
// arrays are checked against what Kamailio has free of its default 64 MB,
// so the same sizes are refused with the same line.
const (
	defaultArray  = 1 << 20
	minNCArray    = 102400
	maxNCArray    = 1 << 30
	minOTNArray   = 128 * 1024
	maxOTNArray   = 2 * 1024 * 1024 * 1024
	minPartition  = 65536
	sharedMemory  = 66542056 // free shared memory Kamailio 5.6.3 reports with its default 64 MB
	maxPartitions = 0xffffffff / nidStep
)

// Provision implements module.Provisioner: Kamailio's mod_init. It binds
// sl, settles the secret, the challenge AVP, qop, the nonce arrays and
// the hash algorithm.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	m.prefix = m.strs["realm_prefix"]
	if mod, ok := h.Module("sl"); ok {
		m.sl, _ = mod.(*sl.Module)
	}
	if m.sl == nil {
		m.logf(errLevel, "mod_init(): cannot bind to SL API")
		return fmt.Errorf("auth needs the sl module")
	}
	checks := m.ints["auth_checks_register"] != 0 || m.ints["auth_checks_in_dlg"] != 0 || m.ints["auth_checks_no_dlg"] != 0
	if !m.set["secret"] {
		m.secret1, m.secret2 = randomSecret(), randomSecret()
	} else {
		m.secret1 = []byte(m.strs["secret"])
		if checks {
			// The secret is cut in two: the first half (the longer one)
			// signs the times, the second the request parts.
			n := len(m.secret1) / 2
			m.secret1, m.secret2 = m.secret1[:len(m.secret1)-n], m.secret1[len(m.secret1)-n:]
			if n < 16 {
				m.logf(klog.Warn, "mod_init(): consider a longer secret when extra auth checks are enabled (the config secret is divided in 2!)")
			}
		}
	}
	attr := m.strs["challenge_attr"]
	if attr == "" || attr[0] != '$' {
		m.logf(errLevel, "mod_init(): Invalid value of challenge_attr module parameter")
		return fmt.Errorf("invalid challenge_attr %q", attr)
	}
	// AVPs are the core's in Kamailio and the pv module's in kamgo: without
	// pv no script can read the AVP, so there is nothing to store it in.
	if _, ok := h.Module("pv"); ok {
		ref, err := h.CompilePV("$avp("+attr[1:]+")", diag.Range{})
		if err != nil {
			m.logf(errLevel, "mod_init(): Error while parsing value of challenge_attr module parameter")
			return fmt.Errorf("invalid challenge_attr %q: %v", attr, err)
		}
		m.challengeAVP = ref
	}
	m.ncOn, m.otnOn = m.ints["nonce_count"] != 0, m.ints["one_time_nonce"] != 0
	switch parseQOP(m.strs["qop"]) {
	case qopOther:
		m.logf(errLevel, "mod_init(): Unsupported qop parameter value")
		return fmt.Errorf("unsupported qop %q", m.strs["qop"])
	case qopAuth, qopAuthInt:
		if m.ncOn {
			if err := m.initPools(); err != nil {
				return err
			}
			if err := m.initNC(); err != nil {
				return err
			}
		} else {
			m.logf(klog.Info, "mod_init(): qop set, but nonce-count (nonce_count) support disabled")
		}
	default:
		if m.ncOn {
			m.logf(klog.Warn, "mod_init(): nonce-count support enabled, but qop not set")
			m.ncOn = false
		}
	}
	if m.otnOn {
		if err := m.initPools(); err != nil {
			return err
		}
		if err := m.initOTN(); err != nil {
			return err
		}
	}
	switch a := m.strs["algorithm"]; a {
	case "", "MD5":
		m.alg = algMD5
	case "SHA-256":
		m.alg = algSHA256
	default:
		m.logf(errLevel, `mod_init(): Invalid algorithm provided. Possible values are "", "MD5" or "SHA-256"`)
		return fmt.Errorf("invalid algorithm %q", a)
	}
	m.upSince = m.now().Unix()
	return nil
}

// randomSecret is 32 random printable ASCII characters.
func randomSecret() []byte {
	b := make([]byte, 32)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(95))
		if err != nil {
			n = big.NewInt(int64(mrand.IntN(95)))
		}
		b[i] = byte(32 + n.Int64())
	}
	return b
}

// initPools sets up the nonce id pools once (init_nonce_id): nid_pool_no
// rounded down to a power of two, at most 64, each starting at a random
// id.
func (m *Module) initPools() error {
	if m.index.pools != nil {
		return nil
	}
	n := m.ints["nid_pool_no"]
	if n <= 0 || n > 1<<32-1 {
		n = 1
	}
	if n > maxNIDPools {
		m.logf(klog.Warn, "init_nonce_id(): nid_pool_no too big, truncating to %d", maxNIDPools)
		n = maxNIDPools
	}
	k := log2(uint32(n))
	if 1<<k != n {
		m.logf(klog.Info, "init_nonce_id(): nid_pool_no rounded down to %d", 1<<k)
	}
	m.ints["nid_pool_no"] = 1 << k
	m.index.pools = make([]atomicPool, 1<<k)
	m.index.poolK, m.index.poolMsk = k, 1<<k-1
	for i := range m.index.pools {
		m.index.pools[i].Store(m.rnd())
	}
	return nil
}

// arraySize works out an array's size as Kamailio does: the order when
// set, else the size (or the default) rounded down to a power of two.
// cur is the size the result is compared with for the log line: the
// default replaces an unset size only when the order is unset too.
func arraySize(size, order int64) (k uint, cur int64, ok bool) {
	if order != 0 {
		return uint(order), size, order > 0 && order < 64
	}
	if size <= 0 || size > 1<<32-1 {
		size = defaultArray
	}
	return log2(uint32(size)), size, true
}

// initNC allocates the nonce-count array (init_nonce_count).
func (m *Module) initNC() error {
	orig := m.ints["nc_array_size"]
	k, cur, ok := arraySize(orig, m.ints["nc_array_order"])
	if !ok || k >= 40 {
		m.logf(errLevel, "init_nonce_count(): nc_array_size is too big for the configured amount of shared memory")
		return fmt.Errorf("bad nc_array_order %d", m.ints["nc_array_order"])
	}
	size := int64(1) << k
	if size < minNCArray {
		m.logf(klog.Warn, "init_nonce_count(): nonce-count in.flight nonces is very low (%d), consider increasing nc_array_size to at least %d", orig, minNCArray)
	}
	if size > maxNCArray {
		m.logf(klog.Warn, "init_nonce_count(): nonce-count in flight nonces is too high (%d), consider decreasing nc_array_size to at least %d", orig, maxNCArray)
	}
	if size != cur {
		if orig != 0 {
			m.logf(klog.Info, "init_nonce_count(): nc_array_size rounded down to %d", size)
		} else {
			m.logf(klog.Info, "init_nonce_count(): nc_array_size set to %d", size)
		}
	}
	if size >= sharedMemory {
		m.logf(errLevel, "init_nonce_count(): nc_array_size (%d) is too big for the configured amount of shared memory (%d bytes <= %d bytes)", size, sharedMemory, size)
		return fmt.Errorf("nc_array_size %d too big", size)
	} else if size >= sharedMemory/2 {
		m.logf(klog.Warn, "init_nonce_count(): the currently configured nc_array_size (%d)  would use more then 50%% of the available shared memory(%d bytes)", size, sharedMemory)
	}
	pools := m.ints["nid_pool_no"]
	if pools >= size {
		m.logf(errLevel, "init_nonce_count(): nid_pool_no (%d) too high for the configured nc_array_size (%d)", pools, size)
		return fmt.Errorf("nid_pool_no %d too high for nc_array_size %d", pools, size)
	}
	part := size >> m.index.poolK
	if part >= maxPartitions {
		m.logf(errLevel, "init_nonce_count(): nc_array_size too big, try decreasing it or increasing the number of pools/partitions")
		return fmt.Errorf("nc_array_size %d too big", size)
	}
	if part < minPartition {
		m.logf(klog.Warn, "init_nonce_count(): nonce-count in-flight nonces very low, consider either decreasing nc_pool_no (%d) or  increasing nc_array_size (%d) such that nc_array_size/nid_pool_no >= %d", pools, orig, minPartition)
	}
	m.index.ncPartK = k - m.index.poolK
	// Every count starts at its highest value: nothing is accepted for
	// an id until a nonce is made with it (no replays across restarts).
	m.index.nc = make([]byte, size)
	for i := range m.index.nc {
		m.index.nc[i] = 0xff
	}
	return nil
}

// initOTN allocates the one-time nonce bits (init_ot_nonce).
func (m *Module) initOTN() error {
	orig := m.ints["otn_in_flight_no"]
	k, cur, ok := arraySize(orig, m.ints["otn_in_flight_order"])
	if !ok || k >= 40 {
		m.logf(errLevel, "init_ot_nonce(): otn_in_flight_no is too big for the configured amount of shared memory")
		return fmt.Errorf("bad otn_in_flight_order %d", m.ints["otn_in_flight_order"])
	}
	size := int64(1) << k
	if size < minOTNArray {
		m.logf(klog.Warn, "init_ot_nonce(): one-time-nonce maximum in-flight nonces is very low (%d), consider increasing otn_in_flight_no to at least %d", orig, minOTNArray)
	}
	if size > maxOTNArray {
		m.logf(klog.Warn, "init_ot_nonce(): one-time-nonce maximum in-flight nonces is too high (%d), consider decreasing otn_in_flight_no to at least %d", orig, int64(maxOTNArray))
	}
	if size != cur {
		if orig != 0 {
			m.logf(klog.Info, "init_ot_nonce(): otn_in_flight_no rounded down to %d", size)
		} else {
			m.logf(klog.Info, "init_ot_nonce(): otn_in_flight_no set to %d", size)
		}
	}
	if size/8 >= sharedMemory {
		m.logf(errLevel, "init_ot_nonce(): otn_in_flight_no (%d) is too big for the configured amount of shared memory (%d bytes)", size, sharedMemory)
		return fmt.Errorf("otn_in_flight_no %d too big", size)
	} else if size/8 >= sharedMemory/2 {
		m.logf(klog.Warn, "init_ot_nonce(): the currently configured otn_in_flight_no (%d)  would use more then 50%% of the available shared memory(%d bytes)", size, sharedMemory)
	}
	pools := m.ints["nid_pool_no"]
	if pools >= size/32 {
		m.logf(errLevel, "init_ot_nonce(): nid_pool_no (%d) too high for the configured otn_in_flight_no (%d)", pools, size)
		return fmt.Errorf("nid_pool_no %d too high for otn_in_flight_no %d", pools, size)
	}
	part := size >> m.index.poolK
	if part >= maxPartitions {
		m.logf(errLevel, "init_ot_nonce(): otn_in_flight_no too big, try decreasing it or increasing the number of pools/partitions, such that otn_in_flight_no/nid_pool_no < %d", maxPartitions)
		return fmt.Errorf("otn_in_flight_no %d too big", size)
	}
	if part < minPartition {
		m.logf(klog.Warn, "init_ot_nonce(): one-time-nonces in-flight nonces very low, consider either decreasing nid_pool_no (%d) or  increasing otn_array_size (%d) such that otn_array_size/nid_pool_no >= %d", pools, orig, minPartition)
	}
	m.index.otnPart = k - m.index.poolK
	// Every bit starts set: an id is usable only once a nonce is made
	// with it.
	m.index.otn = make([]uint64, (size+63)/64)
	for i := range m.index.otn {
		m.index.otn[i] = ^uint64(0)
	}
	return nil
}

// stripRealm drops realm_prefix from the front of realm, when it is there.
func (m *Module) stripRealm(realm string) string {
	if m.prefix != "" {
		return strings.TrimPrefix(realm, m.prefix)
	}
	return realm
}

func (m *Module) logf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
