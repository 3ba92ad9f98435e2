package main

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

func analysed(t *testing.T, layers ...[]imagetest.Entry) *analyze.Result {
	t.Helper()
	var ls []v1.Layer
	for _, es := range layers {
		ls = append(ls, imagetest.MustLayer(t, imagetest.Tar(es...), imagetest.Gzip))
	}
	res, err := analyze.Analyze(context.Background(), imagetest.MustImage(t, ls, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMiddleFile(t *testing.T) {
	small := []imagetest.Entry{imagetest.SizedFile("small", 4096)}
	// Data offsets in the second layer's tar: d/a 1024, d/b 1025536,
	// d/empty 1030144, d/c 1030656; the tar's middle is 1027328, nearest
	// d/b (d/empty is nearer but has no content).
	big := []imagetest.Entry{
		imagetest.Dir("d/"),
		imagetest.SizedFile("d/a", 1000<<10),
		imagetest.SizedFile("d/b", 4<<10),
		imagetest.File("d/empty", ""),
		imagetest.SizedFile("d/c", 1000<<10),
	}
	got, err := middleFile(analysed(t, small, big))
	if err != nil {
		t.Fatal(err)
	}
	if got.layer != 1 || got.path != "d/b" || got.size != 4<<10 || got.index != 2 {
		t.Errorf("middleFile = layer %d entry %d %q (%d bytes), want layer 1 entry 2 d/b (4096 bytes)", got.layer, got.index, got.path, got.size)
	}

	if _, err := middleFile(analysed(t, []imagetest.Entry{imagetest.Dir("d/"), imagetest.File("d/empty", "")})); err == nil || !strings.Contains(err.Error(), "no regular file") {
		t.Errorf("a layer of a directory and an empty file: err = %v, want one naming no regular file", err)
	}
}

// TestBenchRegistry runs the whole measurement against Debian's
// docker-registry: the ranged read must fetch one span, well under what
// streaming the layer up to the file fetches.
func TestBenchRegistry(t *testing.T) {
	addr := registrytest.Distribution(t)
	// Incompressible content, so that the gzip checkpoints fall every
	// 4 MiB of tar (a compressible stream gets them further apart).
	rng := rand.New(rand.NewPCG(1, 2))
	var es []imagetest.Entry
	for i := range 64 {
		b := make([]byte, 512<<10)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		es = append(es, imagetest.Entry{Name: "f/" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Body: b})
	}
	img := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(es...), imagetest.Gzip)}, nil, nil)
	archive := filepath.Join(t.TempDir(), "mid.tar")
	if err := imagetest.WriteDockerArchive(archive, img, "bench/mid:1"); err != nil {
		t.Fatal(err)
	}
	r, err := bench(context.Background(), archive, addr, filepath.Join(t.TempDir(), "cache"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.file.size != 512<<10 || r.file.layer != 0 {
		t.Errorf("picked layer %d %s (%d bytes), want a 512 KiB file of layer 0", r.file.layer, r.file.path, r.file.size)
	}
	if r.ranged.requests != 1 || r.ranged.bytes < r.file.size || r.ranged.bytes > r.streamed.bytes*3/4 {
		t.Errorf("by range: %d bytes in %d requests; whole stream: %d bytes; want one request of at least the file's %d bytes, well under the stream's",
			r.ranged.bytes, r.ranged.requests, r.streamed.bytes, r.file.size)
	}
	if r.cold.bytes < r.streamed.bytes {
		t.Errorf("cold analysis fetched %d bytes, less than the stream up to the middle file (%d)", r.cold.bytes, r.streamed.bytes)
	}
}
