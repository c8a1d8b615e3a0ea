package siptest

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// RPC runs the command method with params on the server's registry.
// ok is false when no such command is registered.
func RPC(srv *server.Server, method string, params ...*rpc.Value) (vals []*rpc.Value, fault *rpc.Fault, ok bool) {
	c := &rpc.Call{Method: method, Params: params}
	if !srv.RPC().Run(context.Background(), c) {
		return nil, nil, false
	}
	vals, fault = c.Reply()
	return vals, fault, true
}

// Strs are string parameters.
func Strs(args ...string) []*rpc.Value {
	var out []*rpc.Value
	for _, a := range args {
		out = append(out, rpc.NewStr(a))
	}
	return out
}

// Args are parameters as kamcmd reads its arguments: an integer when it
// reads as one, else a string; an "s:" prefix makes a string of what
// follows.
func Args(args ...string) []*rpc.Value {
	var out []*rpc.Value
	for _, a := range args {
		if s, ok := strings.CutPrefix(a, "s:"); ok {
			out = append(out, rpc.NewStr(s))
		} else if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			out = append(out, rpc.NewInt(n))
		} else {
			out = append(out, rpc.NewStr(a))
		}
	}
	return out
}

// Kamcmd prints an RPC reply as kamcmd does: a structure or an array as
// braces around its members one a line, indented by tabs, a fault as
// "error: CODE - TEXT".
func Kamcmd(vals []*rpc.Value, fault *rpc.Fault) string {
	if fault != nil {
		return fmt.Sprintf("error: %d - %s\n", fault.Code, fault.Text)
	}
	var b strings.Builder
	var write func(v *rpc.Value, depth int, name string)
	write = func(v *rpc.Value, depth int, name string) {
		b.WriteString(strings.Repeat("\t", depth))
		if name != "" {
			b.WriteString(name + ": ")
		}
		switch v.Kind {
		case rpc.Struct:
			b.WriteString("{\n")
			for _, m := range v.Members {
				write(m.Value, depth+1, m.Name)
			}
			b.WriteString(strings.Repeat("\t", depth) + "}\n")
		case rpc.Array:
			b.WriteString("{\n")
			for i, it := range v.Items {
				write(it, depth+1, v.ItemName(i))
			}
			b.WriteString(strings.Repeat("\t", depth) + "}\n")
		default:
			b.WriteString(v.String() + "\n")
		}
	}
	for _, v := range vals {
		write(v, 0, "")
	}
	return b.String()
}

// Flatten lists a reply as "PATH = value" lines, PATH "[i]" and the
// member or item names below it joined with dots; a fault is one line
// "fault = CODE".
func Flatten(vals []*rpc.Value, fault *rpc.Fault) []string {
	if fault != nil {
		return []string{"fault = " + strconv.Itoa(fault.Code)}
	}
	var out []string
	for i, v := range vals {
		out = append(out, flatten(v, fmt.Sprintf("[%d]", i))...)
	}
	return out
}

func flatten(v *rpc.Value, path string) []string {
	switch v.Kind {
	case rpc.Struct:
		var out []string
		for _, m := range v.Members {
			out = append(out, flatten(m.Value, path+"."+m.Name)...)
		}
		return out
	case rpc.Array:
		var out []string
		for i, it := range v.Items {
			out = append(out, flatten(it, path+"."+v.ItemName(i))...)
		}
		return out
	case rpc.Int:
		return []string{path + " = " + strconv.FormatInt(v.Int, 10)}
	}
	return []string{path + " = " + v.Str}
}

var faultLine = regexp.MustCompile(`^error: (\d+) - (.*)$`)

// FlattenKamcmd lists a reply kamcmd printed as Flatten lists a reply: a
// structure's or an array's members below the path of their braces (kamcmd
// prints both alike), a fault as "fault = CODE". Flatten of a reply and
// FlattenKamcmd of its Kamcmd text are the same lines.
func FlattenKamcmd(out string) []string {
	var lines, path []string
	top := 0
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		l := strings.TrimLeft(line, "\t")
		if l == "" {
			continue
		}
		if m := faultLine.FindStringSubmatch(l); m != nil && len(path) == 0 {
			lines = append(lines, "fault = "+m[1])
			continue
		}
		name, val, named := strings.Cut(l, ": ")
		if !named {
			name, val = "", l
		}
		switch val {
		case "{", "[":
			if len(path) == 0 {
				path = append(path, "["+strconv.Itoa(top)+"]")
				top++
			} else {
				path = append(path, path[len(path)-1]+"."+name)
			}
			continue
		case "}", "]":
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			continue
		}
		if len(path) == 0 {
			lines = append(lines, "["+strconv.Itoa(top)+"] = "+val)
			top++
			continue
		}
		lines = append(lines, path[len(path)-1]+"."+name+" = "+val)
	}
	return lines
}
