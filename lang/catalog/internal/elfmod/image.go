package elfmod

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// extPtr marks a pointer resolved through a symbol relocation to a symbol the
// module imports (for instance a fixup function from the core): its value is
// unknown until load time, but it is certainly not NULL.
const extPtr = ^uint64(0)

// image is a loaded shared object with its dynamic relocations applied, so
// that pointers stored in initialised data can be followed statically.
type image struct {
	f     *elf.File
	secs  []*elf.Section
	data  map[*elf.Section][]byte
	reloc map[uint64]uint64 // address -> pointer value after relocation
	syms  []elf.Symbol
}

func openImage(path string) (*image, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	if f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		f.Close()
		return nil, fmt.Errorf("%s: not an x86-64 ELF64 object", path)
	}
	im := &image{f: f, data: map[*elf.Section][]byte{}, reloc: map[uint64]uint64{}}
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Addr != 0 {
			im.secs = append(im.secs, s)
		}
	}
	im.syms, err = f.DynamicSymbols()
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, name := range []string{".rela.dyn", ".rela.plt"} {
		if err := im.loadRela(name); err != nil {
			f.Close()
			return nil, err
		}
	}
	return im, nil
}

func (im *image) Close() { im.f.Close() }

func (im *image) loadRela(name string) error {
	s := im.f.Section(name)
	if s == nil {
		return nil
	}
	b, err := s.Data()
	if err != nil {
		return err
	}
	for i := 0; i+24 <= len(b); i += 24 {
		off := binary.LittleEndian.Uint64(b[i:])
		info := binary.LittleEndian.Uint64(b[i+8:])
		add := binary.LittleEndian.Uint64(b[i+16:])
		typ := elf.R_X86_64(info & 0xffffffff)
		sym := info >> 32
		switch typ {
		case elf.R_X86_64_RELATIVE:
			im.reloc[off] = add
		case elf.R_X86_64_64, elf.R_X86_64_GLOB_DAT, elf.R_X86_64_JMP_SLOT:
			// DynamicSymbols drops the null symbol at index 0.
			if sym == 0 || int(sym) > len(im.syms) {
				continue
			}
			sy := im.syms[sym-1]
			if sy.Section == elf.SHN_UNDEF {
				im.reloc[off] = extPtr
			} else {
				im.reloc[off] = sy.Value + add
			}
		}
	}
	return nil
}

func (im *image) section(addr uint64) ([]byte, uint64, error) {
	for _, s := range im.secs {
		if addr >= s.Addr && addr < s.Addr+s.Size {
			if s.Type == elf.SHT_NOBITS {
				return nil, s.Addr, nil
			}
			b, ok := im.data[s]
			if !ok {
				var err error
				if b, err = s.Data(); err != nil {
					return nil, 0, err
				}
				im.data[s] = b
			}
			return b, s.Addr, nil
		}
	}
	return nil, 0, fmt.Errorf("address %#x is in no section", addr)
}

func (im *image) bytes(addr uint64, n int) ([]byte, error) {
	b, base, err := im.section(addr)
	if err != nil {
		return nil, err
	}
	if b == nil { // .bss
		return make([]byte, n), nil
	}
	o := addr - base
	if o+uint64(n) > uint64(len(b)) {
		return nil, fmt.Errorf("read past section at %#x", addr)
	}
	return b[o : o+uint64(n)], nil
}

// ptr reads a pointer-sized field, preferring the relocation's value.
func (im *image) ptr(addr uint64) (uint64, error) {
	if v, ok := im.reloc[addr]; ok {
		return v, nil
	}
	b, err := im.bytes(addr, 8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (im *image) i32(addr uint64) (int32, error) {
	b, err := im.bytes(addr, 4)
	if err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b)), nil
}

func (im *image) cstring(addr uint64) (string, error) {
	if addr == 0 || addr == extPtr {
		return "", errors.New("string pointer is null or external")
	}
	b, base, err := im.section(addr)
	if err != nil {
		return "", err
	}
	if b == nil {
		return "", fmt.Errorf("string at %#x is in .bss", addr)
	}
	rest := b[addr-base:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return "", fmt.Errorf("unterminated string at %#x", addr)
	}
	return string(rest[:i]), nil
}

func (im *image) symbol(name string) (elf.Symbol, bool) {
	for _, s := range im.syms {
		if s.Name == name && s.Section != elf.SHN_UNDEF {
			return s, true
		}
	}
	return elf.Symbol{}, false
}

