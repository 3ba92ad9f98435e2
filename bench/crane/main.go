// Command crane rewrites a bench image the way `crane pull` (and every
// tool on go-containerregistry's tarball.Write) saves one: compressed
// layers at the top of the tar named <digest>.tar.gz, a manifest.json
// without LayerSources, no OCI layout. Warm runs on that layout are the
// case where a blob digest is known only from the member's name.
//
//	go run ./bench/crane [-zstd] IN.tar OUT.tar
//
// With -zstd every layer is recompressed with zstd, for the zstd rows.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	zstd := flag.Bool("zstd", false, "recompress every layer with zstd")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: crane [-zstd] IN.tar OUT.tar")
		os.Exit(2)
	}
	if err := rewrite(flag.Arg(0), flag.Arg(1), *zstd); err != nil {
		fmt.Fprintln(os.Stderr, "crane:", err)
		os.Exit(1)
	}
}

func rewrite(in, out string, zstd bool) error {
	img, err := tarball.ImageFromPath(in, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", in, err)
	}
	if zstd {
		if img, err = recompress(img); err != nil {
			return err
		}
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

// recompress rebuilds img with every layer compressed by zstd; the config
// and history stay (the diff_ids are the same bytes).
func recompress(img v1.Image) (v1.Image, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	var adds []mutate.Addendum
	for i, l := range ls {
		z, err := tarball.LayerFromOpener(l.Uncompressed, tarball.WithCompression(compression.ZStd))
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		adds = append(adds, mutate.Addendum{Layer: z, MediaType: types.OCILayerZStd})
	}
	// Append adds a diff_id and a history entry per layer, so it starts
	// from the config without them; the history is put back after.
	c := cfg.DeepCopy()
	c.RootFS.DiffIDs, c.History = nil, nil
	out, err := mutate.ConfigFile(empty.Image, c)
	if err != nil {
		return nil, err
	}
	if out, err = mutate.Append(out, adds...); err != nil {
		return nil, err
	}
	c2, err := out.ConfigFile()
	if err != nil {
		return nil, err
	}
	c2 = c2.DeepCopy()
	c2.History = cfg.History
	return mutate.ConfigFile(out, c2)
}
