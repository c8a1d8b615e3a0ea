package pvtest

import (
	"fmt"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/pv"
)

// CheckFile runs every case of the file at path on h (one context per
// case, one worker for the whole file, as Kamailio's single evapi
// dispatcher) and compares with the recorded log. Lines starting with "# "
// are Kamailio's own module/core messages and are not compared. Cases
// named in skip are not run.
func CheckFile(t *testing.T, h *Host, path string, skip ...string) {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ApplyTop(f); err != nil {
		t.Fatal(err)
	}
	w := pv.NewWorker(1)
	for _, c := range f.Cases {
		if slices.Contains(skip, c.Name) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			ctx := &pv.Context{Worker: w, Log: h.Logger, RC: 1}
			got, err := h.Run(ctx, c.Body)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range c.Log {
				if !strings.HasPrefix(l, "# ") {
					want = append(want, l)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("log:\n got  %q\n want %q", got, want)
			}
		})
	}
}

// ApplyTop applies the file's modparam lines to the host's modules:
// modparam("mod", "name", "str") or modparam("mod", "name", 12).
func (h *Host) ApplyTop(f *File) error {
	for _, l := range f.Top {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "modparam(") {
			continue
		}
		args, err := splitArgs(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(l, "modparam("), ";"), ")"))
		if err != nil || len(args) != 3 {
			return fmt.Errorf("bad modparam line %q", l)
		}
		mod, _ := unquote(args[0])
		name, _ := unquote(args[1])
		m, ok := h.Modules[mod].(module.ParamSetter)
		if !ok {
			continue
		}
		var v value.Value
		if s, err := unquote(args[2]); err == nil {
			v = value.MakeStr(s)
		} else {
			n, err := strconv.ParseInt(args[2], 10, 64)
			if err != nil {
				return fmt.Errorf("bad modparam value in %q", l)
			}
			v = value.MakeInt(n)
		}
		if err := m.SetParam(name, v); err != nil {
			return err
		}
	}
	return nil
}