// callArgTables finds the static tables passed as the second argument of
// calls to the imported function fn: for each call (or tail jump) through the
// PLT or GOT, the last "lea rsi,[rip+disp]" shortly before it names the table.
// This is how modules hand their transformation tables to register_trans_mod.
func (im *image) callArgTables(fn string) ([]uint64, error) {
	var got []uint64
	for off := range im.relocSyms(fn) {
		got = append(got, off)
	}
	if len(got) == 0 {
		return nil, nil
	}
	isGot := func(a uint64) bool {
		for _, g := range got {
			if g == a {
				return true
			}
		}
		return false
	}
	// PLT stubs jumping through the GOT slot: "ff 25 disp32" (maybe after
	// endbr64 and a bnd prefix).
	var stubs []uint64
	for _, name := range []string{".plt", ".plt.sec", ".plt.got"} {
		s := im.f.Section(name)
		if s == nil {
			continue
		}
		b, err := s.Data()
		if err != nil {
			return nil, err
		}
		for i := 0; i+6 <= len(b); i++ {
			if b[i] == 0xff && b[i+1] == 0x25 {
				next := s.Addr + uint64(i) + 6
				t := next + uint64(int64(int32(binary.LittleEndian.Uint32(b[i+2:]))))
				if isGot(t) {
					// The stub starts on its 16-byte slot (or 8 in .plt.got).
					align := uint64(16)
					if name == ".plt.got" {
						align = 8
					}
					stubs = append(stubs, (s.Addr+uint64(i))&^(align-1))
				}
			}
		}
	}
	text := im.f.Section(".text")
	if text == nil {
		return nil, nil
	}
	b, err := text.Data()
	if err != nil {
		return nil, err
	}
	var tables []uint64
	seen := map[uint64]bool{}
	for i := 0; i+5 <= len(b); i++ {
		hit := false
		if b[i] == 0xe8 || b[i] == 0xe9 {
			t := text.Addr + uint64(i) + 5 + uint64(int64(int32(binary.LittleEndian.Uint32(b[i+1:]))))
			for _, s := range stubs {
				if s == t {
					hit = true
				}
			}
		}
		if !hit && i+6 <= len(b) && b[i] == 0xff && (b[i+1] == 0x15 || b[i+1] == 0x25) {
			t := text.Addr + uint64(i) + 6 + uint64(int64(int32(binary.LittleEndian.Uint32(b[i+2:]))))
			hit = isGot(t)
		}
		if !hit {
			continue
		}
		// Search backwards for lea rsi,[rip+disp32] (48 8d 35).
		for j := i - 7; j >= 0 && j > i-64; j-- {
			if b[j] == 0x48 && b[j+1] == 0x8d && b[j+2] == 0x35 {
				t := text.Addr + uint64(j) + 7 + uint64(int64(int32(binary.LittleEndian.Uint32(b[j+3:]))))
				if !seen[t] {
					seen[t] = true
					tables = append(tables, t)
				}
				break
			}
		}
	}
	return tables, nil
}

// relocSyms returns the GOT slots relocated against the named symbol.
func (im *image) relocSyms(name string) map[uint64]bool {
	out := map[uint64]bool{}
	for _, sec := range []string{".rela.dyn", ".rela.plt"} {
		s := im.f.Section(sec)
		if s == nil {
			continue
		}
		b, err := s.Data()
		if err != nil {
			continue
		}
		for i := 0; i+24 <= len(b); i += 24 {
			info := binary.LittleEndian.Uint64(b[i+8:])
			sym := info >> 32
			if sym == 0 || int(sym) > len(im.syms) {
				continue
			}
			if im.syms[sym-1].Name == name {
				out[binary.LittleEndian.Uint64(b[i:])] = true
			}
		}
	}
	return out
}

// eachNamed walks a C array of structs at start (size bytes each) whose
// name pointer sits at nameOff and whose end is a NULL name, calling fn
// with each element's address and name. A zero start is an empty table.
func (im *image) eachNamed(start, size, nameOff uint64, fn func(addr uint64, name string) error) error {
	if start == 0 {
		return nil
	}
	for a := start; ; a += size {
		np, err := im.ptr(a + nameOff)
		if err != nil {
			return err
		}
		if np == 0 {
			return nil
		}
		name, err := im.cstring(np)
		if err != nil {
			return err
		}
		if err := fn(a, name); err != nil {
			return err
		}
	}
}
