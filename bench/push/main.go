// Command push copies a docker-archive image to a registry, so that the
// registry source can be timed on the bench images:
//
//	go run ./bench/push bench/out/large.tar 127.0.0.1:5055/bench/large:1
//
// It allows plain HTTP (name.Insecure) for every registry: it is meant for
// the throwaway registry a benchmark starts on 127.0.0.1.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: push ARCHIVE REGISTRY/REPO:TAG")
		os.Exit(2)
	}
	if err := push(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "push:", err)
		os.Exit(2)
	}
}

func push(archive, dest string) error {
	ref, err := name.ParseReference(dest, name.Insecure)
	if err != nil {
		return err
	}
	img, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", archive, err)
	}
	start := time.Now()
	if err := remote.Write(ref, img); err != nil {
		return fmt.Errorf("pushing to %s: %w", dest, err)
	}
	fmt.Printf("pushed %s to %s in %v\n", archive, ref, time.Since(start).Round(time.Millisecond))
	return nil
}
