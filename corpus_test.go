package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// The hostile corpus: broken and crafted images, each generated here (never
// hand-edited binaries) with what strata must say about it. A broken image
// gets exit 2 and one line naming the part that is wrong; a merely odd one
// is analysed with exact numbers.

// corpusCase makes one image under dir and returns the reference to open.
type corpusCase struct {
	name string
	make func(t *testing.T, dir string) string
	// wantErr is what the one error line must contain once scrubPaths has
	// replaced the image's path with IMAGE; each … stands for any text
	// (a digest, say). "" means the image must be analysed.
	wantErr string
	// check inspects the report of an image that must be analysed.
	check func(t *testing.T, rep report.JSONReport)
}

// ociLayout writes an OCI layout of one image whose layers hold the given
// raw bytes (not necessarily tars), and returns its directory.
func ociLayout(t *testing.T, dir string, c it.Compression, raw ...[]byte) string {
	t.Helper()
	var layers []v1.Layer
	for _, b := range raw {
		layers = append(layers, it.MustLayer(t, b, c))
	}
	out := filepath.Join(dir, "layout")
	if err := it.WriteOCILayout(out, it.MustIndex(t, it.Manifest{Image: it.MustImage(t, layers, nil, nil)})); err != nil {
		t.Fatal(err)
	}
	return out
}

// blobOf returns the path of the layout blob with the given digest.
func blobOf(layout string, h v1.Hash) string {
	return filepath.Join(layout, "blobs", h.Algorithm, h.Hex)
}

// layerBlob returns the path of layer i's blob in a one-image layout.
func layerBlob(t *testing.T, layout string, i int) string {
	t.Helper()
	m := readManifest(t, layout)
	return blobOf(layout, m.Layers[i].Digest)
}

