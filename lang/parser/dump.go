package parser

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// Dump writes a debug listing of the tree, one node per line, indented by
// depth, each with its source range (line:col-line:col, end exclusive). It
// is the output of `kamgo parse --ast` and of the parser's golden tests.
func Dump(w io.Writer, cfg *ast.Config) error {
	d := &dumper{w: bufio.NewWriter(w)}
	for _, it := range cfg.Items {
		d.node(it, 0)
	}
	return d.w.Flush()
}

type dumper struct{ w *bufio.Writer }

func span(r diag.Range) string {
	s := fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Col, r.End.Line, r.End.Col)
	if r.Via != "" {
		s += " via " + r.Via
	}
	return s
}

func (d *dumper) line(depth int, r diag.Range, format string, args ...any) {
	d.w.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(d.w, format, args...)
	d.w.WriteString(" @" + span(r) + "\n")
}

var valueKinds = [...]string{ast.ValInt: "int", ast.ValString: "string", ast.ValIdent: "ident", ast.ValAddr: "addr"}

func (d *dumper) value(v ast.Value, depth int) {
	if v.Kind == ast.ValInt {
		d.line(depth, v.Rng, "%s %s (%d)", valueKinds[v.Kind], v.Text, v.Int)
		return
	}
	d.line(depth, v.Rng, "%s %s", valueKinds[v.Kind], strconv.Quote(v.Text))
}

func (d *dumper) stmts(l []ast.Stmt, depth int) {
	for _, s := range l {
		d.node(s, depth)
	}
}

