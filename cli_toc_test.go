package main

import (
	"archive/tar"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// tocImage is three layers of a few hundred files, most of the bytes in
// random (incompressible) files that a TOC read has no reason to fetch,
// with a package database, a credential and whiteouts, written by build
// (eStargz or zstd:chunked).
func tocImage(t *testing.T, build func([]byte, int) (it.Seekable, error)) (v1.Image, int64) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 9))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	var layers [][]it.Entry
	for l := range 3 {
		es := []it.Entry{it.Dir(fmt.Sprintf("app%d/", l))}
		for i := range 150 {
			es = append(es, it.Entry{Name: fmt.Sprintf("app%d/lib/mod%03d.so", l, i), Body: random(40000 + i*100), Mode: 0o755, UID: 1000 + l, GID: 100})
			es = append(es, it.SizedFile(fmt.Sprintf("app%d/doc/readme%03d.txt", l, i), 2000))
		}
		es = append(es, it.Symlink(fmt.Sprintf("app%d/current", l), "lib"), it.Hardlink(fmt.Sprintf("app%d/lib/again.so", l), fmt.Sprintf("app%d/lib/mod000.so", l)),
			it.Entry{Name: fmt.Sprintf("app%d/pipe", l), Type: tar.TypeFifo})
		layers = append(layers, es)
	}
	layers[0] = append(layers[0], it.File("var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n"),
		it.File("var/lib/dpkg/info/base-files.list", "/.\n/app0\n"))
	layers[1] = append(layers[1], it.File("root/.aws/credentials", "[default]\naws_access_key_id = "+it.AWSKeyID("cli")+"\n"))
	layers[2] = append(layers[2], it.Whiteout("app0/doc"), it.Opaque("app1/lib"))
	var ls []it.Seekable
	total := int64(0)
	for _, es := range layers {
		s, err := build(it.Tar(es...), 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.Size()
		total += n
		ls = append(ls, s)
	}
	img, err := it.SeekableImage(ls, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img, total
}

// TestCLITOCRead reads eStargz and zstd:chunked images from registries,
// the in-process one and Debian's Distribution, three ways: by their
// tables of contents, whole with --full, and through a proxy that ignores
// Range. The JSON must be the same byte for byte (the one credential is
// in a file named like one, which a TOC read fetches), -v must say which
// way each layer was read, and the TOC read must fetch a small part of
// the blobs.
func TestCLITOCRead(t *testing.T) {
	formats := []struct {
		name  string
		build func([]byte, int) (it.Seekable, error)
	}{{"eStargz", it.Estargz}, {"zstd:chunked", it.ZstdChunked}}
	registries := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"in-process", func(t *testing.T) string { return registrytest.InProcess(t, nil) }},
		{"distribution", func(t *testing.T) string { return registrytest.Distribution(t) }},
	}
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.start(t)
			for _, f := range formats {
				t.Run(f.name, func(t *testing.T) {
					dir := t.TempDir()
					img, total := tocImage(t, f.build)
					repo := "/strata/" + strings.ToLower(strings.ReplaceAll(f.name, ":", "-")) + ":1"
					registrytest.Push(t, host+repo, img)
					var counted registrytest.BlobBytes
					counting := registrytest.Proxy(t, host, counted.Wrap)
					whole := registrytest.Proxy(t, host, registrytest.IgnoreRange)

					read := func(front string, args ...string) (stdout, stderr string) {
						t.Helper()
						r := run(t, dir, append(append([]string{"--no-cache", "--json", "-"}, args...), "registry://"+front+repo)...)
						if r.code != exitOK {
							t.Fatalf("strata %v: exit %d: %s", args, r.code, r.stderr)
						}
						return strings.ReplaceAll(r.stdout, front, "HOST"), r.stderr
					}
					full, fullErr := read(counting, "--full", "-v")
					fullBytes := counted.Bytes.Swap(0)
					if fullBytes < total {
						t.Errorf("--full fetched %d bytes of %d", fullBytes, total)
					}
					if !strings.Contains(fullErr, "streamed whole: "+f.name+" table of contents not used: full read asked for") {
						t.Errorf("--full -v does not say why:\n%s", fullErr)
					}

					toc, tocErr := read(counting, "-v")
					tocBytes := counted.Bytes.Swap(0)
					if toc != full {
						t.Errorf("TOC read's JSON differs from --full's:\n%s\n---\n%s", toc, full)
					}
					if n := strings.Count(tocErr, "read from its "+f.name+" table of contents"); n != 3 {
						t.Errorf("-v says %d layers were read from a TOC, want 3:\n%s", n, tocErr)
					}
					if !strings.Contains(tocErr, "strata: note: layers 0, 1, 2: read from the table of contents by range; only files named like credentials were scanned for secrets") {
						t.Errorf("the TOC read does not note what its secret scan left out:\n%s", tocErr)
					}
					if counted.Ranged.Load() == 0 || tocBytes*50 > total {
						t.Errorf("TOC read fetched %d bytes of %d (%d ranged requests); want under 2%%", tocBytes, total, counted.Ranged.Load())
					}
					t.Logf("%s via %s: TOC read fetched %d of %d blob bytes (%.2f%%) in %d requests", f.name, reg.name, tocBytes, total, 100*float64(tocBytes)/float64(total), counted.Requests.Load())

					// A gate reads whole unless told otherwise, and then
					// scans for secrets what a whole read would.
					ci := run(t, dir, "--ci", "-v", "--no-cache", "registry://"+counting+repo)
					if !strings.Contains(ci.stderr, "full read asked for") || strings.Contains(ci.stderr, "read from its") {
						t.Errorf("--ci does not read layers whole:\n%s", ci.stderr)
					}
					ci = run(t, dir, "--ci", "--full=false", "-v", "--no-cache", "registry://"+counting+repo)
					if !strings.Contains(ci.stderr, "read from its "+f.name+" table of contents") || strings.Contains(ci.stderr, "only files named like credentials") {
						t.Errorf("--ci --full=false does not read the TOC with every file scanned:\n%s", ci.stderr)
					}

					fallback, fbErr := read(whole, "-v")
					if fallback != full {
						t.Errorf("fallback's JSON differs from --full's:\n%s\n---\n%s", fallback, full)
					}
					if n := strings.Count(fbErr, "the source answered a range request with the whole blob"); n != 3 {
						t.Errorf("-v through a proxy that ignores Range gives %d fallback lines, want 3:\n%s", n, fbErr)
					}
				})
			}
		})
	}
}
