package facts

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// The packed form keeps every release's modules in three strings, so that
// a release opens without decoding anything and a module is decoded only
// when asked for:
//
//   - Strings: every distinct name, concatenated. A reference to one is a
//     uint32 holding offset<<8 | length.
//   - Records: each distinct module body (dependencies, functions,
//     parameters, pseudo-variables, transformations) as uvarints; a module
//     unchanged between releases is stored once.
//   - one index per release: a header of four little-endian uint16 counts
//     (modules, function, pseudo-variable and transformation index
//     entries), then per module (sorted by name, then file) four uint32: name, file
//     and package references and its record's offset; then the three
//     indexes, entries of a name reference and a uint16 module number,
//     sorted by name and module, so that the owners of a name are found by
//     binary search.

// Pack is the packed form of several releases.
type Pack struct {
	Strings string
	Records string
	Indexes []string
}

const (
	modSize   = 16
	entrySize = 6
	headSize  = 8
)

// Encode packs the releases' modules. Each release's modules must have
// distinct names.
func Encode(releases [][]Module) (*Pack, error) {
	e := &encoder{refs: map[string]uint32{}, recs: map[string]uint32{}}
	p := &Pack{}
	for _, mods := range releases {
		idx, err := e.release(mods)
		if err != nil {
			return nil, err
		}
		p.Indexes = append(p.Indexes, idx)
	}
	p.Strings = e.pool.String()
	p.Records = e.records.String()
	return p, nil
}

type encoder struct {
	pool    strings.Builder
	refs    map[string]uint32
	records strings.Builder
	recs    map[string]uint32
	err     error
}

func (e *encoder) ref(s string) uint32 {
	if r, ok := e.refs[s]; ok {
		return r
	}
	off := e.pool.Len()
	if len(s) > 255 || off >= 1<<24 {
		e.err = fmt.Errorf("name %q does not fit a reference", s)
		return 0
	}
	r := uint32(off)<<8 | uint32(len(s))
	e.pool.WriteString(s)
	e.refs[s] = r
	return r
}

type entry struct {
	name string
	ref  uint32
	mod  int
}

func (e *encoder) release(mods []Module) (string, error) {
	mods = append([]Module(nil), mods...)
	SortModules(mods)
	var funcs, pvs, trans []entry
	var b []byte
	b = binary.LittleEndian.AppendUint16(b, 0) // counts, filled below
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, 0)
	for i, m := range mods {
		if i > 0 && mods[i-1].Name == m.Name && mods[i-1].File == m.File {
			return "", fmt.Errorf("module %s (%s.so) twice", m.Name, m.File)
		}
		b = binary.LittleEndian.AppendUint32(b, e.ref(m.Name))
		b = binary.LittleEndian.AppendUint32(b, e.ref(m.File))
		b = binary.LittleEndian.AppendUint32(b, e.ref(m.Package))
		b = binary.LittleEndian.AppendUint32(b, e.record(m))
		seen := map[string]bool{}
		for _, f := range m.Funcs {
			if !seen[f.Name] {
				seen[f.Name] = true
				funcs = append(funcs, entry{f.Name, e.ref(f.Name), i})
			}
		}
		seen = map[string]bool{}
		for _, p := range m.PVs {
			if !seen[p.Name] {
				seen[p.Name] = true
				pvs = append(pvs, entry{p.Name, e.ref(p.Name), i})
			}
		}
		for _, t := range m.Trans {
			trans = append(trans, entry{t, e.ref(t), i})
		}
	}
	counts := []int{len(mods), len(funcs), len(pvs), len(trans)}
	for k, n := range counts {
		if n >= 1<<16 {
			return "", fmt.Errorf("%d entries do not fit the index", n)
		}
		binary.LittleEndian.PutUint16(b[2*k:], uint16(n))
	}
	for _, es := range [][]entry{funcs, pvs, trans} {
		sort.SliceStable(es, func(i, j int) bool {
			if es[i].name != es[j].name {
				return es[i].name < es[j].name
			}
			return es[i].mod < es[j].mod
		})
		for _, x := range es {
			b = binary.LittleEndian.AppendUint32(b, x.ref)
			b = binary.LittleEndian.AppendUint16(b, uint16(x.mod))
		}
	}
	return string(b), e.err
}

// record encodes a module's body once and returns its offset.
func (e *encoder) record(m Module) uint32 {
	var b []byte
	uv := func(v uint64) { b = binary.AppendUvarint(b, v) }
	uv(uint64(len(m.Deps)))
	for _, d := range m.Deps {
		uv(uint64(e.ref(d)))
	}
	uv(uint64(len(m.Funcs)))
	for _, f := range m.Funcs {
		uv(uint64(e.ref(f.Name)))
		b = binary.AppendVarint(b, int64(f.Args))
		uv(uint64(f.Routes))
	}
	uv(uint64(len(m.Params)))
	for _, p := range m.Params {
		uv(uint64(e.ref(p.Name)))
		uv(uint64(p.Type))
	}
	uv(uint64(len(m.PVs)))
	for _, p := range m.PVs {
		uv(uint64(e.ref(p.Name)))
		if p.Writable {
			uv(1)
		} else {
			uv(0)
		}
	}
	uv(uint64(len(m.Trans)))
	for _, t := range m.Trans {
		uv(uint64(e.ref(t)))
	}
	if off, ok := e.recs[string(b)]; ok {
		return off
	}
	off := uint32(e.records.Len())
	e.records.Write(b)
	e.recs[string(b)] = off
	return off
}

