package analyze_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// textLayer is a gzip layer of n source-like text files of size bytes
// under dir: what the secret scan reads (small, text, outside package
// trees), unlike the empty files of BenchmarkManyFiles.
func textLayer(b *testing.B, dir string, n, size int) v1.Layer {
	// Words with the bytes signatures are found from ('-', '_', "IA"),
	// at about the rate of real source and config files.
	words := strings.Fields("func return if else for range var const type struct import package err nil " +
		"value key name path layer image token config string int byte error map slice make append len " +
		"file_name --verbose x-forwarded-for MEDIA_TYPE // -> a-b snake_case")
	r := rand.New(rand.NewPCG(1, uint64(len(dir))))
	var entries []it.Entry
	for i := range n {
		var sb strings.Builder
		for sb.Len() < size {
			sb.WriteString(words[r.IntN(len(words))])
			if r.IntN(8) == 0 {
				sb.WriteString("\n\t")
			} else {
				sb.WriteByte(' ')
			}
		}
		entries = append(entries, it.File(fmt.Sprintf("%s/pkg%03d/file%05d.go", dir, i/100, i), sb.String()[:size]))
	}
	return it.MustLayer(b, it.Tar(entries...), it.Gzip)
}

// BenchmarkTextFiles: two gzip layers of 4,000 text files of 8 KiB each
// (64 MiB), read with verification on, as a cold run reads them.
func BenchmarkTextFiles(b *testing.B) {
	img := it.MustImage(b, []v1.Layer{textLayer(b, "app/src", 4000, 8<<10), textLayer(b, "srv/www", 4000, 8<<10)}, nil, nil)
	benchAnalyzeImage(b, img, 8000)
}

// benchAnalyzeImage times cold analyses of img with default options.
func benchAnalyzeImage(b *testing.B, img analyze.Image, entries int) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analyze.Analyze(context.Background(), img, analyze.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(entries), "ns/entry")
}