func readManifest(t *testing.T, layout string) *v1.Manifest {
	t.Helper()
	idx := readIndex(t, layout)
	b, err := os.ReadFile(blobOf(layout, idx.Manifests[0].Digest))
	if err != nil {
		t.Fatal(err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readIndex(t *testing.T, layout string) *v1.IndexManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// rewriteManifest replaces the layout's only manifest with edit's result,
// fixing up the index so that only the edit is wrong.
func rewriteManifest(t *testing.T, layout string, edit func(m *v1.Manifest)) {
	t.Helper()
	m := readManifest(t, layout)
	edit(m)
	b, _ := json.Marshal(m)
	h, size, _ := v1.SHA256(bytes.NewReader(b))
	if err := os.WriteFile(blobOf(layout, h), b, 0o644); err != nil {
		t.Fatal(err)
	}
	idx := readIndex(t, layout)
	idx.Manifests[0].Digest, idx.Manifests[0].Size = h, size
	ib, _ := json.Marshal(idx)
	if err := os.WriteFile(filepath.Join(layout, "index.json"), ib, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dockerArchive writes the bundled tiny image as a classic docker-archive,
// passing every member through edit (return keep=false to drop it).
func dockerArchive(t *testing.T, dir string, edit func(name string, body []byte) ([]byte, bool)) string {
	t.Helper()
	src := filepath.Join(dir, "src.tar")
	if err := it.WriteTiny(src); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	tr, tw := tar.NewReader(f), tar.NewWriter(&out)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		var body bytes.Buffer
		body.ReadFrom(tr)
		b, keep := edit(hdr.Name, body.Bytes())
		if !keep {
			continue
		}
		hdr.Size = int64(len(b))
		tw.WriteHeader(hdr)
		tw.Write(b)
	}
	tw.Close()
	p := filepath.Join(dir, "image.tar")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// memberNamed reports whether a docker-archive member is the manifest, the
// config or a layer.
func isConfig(name string) bool {
	return strings.HasSuffix(name, ".json") && !strings.Contains(name, "/") && name != "manifest.json"
}
func isLayer(name string) bool { return strings.HasSuffix(name, "/layer.tar") }

func corpus() []corpusCase {
	goodTar := it.Tar(it.SizedFile("etc/a", 100), it.SizedFile("etc/b", 50))
	return []corpusCase{
		{
			name: "truncated docker-archive",
			make: func(t *testing.T, dir string) string {
				src := filepath.Join(dir, "full.tar")
				it.WriteTiny(src)
				b, _ := os.ReadFile(src)
				p := filepath.Join(dir, "cut.tar")
				os.WriteFile(p, b[:len(b)/2], 0o644)
				return p
			},
			wantErr: "opening IMAGE: reading tar IMAGE: truncated archive",
		},
		{
			name: "truncated gzip layer",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				p := layerBlob(t, l, 0)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, b[:len(b)/2], 0o644)
				return "oci:" + l
			},
			wantErr: "reading layer 0 (…): reading tar: unexpected EOF",
		},
		{
			name: "truncated zstd layer",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Zstd, goodTar)
				p := layerBlob(t, l, 0)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, b[:len(b)/2], 0o644)
				return "oci:" + l
			},
			wantErr: "reading layer 0 (…): reading tar: unexpected EOF",
		},
		{
			name: "layer that is not a tar",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, bytes.Repeat([]byte("not a tar "), 200))
			},
			wantErr: "reading layer 0 (…): reading tar: archive/tar: invalid tar header",
		},
		{
			name: "garbage manifest.json",
			make: func(t *testing.T, dir string) string {
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) {
					if name == "manifest.json" {
						return []byte("{this is not json"), true
					}
					return b, true
				})
			},
			wantErr: "parsing manifest.json in IMAGE: invalid image: invalid character",
		},
		{
			name: "manifest pointing to a missing layer",
			make: func(t *testing.T, dir string) string {
				dropped := false
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) {
					if isLayer(name) && !dropped {
						dropped = true
						return nil, false
					}
					return b, true
				})
			},
			wantErr: "layer 0 in IMAGE: not found: …/layer.tar: no such member",
		},
		{
			name: "config JSON missing",
			make: func(t *testing.T, dir string) string {
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) { return b, !isConfig(name) })
			},
			wantErr: "reading config ….json in IMAGE: not found: ….json: no such member",
		},
		{
			name: "config JSON malformed",
			make: func(t *testing.T, dir string) string {
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) {
					if isConfig(name) {
						return []byte(`{"rootfs": [`), true
					}
					return b, true
				})
			},
			wantErr: "parsing config ….json in IMAGE: invalid image: unexpected EOF",
		},
		{
			name: "diff_ids count not matching the layers",
			make: func(t *testing.T, dir string) string {
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) {
					if isConfig(name) {
						var cfg map[string]any
						json.Unmarshal(b, &cfg)
						rootfs := cfg["rootfs"].(map[string]any)
						ids := rootfs["diff_ids"].([]any)
						rootfs["diff_ids"] = ids[:len(ids)-1]
						b, _ = json.Marshal(cfg)
					}
					return b, true
				})
			},
			wantErr: "image in IMAGE: config lists 4 diff_ids but manifest.json has 5 layers",
		},
		{
			name: "layer content not matching its diff_id",
			make: func(t *testing.T, dir string) string {
				// Only the second layer: layers are read concurrently, and
				// the first to fail is the one reported.
				seen := 0
				return dockerArchive(t, dir, func(name string, b []byte) ([]byte, bool) {
					if isLayer(name) {
						if seen++; seen == 2 {
							b = append(bytes.Clone(b), make([]byte, 512)...) // still a valid tar
						}
					}
					return b, true
				})
			},
			wantErr: "reading layer 1 (…): diff_id mismatch: config says sha256:…, content is sha256:",
		},
		{
			name: "index with no manifests",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				os.WriteFile(filepath.Join(l, "index.json"), []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`), 0o644)
				return "oci:" + l
			},
			wantErr: "no image manifests in index of oci:IMAGE: not found",
		},
		{
			name: "unknown manifest media type",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				idx := readIndex(t, l)
				idx.Manifests[0].MediaType = types.MediaType("application/vnd.example.unknown+json")
				b, _ := json.Marshal(idx)
				os.WriteFile(filepath.Join(l, "index.json"), b, 0o644)
				return "oci:" + l
			},
			wantErr: "no image manifests in index of oci:IMAGE, only unsupported media types (application/vnd.example.unknown+json)",
		},
		{
			name: "config blob missing",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				os.Remove(blobOf(l, readManifest(t, l).Config.Digest))
				return "oci:" + l
			},
			wantErr: "reading config sha256:… in oci:IMAGE: blob sha256:…: not found",
		},
		{
			name: "layer blob missing",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				os.Remove(layerBlob(t, l, 0))
				return "oci:" + l
			},
			wantErr: "layer 0 (sha256:…) in oci:IMAGE: blob sha256:…: not found",
		},
		{
			name: "layer blob recompressed: its digest is wrong, its content right",
			make: func(t *testing.T, dir string) string {
				// The same tar compressed differently: its diff_id still
				// matches the config, but not the manifest's digest. What
				// strata reads is the content, checked against the diff_id.
				l := ociLayout(t, dir, it.Gzip, goodTar)
				var b bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
				zw.Write(goodTar)
				zw.Close()
				os.WriteFile(layerBlob(t, l, 0), b.Bytes(), 0o644)
				return "oci:" + l
			},
			check: func(t *testing.T, rep report.JSONReport) {
				want := []string{"etc/a", "etc/b"}
				if got := filePaths(rep.Layers[0]); !equalStrings(got, want) || rep.Image.SizeBytes != 150 {
					t.Errorf("paths %v, size %d; want %v and 150", got, rep.Image.SizeBytes, want)
				}
			},
		},
		{
			name: "garbage index.json",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				os.WriteFile(filepath.Join(l, "index.json"), []byte("\x00\x01garbage"), 0o644)
				return "oci:" + l
			},
			wantErr: "parsing index.json in oci:IMAGE: invalid image: invalid character",
		},
		{
			name: "entry name escaping the root",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile("a/../../etc/passwd", 4)))
			},
			wantErr: `reading layer 0 (…): entry "a/../../etc/passwd": escapes the root`,
		},
		{
			name: "PAX header with an absurd size record",
			make: func(t *testing.T, dir string) string {
				rec := it.PAXRecord("size", "99999999999999999999999")
				raw := append(it.RawHeader("PaxHeaders/x", tar.TypeXHeader, int64(len(rec))), it.PadBlock([]byte(rec))...)
				raw = append(raw, it.RawHeader("x", tar.TypeReg, 0)...)
				raw = append(raw, make([]byte, 1024)...)
				return "oci:" + ociLayout(t, dir, it.Gzip, raw)
			},
			wantErr: "reading layer 0 (…): reading tar: archive/tar: invalid tar header",
		},
		{
			name: "PAX header claiming gigabytes",
			make: func(t *testing.T, dir string) string {
				raw := append(it.RawHeader("PaxHeaders/x", tar.TypeXHeader, 8<<30), make([]byte, 2048)...)
				return "oci:" + ociLayout(t, dir, it.Gzip, raw)
			},
			wantErr: "reading layer 0 (…): reading tar: long-name and PAX records of one entry over 1 MiB, refused",
		},
		{
			name: "header claiming far more data than present",
			make: func(t *testing.T, dir string) string {
				raw := append(it.RawHeader("big", tar.TypeReg, 1<<30), make([]byte, 4096)...)
				return "oci:" + ociLayout(t, dir, it.Gzip, raw)
			},
			wantErr: "reading layer 0 (…): reading tar: unexpected EOF",
		},
		{
			name: "empty file",
			make: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "empty.tar")
				os.WriteFile(p, nil, 0o644)
				return p
			},
			wantErr: "opening IMAGE: reading tar IMAGE: invalid image: no members",
		},
		{
			name: "not an archive at all",
			make: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "notes.txt")
				os.WriteFile(p, []byte("hello\n"), 0o644)
				return p
			},
			wantErr: "opening IMAGE: reading tar IMAGE: not a tar archive",
		},
		{
			name: "absolute and ./-prefixed names are normalised",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile("/etc/a", 10), it.SizedFile("./etc/b", 20)), it.Tar(it.SizedFile("etc/a", 5)))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				want := []string{"etc/a", "etc/b"}
				if got := filePaths(rep.Layers[0]); !equalStrings(got, want) {
					t.Errorf("layer 0 paths %v, want %v", got, want)
				}
				if rep.Layers[1].Modified != 1 || rep.Image.WastedBytes != 10 {
					t.Errorf("modified %d wasted %d, want 1 and 10", rep.Layers[1].Modified, rep.Image.WastedBytes)
				}
			},
		},
		{
			name: "duplicate entries in one layer: last wins, earlier copy wasted",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile("bin/x", 70), it.SizedFile("bin/x", 30)))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Image.WastedBytes != 70 || rep.Image.FileCount != 1 || rep.Layers[0].Added != 1 {
					t.Errorf("wasted %d files %d added %d, want 70 1 1", rep.Image.WastedBytes, rep.Image.FileCount, rep.Layers[0].Added)
				}
			},
		},
		{
			name: "whiteout of a path that never existed is ignored",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, goodTar, it.Tar(it.Whiteout("nowhere/ghost"), it.Whiteout("etc/ghost")))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Layers[1].Removed != 0 || rep.Image.FileCount != 2 || rep.Image.WastedBytes != 0 {
					t.Errorf("removed %d files %d wasted %d, want 0 2 0", rep.Layers[1].Removed, rep.Image.FileCount, rep.Image.WastedBytes)
				}
			},
		},
		{
			name: "a name over 64 KiB",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile("d/"+strings.Repeat("n", 70000), 3)))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Image.FileCount != 1 || rep.Image.SizeBytes != 3 {
					t.Errorf("files %d size %d, want 1 and 3", rep.Image.FileCount, rep.Image.SizeBytes)
				}
			},
		},
		{
			name: "100,000-level-deep paths",
			make: func(t *testing.T, dir string) string {
				deep := strings.Repeat("d/", 100000)
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile(deep+"f", 9)), it.Tar(it.Whiteout("d")))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Layers[1].Removed != 1 || rep.Image.WastedBytes != 9 || rep.Image.FileCount != 0 {
					t.Errorf("removed %d wasted %d files %d, want 1 9 0", rep.Layers[1].Removed, rep.Image.WastedBytes, rep.Image.FileCount)
				}
			},
		},
		{
			name: "symlink loop",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.Symlink("a", "b"), it.Symlink("b", "a"), it.Symlink("self", "self")))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Image.FileCount != 3 || rep.Layers[0].Files == nil || (*rep.Layers[0].Files)[0].LinkTarget != "b" {
					t.Errorf("files %d, want 3 symlinks with targets", rep.Image.FileCount)
				}
			},
		},
		{
			name: "hardlink to a missing target",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.Hardlink("h", "missing/target"), it.SizedFile("x", 1)))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Image.FileCount != 2 || rep.Image.SizeBytes != 1 {
					t.Errorf("files %d size %d, want 2 and 1", rep.Image.FileCount, rep.Image.SizeBytes)
				}
			},
		},
		{
			name: "non-UTF-8 names are escaped and counted exactly",
			make: func(t *testing.T, dir string) string {
				var b bytes.Buffer
				tw := tar.NewWriter(&b)
				for _, n := range []string{"caf\xe9", "caf\xe9\xff", "ok"} {
					tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Size: 2, Mode: 0o644, Format: tar.FormatGNU})
					tw.Write([]byte("hi"))
				}
				tw.Close()
				return "oci:" + ociLayout(t, dir, it.Gzip, b.Bytes())
			},
			check: func(t *testing.T, rep report.JSONReport) {
				want := []string{`caf\xe9`, `caf\xe9\xff`, "ok"}
				if got := filePaths(rep.Layers[0]); !equalStrings(got, want) || rep.Image.FileCount != 3 {
					t.Errorf("paths %q (files %d), want %q", got, rep.Image.FileCount, want)
				}
			},
		},
		{
			name: "index.json that is a FIFO",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				fifoAt(t, filepath.Join(l, "index.json"))
				return "oci:" + l
			},
			wantErr: "reading oci layout IMAGE: IMAGE/index.json: a FIFO, not a regular file",
		},
		{
			name: "index.json linked to /dev/zero",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				linkAt(t, filepath.Join(l, "index.json"), "/dev/zero")
				return "oci:" + l
			},
			wantErr: "reading oci layout IMAGE: IMAGE/index.json: a device, not a regular file",
		},
		{
			name: "config blob that is a FIFO",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				fifoAt(t, blobOf(l, readManifest(t, l).Config.Digest))
				return "oci:" + l
			},
			wantErr: "reading config sha256:… in oci:IMAGE: blob sha256:…: a FIFO, not a regular file",
		},
		{
			name: "layer blob linked to /dev/zero",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				linkAt(t, layerBlob(t, l, 0), "/dev/zero")
				return "oci:" + l
			},
			wantErr: "layer 0 (sha256:…) in oci:IMAGE: blob sha256:…: a device, not a regular file",
		},
		{
			// A FIFO named as the archive is read as a pipe, as the user
			// asked (source/pipe_test.go); a device never ends.
			name: "oci-archive linked to /dev/zero",
			make: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "image.tar")
				linkAt(t, p, "/dev/zero")
				return "oci-archive:" + p
			},
			wantErr: "IMAGE: a device, not a regular file",
		},
		{
			name: "index naming itself, searched for an absent digest",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				selfListingIndex(t, l)
				return "oci:" + l + "@" + absentDigest
			},
			wantErr: "does not match its digest",
		},
		{
			name: "indexes 20 wide and 7 deep, searched for an absent digest",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				diamondIndexes(t, l, 7, 20)
				return "oci:" + l + "@" + absentDigest
			},
			wantErr: "finding " + absentDigest + " in oci:IMAGE: not found",
		},
		{
			name: "indexes 20 wide and 7 deep name one image once",
			make: func(t *testing.T, dir string) string {
				l := ociLayout(t, dir, it.Gzip, goodTar)
				diamondIndexes(t, l, 7, 20)
				return "oci:" + l
			},
			check: func(t *testing.T, rep report.JSONReport) {
				if rep.Image.FileCount != 2 || rep.Image.SizeBytes != 150 {
					t.Errorf("files %d size %d, want 2 and 150", rep.Image.FileCount, rep.Image.SizeBytes)
				}
			},
		},
		{
			name: "GNU long-name records of 1 MiB chained before one entry",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.LongNameChain(3, 1<<20))
			},
			wantErr: "reading layer 0 (…): reading tar: long-name and PAX records of one entry over 1 MiB, refused",
		},
		{
			name: "zstd frame declaring a 512 MiB window",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Uncompressed, it.ZstdRawFrame(goodTar, 29))
			},
			wantErr: "reading layer 0 (…): reading tar: zstd window over 32 MiB, refused",
		},
		{
			name: "sparse sizes that would wrap an int64",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.SparseSizes(4, 1<<62))
			},
			wantErr: "reading layer 0 (…): entry \"sparse0\": size 4611686018427387904 brings the layer's files past 1 PiB, not a plausible layer",
		},
		{
			name: "a file written over its directory, recreated, 2,000 rounds",
			make: func(t *testing.T, dir string) string {
				return "oci:" + ociLayout(t, dir, it.Gzip, it.OverDirRounds(2000))
			},
			check: func(t *testing.T, rep report.JSONReport) {
				// What is left is the last directory d, empty: every
				// file under it went with the first round.
				if rep.Image.FileCount != 0 || rep.Image.WastedBytes != 0 {
					t.Errorf("files %d, wasted %d; want 0 and 0", rep.Image.FileCount, rep.Image.WastedBytes)
				}
			},
		},
		hidingRounds("2,000 opaque whiteouts of one full directory", it.RepeatedOpaque),
		hidingRounds("2,000 whiteouts of one full directory", it.RepeatedWhiteouts),
	}
}

// hidingRounds is a layer that fills d with 2,000 files and then hides d
// 2,000 times (layer builds it), over a layer holding d/keep. The marker
// hides only what the layers below hold: the second layer's own files
// stay, the first layer's d/keep is removed.
func hidingRounds(name string, layer func(n int) []byte) corpusCase {
	return corpusCase{
		name: name,
		make: func(t *testing.T, dir string) string {
			return "oci:" + ociLayout(t, dir, it.Gzip, it.Tar(it.Dir("d/"), it.SizedFile("d/keep", 10)), layer(2000))
		},
		check: func(t *testing.T, rep report.JSONReport) {
			if rep.Image.FileCount != 2000 || rep.Layers[1].Removed != 1 {
				t.Errorf("files %d, removed %d; want 2000 and 1", rep.Image.FileCount, rep.Layers[1].Removed)
			}
		},
	}
}

// scrubPaths replaces, in an error line, the image the reference names
// with IMAGE and whatever else lies under dir with DIR/....
func scrubPaths(stderr, dir, ref string) string {
	p := ref
	for _, scheme := range []string{"oci:", "oci-archive:", "docker-archive:"} {
		if rest, ok := strings.CutPrefix(p, scheme); ok {
			p = rest
			break
		}
	}
	stderr = strings.ReplaceAll(stderr, p, "IMAGE")
	return strings.ReplaceAll(stderr, dir, "DIR")
}

// containsInOrder reports whether s contains pattern, where each … in
// pattern matches any text.
func containsInOrder(s, pattern string) bool {
	parts := strings.Split(pattern, "…")
	i := strings.Index(s, parts[0])
	if i < 0 {
		return false
	}
	s = s[i+len(parts[0]):]
	for _, p := range parts[1:] {
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

func filePaths(l report.JSONLayer) []string {
	var ps []string
	if l.Files != nil {
		for _, f := range *l.Files {
			ps = append(ps, f.Path)
		}
	}
	return ps
}

func TestHostileCorpus(t *testing.T) {
	cases := corpus()
	if len(cases) < 25 {
		t.Fatalf("the corpus has %d images; the issue asks for at least 25", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ref := tc.make(t, dir)
			r := run(t, dir, "--json", "-", "--files", ref)
			if tc.wantErr != "" {
				// Match what strata says, not where the test put the
				// image: a temporary directory's name (it holds the
				// test's name) or a file's could contain the phrase.
				r.stderr = scrubPaths(r.stderr, dir, ref)
				wantError(t, r, "")
				if !containsInOrder(r.stderr, tc.wantErr) {
					t.Errorf("stderr = %q, want it to contain %q", r.stderr, tc.wantErr)
				}
				return
			}
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want success", r.code, r.stderr)
			}
			var rep report.JSONReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("stdout is not JSON: %v", err)
			}
			tc.check(t, rep)
		})
	}
}
