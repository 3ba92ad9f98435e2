// Command crane rewrites a bench image the way `crane pull` (and every
// tool on go-containerregistry's tarball.Write) saves one: compressed
// layers at the top of the tar named <digest>.tar.gz, a manifest.json
// without LayerSources, no OCI layout. Warm runs on that layout are the
// case where a blob digest is known only from the member's name.
//
//	go run ./bench/crane IN.tar OUT.tar
package main

import (
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: crane IN.tar OUT.tar")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "crane:", err)
		os.Exit(1)
	}
}

func rewrite(in, out string) error {
	img, err := tarball.ImageFromPath(in, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", in, err)
	}
	tag, err := name.NewTag("bench.local/crane:1")
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := tarball.WriteToFile(tmp, tag, img); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return os.Rename(tmp, out)
}