// Release is one release's packed modules, read in place.
type Release struct {
	strs, recs, idx    string
	nMods              int
	funcs, pvs, trans  int // offsets of the indexes
	nFunc, nPV, nTrans int
}

// Open reads a release's index. It does not decode any module.
func Open(strs, recs, idx string) (*Release, error) {
	if len(idx) < headSize {
		return nil, fmt.Errorf("index too short")
	}
	u16 := func(k int) int { return int(idx[2*k]) | int(idx[2*k+1])<<8 }
	r := &Release{strs: strs, recs: recs, idx: idx, nMods: u16(0), nFunc: u16(1), nPV: u16(2), nTrans: u16(3)}
	r.funcs = headSize + r.nMods*modSize
	r.pvs = r.funcs + r.nFunc*entrySize
	r.trans = r.pvs + r.nPV*entrySize
	if end := r.trans + r.nTrans*entrySize; end != len(idx) {
		return nil, fmt.Errorf("index is %d bytes, its counts say %d", len(idx), end)
	}
	return r, nil
}

func u32(s string, off int) uint32 {
	return uint32(s[off]) | uint32(s[off+1])<<8 | uint32(s[off+2])<<16 | uint32(s[off+3])<<24
}

func (r *Release) str(ref uint32) string {
	off := int(ref >> 8)
	return r.strs[off : off+int(ref&0xff)]
}

// Len returns the number of modules.
func (r *Release) Len() int { return r.nMods }

func (r *Release) modField(i, k int) uint32 { return u32(r.idx, headSize+i*modSize+4*k) }

// Name returns module i's name; modules are sorted by name.
func (r *Release) Name(i int) string { return r.str(r.modField(i, 0)) }

// File returns module i's .so base name.
func (r *Release) File(i int) string { return r.str(r.modField(i, 1)) }

// Package returns module i's Debian package, or "".
func (r *Release) Package(i int) string { return r.str(r.modField(i, 2)) }

// Find returns the number of the first module with that name (two .so
// files may declare one name: ims_qos and ims_qos_npn from 6.0 on).
func (r *Release) Find(name string) (int, bool) {
	i := sort.Search(r.nMods, func(i int) bool { return r.Name(i) >= name })
	return i, i < r.nMods && r.Name(i) == name
}

// FuncOwners returns, in name order, the modules exporting function name.
func (r *Release) FuncOwners(name string) []int { return r.owners(r.funcs, r.nFunc, name) }

// PVOwners returns, in name order, the modules exporting pseudo-variable
// class name.
func (r *Release) PVOwners(name string) []int { return r.owners(r.pvs, r.nPV, name) }

// TransOwners returns, in name order, the modules exporting
// transformation class name.
func (r *Release) TransOwners(name string) []int { return r.owners(r.trans, r.nTrans, name) }

func (r *Release) owners(base, n int, name string) []int {
	at := func(k int) string { return r.str(u32(r.idx, base+k*entrySize)) }
	k := sort.Search(n, func(k int) bool { return at(k) >= name })
	var out []int
	for ; k < n && at(k) == name; k++ {
		off := base + k*entrySize + 4
		out = append(out, int(r.idx[off])|int(r.idx[off+1])<<8)
	}
	return out
}

// Module decodes module i.
func (r *Release) Module(i int) Module {
	m := Module{Name: r.Name(i), File: r.File(i), Package: r.Package(i)}
	d := decoder{s: r.recs, off: int(r.modField(i, 3))}
	if n := d.uv(); n > 0 {
		m.Deps = make([]string, n)
		for k := range m.Deps {
			m.Deps[k] = r.str(uint32(d.uv()))
		}
	}
	if n := d.uv(); n > 0 {
		m.Funcs = make([]Func, n)
		for k := range m.Funcs {
			m.Funcs[k] = Func{Name: r.str(uint32(d.uv())), Args: int(d.v()), Routes: uint32(d.uv())}
		}
	}
	if n := d.uv(); n > 0 {
		m.Params = make([]Param, n)
		for k := range m.Params {
			m.Params[k] = Param{Name: r.str(uint32(d.uv())), Type: ParamType(d.uv())}
		}
	}
	if n := d.uv(); n > 0 {
		m.PVs = make([]PV, n)
		for k := range m.PVs {
			m.PVs[k] = PV{Name: r.str(uint32(d.uv())), Writable: d.uv() != 0}
		}
	}
	if n := d.uv(); n > 0 {
		m.Trans = make([]string, n)
		for k := range m.Trans {
			m.Trans[k] = r.str(uint32(d.uv()))
		}
	}
	return m
}

// decoder reads varints from a string without copying it.
type decoder struct {
	s   string
	off int
}

func (d *decoder) uv() uint64 {
	var v uint64
	for shift := uint(0); d.off < len(d.s); shift += 7 {
		c := d.s[d.off]
		d.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	return v
}

func (d *decoder) v() int64 {
	u := d.uv()
	return int64(u>>1) ^ -int64(u&1)
}
