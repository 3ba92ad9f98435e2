package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// longHistorySteps is the history of BenchmarkLongHistory: a fifth of
// bench/gen's longhistory image, whose peak RSS the README gives.
const longHistorySteps = 200_000

// BenchmarkLongHistory runs the whole command, from opening a Docker 25
// archive to the last byte of output, on an image of two small layers and
// longHistorySteps empty steps, and reports the peak of the Go heap
// (sampled every millisecond) per step of history: issue 22 wants a long
// history held once, not once per package it passes through.
//
//	go test ./internal/cli -run XXX -bench LongHistory -benchtime 3x
func BenchmarkLongHistory(b *testing.B) {
	dir := b.TempDir()
	archive := filepath.Join(dir, "long.tar")
	writeLongHistory(b, archive)
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"text", nil},
		{"json", []string{"--json", filepath.Join(dir, "out.json")}},
		{"ci", []string{"--ci"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				e := processEnv()
				e.stdout, e.stderr = io.Discard, io.Discard
				e.termWidth = func() (int, bool) { return 0, false }
				e.stderrTTY, e.explore, e.interactive = nil, nil, nil
				e.getenv = func(k string) string {
					if k == "STRATA_CACHE_DIR" {
						return filepath.Join(dir, "cache")
					}
					return ""
				}
				cmd := newRootCmd(e)
				cmd.SetArgs(append([]string{"--no-cache", archive}, bc.args...))
				err := cmd.ExecuteContext(context.Background())
				stop()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/longHistorySteps, "peak-heap-B/step")
		})
	}
}

// writeLongHistory writes the benchmark's image: a layer, half the empty
// steps, another layer, the other half, each step's command distinct.
func writeLongHistory(b *testing.B, path string) {
	l1 := it.MustLayer(b, it.Tar(it.SizedFile("bin/app", 1000)), it.Gzip)
	l2 := it.MustLayer(b, it.Tar(it.SizedFile("etc/app.conf", 100)), it.Gzip)
	hist := make([]v1.History, 0, longHistorySteps+2)
	hist = append(hist, v1.History{CreatedBy: "COPY app /bin/app # buildkit", Created: v1.Time{Time: it.Epoch}})
	for i := range longHistorySteps {
		if i == longHistorySteps/2 {
			hist = append(hist, v1.History{CreatedBy: "COPY app.conf /etc/ # buildkit", Created: v1.Time{Time: it.Epoch}})
		}
		hist = append(hist, v1.History{CreatedBy: fmt.Sprintf("ENV S%d=1", i), EmptyLayer: true})
	}
	img := it.MustImage(b, []v1.Layer{l1, l2}, hist, nil)
	if err := it.WriteDocker25Archive(path, img, "long:1"); err != nil {
		b.Fatal(err)
	}
}

// sampleHeap records the largest heap seen into peak until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
