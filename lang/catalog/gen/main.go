// Command gen rebuilds lang/catalog/releases_gen.go, the module facts of
// every Kamailio release the catalog knows, from Kamailio's C sources at
// each release's tag: every module under src/modules, read by
// internal/csrc (export tables, module name) with the modules its README
// requires, and the Debian package shipping it from
// testdata/debian-5.6.3.txt (empty for modules Debian 12 does not ship).
//
// Usage (from lang/catalog): go run ./gen [-repo DIR] [-o FILE] [-listings DIR]
//
// -repo is a Kamailio git repository with the release tags (default
// $KAMAILIO_REPO or the local mirror); -listings writes each release's
// plain-text listing there too, to compare releases with diff.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kamgo/kamgo/lang/catalog/internal/csrc"
	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// releases are the releases the catalog knows, oldest first: 5.6 as
// Debian 12 ships it, and the newest patch tag of each later series.
var releases = []struct{ name, tag string }{
	{"5.6", "5.6.3"},
	{"5.7", "5.7.7"},
	{"5.8", "5.8.8"},
	{"6.0", "6.0.7"},
	{"6.1", "6.1.4"},
}

func main() {
	repo := flag.String("repo", csrc.DefaultRepo(), "Kamailio git repository with the release tags")
	out := flag.String("o", "releases_gen.go", "output Go file")
	debian := flag.String("debian", "testdata/debian-5.6.3.txt", "listing of Debian's 5.6.3 modules (for the package of each module)")
	listings := flag.String("listings", "", "directory to write each release's plain-text listing to (none when empty)")
	flag.Parse()
	if err := run(*repo, *out, *debian, *listings); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(repo, out, debian, listings string) error {
	pkgs, err := debianPackages(debian)
	if err != nil {
		return err
	}
	var all [][]facts.Module
	var tags []string
	failed := false
	for _, r := range releases {
		tree, err := csrc.ReadTag(repo, r.tag)
		if err != nil {
			return err
		}
		mods, problems := csrc.ReadRelease(tree, &csrc.DebianBuild, pkgs)
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "gen: %s: %s\n", r.tag, p)
			failed = true
		}
		all = append(all, mods)
		tags = append(tags, r.tag)
		if listings != "" {
			if err := writeListing(filepath.Join(listings, r.name+".txt"), r.tag, mods); err != nil {
				return err
			}
		}
	}
	if failed {
		return fmt.Errorf("the sources have shapes the reader does not know (listed above); nothing written")
	}
	pack, err := facts.Encode(all)
	if err != nil {
		return err
	}
	var names []string
	for _, r := range releases {
		names = append(names, r.name)
	}
	return os.WriteFile(out, render(names, tags, pack), 0o644)
}

// debianPackages maps module files to the Debian package shipping them.
func debianPackages(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mods, err := facts.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := map[string]string{}
	for _, m := range mods {
		out[m.File] = m.Package
	}
	return out, nil
}

func writeListing(path, tag string, mods []facts.Module) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := facts.Write(f, "Kamailio "+tag+" modules, read from the sources.", mods); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
