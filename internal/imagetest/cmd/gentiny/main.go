// Command gentiny writes the bundled tiny image (see imagetest.Tiny) as a
// classic docker-archive. Run it through go generate in internal/imagetest;
// a test in source fails when testdata/tiny.tar no longer matches.
package main

import (
	"fmt"
	"os"

	"github.com/strata-cli/strata/internal/imagetest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gentiny OUTPUT.tar")
		os.Exit(2)
	}
	if err := imagetest.WriteTiny(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gentiny:", err)
		os.Exit(1)
	}
}
