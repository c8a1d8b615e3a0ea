package facts

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The text listing has one fact a line, each naming its module, so that
// two listings compare with a line diff:
//
//	module <name> <file> [<package>]
//	dep <module> <module>...
//	func <module> <name> <args|var> <routes>
//	param <module> <name> <type>
//	pv <module> <class> [w]
//	trans <module> <class>
//
// Routes are ANY or REQUEST|FAILURE|...; types are string|int|str|var|
// func|shm. '#' starts a comment line.

var routeNames = []string{"REQUEST", "FAILURE", "TM_ONREPLY", "BRANCH", "ONSEND", "ERROR", "LOCAL", "CORE_ONREPLY", "BRANCH_FAILURE", "ONEVENT"}

// RoutesText writes route bits as the listing does.
func RoutesText(r uint32) string {
	if r == AnyRoute {
		return "ANY"
	}
	var parts []string
	for i, n := range routeNames {
		if r&(1<<i) != 0 {
			parts = append(parts, n)
			r &^= 1 << i
		}
	}
	if r != 0 {
		parts = append(parts, fmt.Sprintf("%#x", r))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

func parseRoutes(s string) (uint32, error) {
	if s == "ANY" {
		return AnyRoute, nil
	}
	if s == "0" {
		return 0, nil
	}
	var r uint32
next:
	for _, p := range strings.Split(s, "|") {
		for i, n := range routeNames {
			if p == n {
				r |= 1 << i
				continue next
			}
		}
		v, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			return 0, fmt.Errorf("route %q", p)
		}
		r |= uint32(v)
	}
	return r, nil
}

var typeNames = []string{"string", "int", "str", "var", "func", "shm"}

func (t ParamType) String() string {
	var parts []string
	for i, n := range typeNames {
		if t&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

func parseType(s string) (ParamType, error) {
	if s == "0" {
		return 0, nil
	}
	var t ParamType
next:
	for _, p := range strings.Split(s, "|") {
		for i, n := range typeNames {
			if p == n {
				t |= 1 << i
				continue next
			}
		}
		return 0, fmt.Errorf("parameter type %q", p)
	}
	return t, nil
}

func argsText(n int) string {
	if n == VarArgs {
		return "var"
	}
	return strconv.Itoa(n)
}

// Lines returns the listing of the modules, one fact a line.
func Lines(mods []Module) []string {
	var out []string
	for _, m := range mods {
		l := "module " + m.Name + " " + m.File
		if m.Package != "" {
			l += " " + m.Package
		}
		out = append(out, l)
		if len(m.Deps) > 0 {
			out = append(out, "dep "+m.Name+" "+strings.Join(m.Deps, " "))
		}
		for _, f := range m.Funcs {
			out = append(out, fmt.Sprintf("func %s %s %s %s", m.Name, f.Name, argsText(f.Args), RoutesText(f.Routes)))
		}
		for _, p := range m.Params {
			out = append(out, fmt.Sprintf("param %s %s %s", m.Name, p.Name, p.Type))
		}
		for _, p := range m.PVs {
			l := "pv " + m.Name + " " + p.Name
			if p.Writable {
				l += " w"
			}
			out = append(out, l)
		}
		for _, t := range m.Trans {
			out = append(out, "trans "+m.Name+" "+t)
		}
	}
	return out
}

// Write writes the listing with a header comment.
func Write(w io.Writer, header string, mods []Module) error {
	bw := bufio.NewWriter(w)
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		fmt.Fprintln(bw, "# "+l)
	}
	for _, l := range Lines(mods) {
		fmt.Fprintln(bw, l)
	}
	return bw.Flush()
}

// Read reads a listing written by Write.
func Read(r io.Reader) ([]Module, error) {
	var mods []Module
	byName := map[string]int{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		l := sc.Text()
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		fs := strings.Fields(l)
		bad := func(err error) error { return fmt.Errorf("line %d: %q: %v", n, l, err) }
		if fs[0] == "module" {
			if len(fs) < 3 || len(fs) > 4 {
				return nil, bad(fmt.Errorf("want module NAME FILE [PACKAGE]"))
			}
			m := Module{Name: fs[1], File: fs[2]}
			if len(fs) == 4 {
				m.Package = fs[3]
			}
			byName[m.Name] = len(mods)
			mods = append(mods, m)
			continue
		}
		if len(fs) < 3 {
			return nil, bad(fmt.Errorf("too few fields"))
		}
		i, ok := byName[fs[1]]
		if !ok {
			return nil, bad(fmt.Errorf("module %s not declared", fs[1]))
		}
		m := &mods[i]
		switch {
		case fs[0] == "dep":
			m.Deps = append(m.Deps, fs[2:]...)
		case fs[0] == "func" && len(fs) == 5:
			args := VarArgs
			if fs[3] != "var" {
				a, err := strconv.Atoi(fs[3])
				if err != nil {
					return nil, bad(err)
				}
				args = a
			}
			r, err := parseRoutes(fs[4])
			if err != nil {
				return nil, bad(err)
			}
			m.Funcs = append(m.Funcs, Func{Name: fs[2], Args: args, Routes: r})
		case fs[0] == "param" && len(fs) == 4:
			t, err := parseType(fs[3])
			if err != nil {
				return nil, bad(err)
			}
			m.Params = append(m.Params, Param{Name: fs[2], Type: t})
		case fs[0] == "pv" && (len(fs) == 3 || len(fs) == 4 && fs[3] == "w"):
			m.PVs = append(m.PVs, PV{Name: fs[2], Writable: len(fs) == 4})
		case fs[0] == "trans" && len(fs) == 3:
			m.Trans = append(m.Trans, fs[2])
		default:
			return nil, bad(fmt.Errorf("unknown fact"))
		}
	}
	return mods, sc.Err()
}
