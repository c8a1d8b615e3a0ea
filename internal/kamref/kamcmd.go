package kamref

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// CtlLines are the configuration lines that make Kamailio serve RPC on
// the unix socket path, for Kamcmd.
func CtlLines(path string) string {
	return "loadmodule \"ctl.so\"\nmodparam(\"ctl\", \"binrpc\", \"unix:" + path + "\")\n"
}

// Kamcmd runs kamcmd with args against the ctl socket path and returns
// what it printed. A fault is printed, not an error: "error: CODE - TEXT".
func Kamcmd(ctx context.Context, path string, args ...string) (string, error) {
	bin, err := exec.LookPath("kamcmd")
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, bin, append([]string{"-s", "unix:" + path}, args...)...).Output()
	if err != nil && !strings.HasPrefix(string(out), "error:") {
		return string(out), fmt.Errorf("kamcmd %v: %w", args, err)
	}
	return string(out), nil
}

// Value is one value of an RPC reply as kamcmd prints it: a scalar
// (Leaf, Text) or a structure (Kids, each with its Name). kamcmd prints
// numbers and strings alike, and binrpc's arrays as structures.
type Value struct {
	Name   string
	Leaf   bool
	Text   string
	Kids   []*Value
	parent *Value
}

var number = regexp.MustCompile(`^-?[0-9]+$`)

// Shape is v without its contents: member names, their order, nesting,
// and "n" for a scalar that is a number, "s" for any other.
func (v *Value) Shape() string {
	if v.Leaf {
		if number.MatchString(v.Text) {
			return "n"
		}
		return "s"
	}
	parts := make([]string, len(v.Kids))
	for i, k := range v.Kids {
		parts[i] = k.Name + ":" + k.Shape()
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// ParseKamcmd reads kamcmd's printing of a reply: one value per line at
// the top (an empty line is an empty string); a structure between "{"
// and "}" with one member per line, indented by a tab per level, as
// "name: value" or "name: {".
func ParseKamcmd(out string) ([]*Value, error) {
	var top []*Value
	var cur *Value
	if out == "" {
		return nil, nil
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		body := strings.TrimLeft(line, "\t")
		switch {
		case body == "}":
			if cur == nil {
				return nil, fmt.Errorf("unbalanced }: %q", out)
			}
			cur = cur.parent
		case cur == nil && body == "{":
			cur = &Value{}
			top = append(top, cur)
		case cur == nil:
			top = append(top, &Value{Leaf: true, Text: body})
		default:
			name, val, _ := strings.Cut(body, ":")
			val = strings.TrimPrefix(val, " ")
			k := &Value{Name: name, parent: cur}
			cur.Kids = append(cur.Kids, k)
			if val == "{" {
				cur = k
			} else {
				k.Leaf, k.Text = true, val
			}
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("unterminated structure: %q", out)
	}
	return top, nil
}

// FromRPC is a kamgo reply value as kamcmd shows it, to compare with
// ParseKamcmd's: binrpc sends an array as a structure whose members are
// the items (with the names they were added with), an unsigned integer
// as a signed 32-bit one (4294967295 shows as -1), and an integer beyond
// 32 bits as a double, which kamcmd prints with six decimals.
func FromRPC(name string, v *rpc.Value) *Value {
	n := &Value{Name: name}
	switch v.Kind {
	case rpc.Struct:
		for _, m := range v.Members {
			n.Kids = append(n.Kids, FromRPC(m.Name, m.Value))
		}
	case rpc.Array:
		for i, it := range v.Items {
			n.Kids = append(n.Kids, FromRPC(v.ItemName(i), it))
		}
	case rpc.Int:
		n.Leaf, n.Text = true, v.String()
		switch {
		case v.Unsigned:
			n.Text = strconv.FormatInt(int64(int32(uint32(v.Int))), 10)
		case v.Int < math.MinInt32 || v.Int > math.MaxInt32:
			n.Text = strconv.FormatFloat(float64(v.Int), 'f', 6, 64)
		}
	default:
		n.Leaf, n.Text = true, v.String()
	}
	return n
}