func (d *dumper) node(n ast.Node, depth int) {
	switch n := n.(type) {
	case nil:
	case *ast.CoreParam:
		block := ""
		if n.Block {
			block = " block"
		}
		d.line(depth, n.Rng, "CoreParam %s%s", n.Name, block)
		for _, v := range n.Values {
			d.value(v, depth+1)
		}
		for _, a := range n.Attrs {
			d.line(depth+1, a.Rng, "Attr %s", a.Name)
			for _, v := range a.Values {
				d.value(v, depth+2)
			}
		}
	case *ast.CfgVar:
		idx := ""
		if n.Index >= 0 {
			idx = fmt.Sprintf("[%d]", n.Index)
		}
		descr := ""
		if n.Descr != "" {
			descr = " descr " + strconv.Quote(n.Descr)
		}
		d.line(depth, n.Rng, "CfgVar %s%s.%s%s", n.Group, idx, n.Name, descr)
		d.value(n.Value, depth+1)
	case *ast.LoadModule:
		x := ""
		if n.X {
			x = "x"
		}
		opts := ""
		if n.Opts != "" {
			opts = " opts " + strconv.Quote(n.Opts)
		}
		d.line(depth, n.Rng, "LoadModule%s %s%s", x, strconv.Quote(n.Path), opts)
	case *ast.LoadPath:
		d.line(depth, n.Rng, "LoadPath %s", strconv.Quote(n.Path))
	case *ast.ModParam:
		x := ""
		if n.X {
			x = "x"
		}
		d.line(depth, n.Rng, "ModParam%s %s %s", x, strconv.Quote(n.Module), strconv.Quote(n.Param))
		d.node(n.Value, depth+1)
	case *ast.CfgEngine:
		d.line(depth, n.Rng, "CfgEngine %s", strconv.Quote(n.Name))
	case *ast.Flags:
		d.line(depth, n.Rng, "Flags")
		for _, f := range n.Flags {
			d.line(depth+1, f.Rng, "Flag %s bit %d", f.Name, f.Bit)
		}
	case *ast.Route:
		d.line(depth, n.Rng, "Route %s %s", n.Kind, n.Title())
		if n.Body != nil {
			d.stmts(n.Body.Stmts, depth+1)
		}
	case *ast.Block:
		d.line(depth, n.Rng, "Block")
		d.stmts(n.Stmts, depth+1)
	case *ast.If:
		d.line(depth, n.Rng, "If")
		d.node(n.Cond, depth+1)
		d.node(n.Then, depth+1)
		if n.Else != nil {
			d.w.WriteString(strings.Repeat("  ", depth) + "Else\n")
			d.node(n.Else, depth+1)
		}
	case *ast.Switch:
		d.line(depth, n.Rng, "Switch")
		d.node(n.Tag, depth+1)
		for _, c := range n.Cases {
			d.node(c, depth+1)
		}
	case *ast.Case:
		switch {
		case n.Default:
			d.line(depth, n.Rng, "Default")
		case n.Regex:
			d.line(depth, n.Rng, "Case regex")
		default:
			d.line(depth, n.Rng, "Case")
		}
		d.node(n.Value, depth+1)
		d.stmts(n.Body, depth+1)
	case *ast.While:
		d.line(depth, n.Rng, "While")
		d.node(n.Cond, depth+1)
		d.node(n.Body, depth+1)
	case *ast.ReturnStmt:
		d.line(depth, n.Rng, "%s", [...]string{"Return", "Exit", "Drop"}[n.Kind])
		d.node(n.Value, depth+1)
	case *ast.Break:
		d.line(depth, n.Rng, "Break")
	case *ast.Assign:
		d.line(depth, n.Rng, "Assign %s", n.Op)
		d.node(n.LHS, depth+1)
		d.node(n.RHS, depth+1)
	case *ast.ExprStmt:
		d.line(depth, n.Rng, "ExprStmt")
		d.node(n.X, depth+1)
	case *ast.Empty:
		d.line(depth, n.Rng, "Empty")
	case *ast.IntLit:
		d.line(depth, n.Rng, "Int %s (%d)", n.Text, n.Value)
	case *ast.StrLit:
		raw := ""
		if n.Raw {
			raw = " raw"
		}
		d.line(depth, n.Rng, "String%s %s", raw, strconv.Quote(n.Value))
	case *ast.Binary:
		d.line(depth, n.Rng, "Binary %s", n.Op)
		d.node(n.X, depth+1)
		d.node(n.Y, depth+1)
	case *ast.Unary:
		d.line(depth, n.Rng, "Unary %s", n.Op)
		d.node(n.X, depth+1)
	case *ast.Paren:
		d.line(depth, n.Rng, "Paren")
		d.node(n.X, depth+1)
	case *ast.Selval:
		d.line(depth, n.Rng, "Selval")
		d.node(n.Cond, depth+1)
		d.node(n.A, depth+1)
		d.node(n.B, depth+1)
	case *ast.Call:
		d.line(depth, n.Rng, "Call %s", n.Name)
		for _, a := range n.Args {
			d.node(a, depth+1)
		}
	case *ast.RouteCall:
		if n.Dyn != nil {
			d.line(depth, n.Rng, "RouteCall dynamic")
			d.node(n.Dyn, depth+1)
		} else {
			d.line(depth, n.Rng, "RouteCall %s", n.Name)
		}
	case *ast.Ident:
		d.line(depth, n.Rng, "Ident %s", n.Name)
	case *ast.AddrLit:
		d.line(depth, n.Rng, "Addr %s", n.Text)
	case *ast.Select:
		d.line(depth, n.Rng, "Select %s", n.Text)
	case *ast.AssignExpr:
		d.line(depth, n.Rng, "AssignExpr")
		d.node(n.A, depth+1)
	case *ast.PVar:
		var b strings.Builder
		b.WriteString("PVar " + n.Text + " class=" + n.Class)
		if n.Name != nil {
			b.WriteString(" name=" + strconv.Quote(n.Name.Text))
		}
		if n.Index != nil {
			switch {
			case n.Index.All:
				b.WriteString(" index=*")
			case n.Index.PV != nil:
				b.WriteString(" index=" + n.Index.PV.Text)
			default:
				fmt.Fprintf(&b, " index=%d", n.Index.N)
			}
		}
		for _, t := range n.Trans {
			b.WriteString(" {" + t.Class + "." + t.Op + "}")
		}
		d.line(depth, n.Rng, "%s", b.String())
	default:
		d.line(depth, n.Span(), "%T", n)
	}
}
