package analyze_test

import (
	"context"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// BenchmarkHostileGrowth analyses each hostile layer shape of issue 21 at
// N and 2N entries and reports how much more the doubled input costs
// (growth: 2.0 is linear, 4.0 quadratic; the target is under 2.5), with
// the time at each size. The two sizes are timed back to back within an
// iteration and the median ratio kept, so machine noise cancels.
//
//	go test ./analyze -run '^$' -bench HostileGrowth -benchtime 5x
func BenchmarkHostileGrowth(b *testing.B) {
	const n = 10_000
	shapes := []struct {
		name  string
		layer func(n int) []byte
		below bool // put a full d/ in a layer underneath
	}{
		{"file-over-dir-rounds", it.OverDirRounds, false},
		{"repeated-opaque", it.RepeatedOpaque, true},
		{"repeated-whiteouts", it.RepeatedWhiteouts, true},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			img := func(n int) v1.Image {
				var ls []v1.Layer
				if sh.below {
					ls = append(ls, it.MustLayer(b, it.RepeatedWhiteouts(0), it.Uncompressed))
				}
				return it.MustImage(b, append(ls, it.MustLayer(b, sh.layer(n), it.Uncompressed)), nil, nil)
			}
			small, big := img(n), img(2*n)
			timeOf := func(im v1.Image) time.Duration {
				start := time.Now()
				if _, err := analyze.Analyze(context.Background(), im, analyze.Options{NoVerify: true}); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			var ratios []float64
			var tn, t2n time.Duration
			for b.Loop() {
				tn, t2n = timeOf(small), timeOf(big)
				ratios = append(ratios, float64(t2n)/float64(tn))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "growth")
			b.ReportMetric(float64(tn.Milliseconds()), "ms@N")
			b.ReportMetric(float64(t2n.Milliseconds()), "ms@2N")
		})
	}
}
