// Command floor is the lower bound the strata benchmarks compare with: it
// decompresses every layer of a docker-archive and walks the tar headers,
// doing nothing else. Members of the outer tar are read in place through
// io.SectionReader; nothing is extracted.
//
//	go run ./bench/floor [-j 2] [-hash] IMAGE.tar
//
// It prints one line: elapsed=<seconds> layers=<n> entries=<n>
// uncompressed=<bytes> compressed=<bytes>.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

type member struct{ off, size int64 }

func main() {
	jobs := flag.Int("j", 2, "layers decompressed at a time")
	doHash := flag.Bool("hash", false, "also sha256 every uncompressed layer")
	verbose := flag.Bool("v", false, "print one line per layer")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: floor [-j N] [-hash] [-v] IMAGE.tar")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *jobs, *doHash, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(file string, jobs int, doHash, verbose bool) error {
	start := time.Now()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()

	// Index the outer tar once. archive/tar seeks over member data when
	// its reader is an io.Seeker, and reads nothing past a header, so
	// the file offset after Next is where the member's data begins.
	idx := map[string]member{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("indexing %s: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return err
		}
		idx[path.Clean(h.Name)] = member{off, h.Size}
	}

	m, ok := idx["manifest.json"]
	if !ok {
		return fmt.Errorf("%s: no manifest.json", file)
	}
	var manifest []struct{ Layers []string }
	if err := json.NewDecoder(io.NewSectionReader(f, m.off, m.size)).Decode(&manifest); err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	if len(manifest) == 0 {
		return errors.New("manifest.json lists no image")
	}
	layers := manifest[0].Layers

	type result struct {
		entries      int
		uncompressed int64
		kind, digest string
		err          error
	}
	res := make([]result, len(layers))
	sem := make(chan struct{}, max(1, jobs))
	var wg sync.WaitGroup
	for i, name := range layers {
		lm, ok := idx[path.Clean(name)]
		if !ok {
			return fmt.Errorf("layer %s not in archive", name)
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := &res[i]
			r.entries, r.uncompressed, r.kind, r.digest, r.err = walkLayer(io.NewSectionReader(f, lm.off, lm.size), doHash)
		}()
	}
	wg.Wait()

	var entries int
	var unc, comp int64
	for i, r := range res {
		if r.err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, layers[i], r.err)
		}
		entries += r.entries
		unc += r.uncompressed
		comp += idx[path.Clean(layers[i])].size
		if verbose {
			fmt.Printf("layer %d %s %s entries=%d uncompressed=%d %s\n", i, layers[i], r.kind, r.entries, r.uncompressed, r.digest)
		}
	}
	fmt.Printf("elapsed=%.3f layers=%d entries=%d uncompressed=%d compressed=%d\n",
		time.Since(start).Seconds(), len(layers), entries, unc, comp)
	return nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// walkLayer decompresses one layer blob and reads every tar header.
func walkLayer(sr *io.SectionReader, doHash bool) (entries int, n int64, kind, digest string, err error) {
	br := bufio.NewReaderSize(sr, 1<<20)
	magic, _ := br.Peek(4)
	var r io.Reader
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		kind = "gzip"
		zr, err := gzip.NewReader(br)
		if err != nil {
			return 0, 0, kind, "", err
		}
		defer zr.Close()
		r = zr
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		kind = "zstd"
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return 0, 0, kind, "", err
		}
		defer zr.Close()
		r = zr
	default:
		kind = "tar"
		r = br
	}
	cr := &countReader{r: r}
	var h hash.Hash
	var src io.Reader = cr
	if doHash {
		h = sha256.New()
		src = io.TeeReader(cr, h)
	}
	tr := tar.NewReader(src)
	for {
		_, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return entries, cr.n, kind, "", err
		}
		entries++
	}
	// Read what follows the end-of-archive marker, so the whole stream
	// is decompressed (and its gzip checksum checked).
	if _, err := io.Copy(io.Discard, src); err != nil {
		return entries, cr.n, kind, "", err
	}
	if h != nil {
		digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
	return entries, cr.n, kind, digest, nil
}
