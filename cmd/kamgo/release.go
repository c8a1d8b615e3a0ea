package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/runtime/module"
)

// releaseFlag adds --kamailio, the Kamailio release whose facts check,
// lint, run and modules follow. It defaults to $KAMGO_KAMAILIO, then to
// the newest release kamgo knows.
func releaseFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("KAMGO_KAMAILIO")
	if def == "" {
		def = catalog.NewestRelease()
	}
	return fs.String("kamailio", def, "the Kamailio release to follow: "+strings.Join(catalog.Releases(), ", ")+" (or $KAMGO_KAMAILIO)")
}

// catalogFor returns the facts of release joined with what kamgo runs,
// or prints why there are none.
func catalogFor(release string, stderr io.Writer) (*catalog.Catalog, bool) {
	cat, err := module.CatalogFor(release)
	if err != nil {
		fmt.Fprintln(stderr, "kamgo: --kamailio:", err)
		return nil, false
	}
	return cat, true
}
