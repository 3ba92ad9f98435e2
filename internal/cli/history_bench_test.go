package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/dockertest"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/source"
)

// BenchmarkTimeToHistory pipes a Docker 25 save of eight 16 MiB layers
// into a session, as `docker save app | strata -` does, and reports how
// long the explorer waits for the history: "spotted" when the config is
// recognised in the stream (before manifest.json, the last member), and
// "plan" when the analysis reports it, after the whole save is spooled
// and indexed (all there was before). A save lists its members by name,
// so its config comes before or after the layers depending on its
// digest: both cases are measured, and the same save read in place as a
// file.
//
//	go test ./internal/cli -run '^$' -bench TimeToHistory -benchtime 5x
func BenchmarkTimeToHistory(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{7})
	var layers []v1.Layer
	var hist []v1.History
	for i := range 8 {
		body := make([]byte, 16<<20)
		rng.Read(body)
		layers = append(layers, it.MustLayer(b, it.Tar(it.File(fmt.Sprintf("data/%d.bin", i), string(body))), it.Uncompressed))
		hist = append(hist, v1.History{CreatedBy: fmt.Sprintf("RUN make part %d", i)})
	}
	img := it.MustImage(b, layers, hist, nil)
	p := filepath.Join(b.TempDir(), "save.tar")
	if err := it.WriteDocker25Archive(p, img, "example.com/app:1.0"); err != nil {
		b.Fatal(err)
	}
	last, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	cfgName, _ := img.ConfigName()
	first, err := it.MoveFirst(last, cfgName.Hex)
	if err != nil {
		b.Fatal(err)
	}
	// Read in place, a file needs no spotting: its index is a seek per
	// member, so the plan comes at once, wherever manifest.json is.
	b.Run("file", func(b *testing.B) {
		var planned time.Duration
		for b.Loop() {
			var plan time.Duration
			start := time.Now()
			s := newSession(loadOptions{})
			s.opts.obs = observers{layer: func(p analyze.Progress) {
				if p.Plan != nil {
					plan = time.Since(start)
				}
			}}
			if _, err := s.open(context.Background(), p); err != nil {
				b.Fatal(err)
			}
			s.close()
			planned += plan
		}
		b.ReportMetric(planned.Seconds()*1000/float64(b.N), "ms-plan/op")
	})
	for _, bc := range []struct {
		name    string
		archive []byte
	}{{"config-first", first}, {"config-last", last}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.archive)))
			var spotted, planned time.Duration
			for b.Loop() {
				var mu sync.Mutex
				var early, plan time.Duration
				start := time.Now()
				s := newSession(loadOptions{stdin: bytes.NewReader(bc.archive)})
				s.opts.obs = observers{
					plan: func(*analyze.Plan) { mu.Lock(); early = time.Since(start); mu.Unlock() },
					layer: func(p analyze.Progress) {
						if p.Plan != nil {
							mu.Lock()
							plan = time.Since(start)
							mu.Unlock()
						}
					},
				}
				if _, err := s.open(context.Background(), "-"); err != nil {
					b.Fatal(err)
				}
				s.close()
				if early == 0 || plan == 0 {
					b.Fatalf("history spotted after %v, planned after %v", early, plan)
				}
				spotted += early
				planned += plan
			}
			b.ReportMetric(spotted.Seconds()*1000/float64(b.N), "ms-spotted/op")
			b.ReportMetric(planned.Seconds()*1000/float64(b.N), "ms-plan/op")
		})
	}
}

// TestSessionReportsSpottedHistory: a save piped into the explorer's
// session gives its history (from the config spotted in the stream)
// before the analysis' own plan, and the same steps.
func TestSessionReportsSpottedHistory(t *testing.T) {
	layer := it.MustLayer(t, it.Tar(it.File("etc/motd", "hi")), it.Uncompressed)
	img := it.MustImage(t, []v1.Layer{layer}, []v1.History{{CreatedBy: "COPY motd /etc/"}, {CreatedBy: "CMD sh", EmptyLayer: true}}, nil)
	p := filepath.Join(t.TempDir(), "save.tar")
	if err := it.WriteDocker25Archive(p, img, "app:1"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var spotted *analyze.Plan
	s := newSession(loadOptions{stdin: bytes.NewReader(b)})
	s.opts.obs = observers{
		plan: func(p *analyze.Plan) { order, spotted = append(order, "spotted"), p },
		layer: func(p analyze.Progress) {
			if p.Plan != nil {
				order = append(order, "plan")
			}
		},
	}
	res, err := s.open(context.Background(), "-")
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if len(order) != 2 || order[0] != "spotted" || order[1] != "plan" {
		t.Fatalf("reports %v, want spotted then plan", order)
	}
	if len(spotted.History) != 2 || spotted.History[0].CreatedBy != res.History[0].CreatedBy || spotted.Layers[0].DiffID != res.Layers[0].DiffID {
		t.Errorf("spotted plan %+v, want the history of %+v", spotted.History, res.History)
	}
}

// TestDaemonSaveReportsSpottedHistory: the save of a real Docker daemon
// gives its history from the config spotted in the stream, the same
// steps the analysis finds.
func TestDaemonSaveReportsSpottedHistory(t *testing.T) {
	dockertest.Require(t)
	tag := "strata-test/spotted-history:1"
	dockertest.Build(t, tag, dockertest.Dockerfile(t, "echo one > /one", "echo two > /two"))
	var spotted *analyze.Plan
	var origin source.Origin
	s := newSession(loadOptions{})
	s.opts.obs = observers{plan: func(p *analyze.Plan) { spotted = p }, used: func(o source.Origin) { origin = o }}
	res, err := s.open(context.Background(), "docker://"+tag)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if spotted == nil {
		t.Fatalf("no history spotted in the save (read from %+v)", origin)
	}
	if len(spotted.History) != len(res.History) || len(spotted.Layers) != len(res.Layers) {
		t.Fatalf("spotted %d steps and %d layers, the analysis %d and %d", len(spotted.History), len(spotted.Layers), len(res.History), len(res.Layers))
	}
	for i, h := range res.History {
		if spotted.History[i].CreatedBy != h.CreatedBy {
			t.Errorf("step %d: spotted %q, want %q", i, spotted.History[i].CreatedBy, h.CreatedBy)
		}
	}
}
