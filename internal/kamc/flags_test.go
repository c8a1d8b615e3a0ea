package kamc

import "flag"

// -update rewrites golden files (untagged tests) and, with -tags kamailio,
// re-records testdata/kamailio-c/expect.tsv and corpus.tsv.
var update = flag.Bool("update", false, "rewrite golden files / re-record verdicts")
