// Command gen writes deterministic docker-archive images for the strata
// benchmarks, in the layout Docker 25+ `docker save` produces for an
// image pulled into the containerd image store: an OCI layout
// (oci-layout, index.json, blobs/sha256/...) with gzip-compressed layer
// blobs, plus the manifest.json that docker-archive readers use.
//
//	go run ./bench/gen -out bench/out -image medium
//	go run ./bench/gen -out bench/out -image medium -variant 2   # medium-v2.tar
//
// Layers are streamed tar -> gzip -> temporary file, hashing both streams
// on the way; no layer is ever held in memory.
package main

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// epoch is the fixed modification time of every generated file.
var epoch = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("out", "bench/out", "output directory")
	image := flag.String("image", "medium", "image to write: smoke, medium, large, cleanup, manyfiles, longhistory or all")
	variant := flag.Int("variant", 0, "if > 0, change only the top layer and write <name>-v<N>.tar")
	jobs := flag.Int("j", min(2, runtime.NumCPU()), "layers compressed at a time")
	level := flag.Int("level", gzip.DefaultCompression, "gzip level")
	flag.Parse()

	names := []string{*image}
	if *image == "all" {
		names = imageNames
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	for _, n := range names {
		if err := generate(*out, n, *variant, *jobs, *level); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

type layerResult struct {
	tmp          string
	diffID       string // sha256:<hex> of the uncompressed tar
	digest       string // sha256:<hex> of the gzip blob
	size         int64  // compressed
	uncompressed int64
	entries      int
}

func generate(out, name string, variant, jobs, level int) error {
	start := time.Now()
	im, err := planImage(name, variant)
	if err != nil {
		return err
	}
	file := name + ".tar"
	if variant > 0 {
		file = fmt.Sprintf("%s-v%d.tar", name, variant)
	}
	dst := filepath.Join(out, file)

	res := make([]layerResult, len(im.layers))
	errs := make([]error, len(im.layers))
	sem := make(chan struct{}, max(1, jobs))
	var wg sync.WaitGroup
	for i, L := range im.layers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res[i], errs[i] = writeLayer(out, L, level)
		}()
	}
	wg.Wait()
	defer func() {
		for _, r := range res {
			if r.tmp != "" {
				os.Remove(r.tmp)
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := writeArchive(dst, name, im, res); err != nil {
		return err
	}
	var entries int
	var unc, comp int64
	for _, r := range res {
		entries += r.entries
		unc += r.uncompressed
		comp += r.size
	}
	fmt.Printf("%-14s layers=%d entries=%d uncompressed=%d compressed=%d ratio=%.2f time=%.1fs file=%s\n",
		file, len(res), entries, unc, comp, float64(unc)/float64(comp), time.Since(start).Seconds(), dst)
	return nil
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func writeLayer(dir string, L *layerPlan, level int) (r layerResult, err error) {
	f, err := os.CreateTemp(dir, ".layer-*.tmp")
	if err != nil {
		return r, err
	}
	r.tmp = f.Name()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	ch, cc := sha256.New(), &counter{}
	zw, err := gzip.NewWriterLevel(io.MultiWriter(bw, ch, cc), level)
	if err != nil {
		return r, err
	}
	uh, uc := sha256.New(), &counter{}
	tw := tar.NewWriter(io.MultiWriter(zw, uh, uc))
	for _, e := range L.entries {
		h := &tar.Header{
			Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: int64(e.mode),
			ModTime: epoch, Uname: "root", Gname: "root",
		}
		if e.typ == tar.TypeReg {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			return r, fmt.Errorf("%s: %w", e.name, err)
		}
		if h.Size > 0 {
			if err := writeContent(tw, e.size, e.seed); err != nil {
				return r, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return r, err
	}
	if err := zw.Close(); err != nil {
		return r, err
	}
	if err := bw.Flush(); err != nil {
		return r, err
	}
	r.diffID = "sha256:" + hex.EncodeToString(uh.Sum(nil))
	r.digest = "sha256:" + hex.EncodeToString(ch.Sum(nil))
	r.size, r.uncompressed, r.entries = cc.n, uc.n, len(L.entries)
	return r, nil
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    map[string]string `json:"platform,omitempty"`
}

const (
	mtIndex    = "application/vnd.oci.image.index.v1+json"
	mtManifest = "application/vnd.oci.image.manifest.v1+json"
	mtConfig   = "application/vnd.oci.image.config.v1+json"
	mtLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func blobPath(d string) string { return "blobs/sha256/" + d[len("sha256:"):] }

func writeArchive(dst, name string, im *imagePlan, res []layerResult) error {
	// Image config.
	type hist struct {
		Created    string `json:"created,omitempty"`
		CreatedBy  string `json:"created_by"`
		Comment    string `json:"comment,omitempty"`
		EmptyLayer bool   `json:"empty_layer,omitempty"`
	}
	var history []hist
	for i, h := range im.history {
		c := "buildkit.dockerfile.v0"
		if i == 0 {
			c = ""
		}
		if h.empty && im.bareEmpty {
			history = append(history, hist{CreatedBy: h.createdBy, EmptyLayer: true})
			continue
		}
		history = append(history, hist{
			Created:   epoch.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			CreatedBy: h.createdBy, Comment: c, EmptyLayer: h.empty,
		})
	}
	diffIDs := make([]string, len(res))
	for i, r := range res {
		diffIDs[i] = r.diffID
	}
	cfg := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      epoch.Add(time.Duration(len(history)) * time.Minute).Format(time.RFC3339),
		"config": map[string]any{
			"Env":        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"},
			"Cmd":        []string{"bash"},
			"WorkingDir": "/",
			"Labels":     map[string]string{"org.opencontainers.image.title": "strata-bench-" + name},
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": history,
	}
	cfgRaw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cfgDesc := descriptor{MediaType: mtConfig, Digest: digestOf(cfgRaw), Size: int64(len(cfgRaw))}

	layers := make([]descriptor, len(res))
	layerPaths := make([]string, len(res))
	sources := map[string]descriptor{}
	for i, r := range res {
		layers[i] = descriptor{MediaType: mtLayer, Digest: r.digest, Size: r.size}
		layerPaths[i] = blobPath(r.digest)
		sources[r.diffID] = layers[i]
	}
	manRaw, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": mtManifest, "config": cfgDesc, "layers": layers,
	})
	if err != nil {
		return err
	}
	manDesc := descriptor{MediaType: mtManifest, Digest: digestOf(manRaw), Size: int64(len(manRaw))}

	repoTag := "strata-bench/" + name + ":latest"
	idxDesc := manDesc
	idxDesc.Annotations = map[string]string{
		"io.containerd.image.name":          "docker.io/" + repoTag,
		"org.opencontainers.image.ref.name": "latest",
	}
	indexRaw, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": mtIndex, "manifests": []descriptor{idxDesc},
	})
	if err != nil {
		return err
	}
	dockerManRaw, err := json.Marshal([]map[string]any{{
		"Config":       blobPath(cfgDesc.Digest),
		"RepoTags":     []string{repoTag},
		"Layers":       layerPaths,
		"LayerSources": sources,
	}})
	if err != nil {
		return err
	}

	tmp := dst + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	dirHdr := func(n string) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: n, Mode: 0o755, ModTime: epoch})
	}
	mem := func(n string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: 0o644, Size: int64(len(b)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := dirHdr("blobs/"); err != nil {
		return err
	}
	if err := dirHdr("blobs/sha256/"); err != nil {
		return err
	}
	written := map[string]bool{}
	for _, r := range res {
		if written[r.digest] {
			continue
		}
		written[r.digest] = true
		lf, err := os.Open(r.tmp)
		if err != nil {
			return err
		}
		err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: blobPath(r.digest), Mode: 0o644, Size: r.size, ModTime: epoch})
		if err == nil {
			_, err = io.Copy(tw, lf)
		}
		lf.Close()
		if err != nil {
			return err
		}
	}
	for _, m := range []struct {
		n string
		b []byte
	}{
		{blobPath(cfgDesc.Digest), cfgRaw},
		{blobPath(manDesc.Digest), manRaw},
		{"index.json", indexRaw},
		{"manifest.json", dockerManRaw},
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
	} {
		if err := mem(m.n, m.b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
