package rules

import (
	"context"
	"slices"
	"testing"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestOutcomeLayers: a failed path or layer rule lists the layers that
// hold what it found, so that a format can point at the steps that made
// them. The tiny image stores /etc/passwd in layers 0 and 2 (the final
// copy is 2's), the apk index in 1 (hidden by 2), config.yaml in 3; its
// layers 0 to 3 are over 300 bytes, layer 4 (an opaque directory) is not.
func TestOutcomeLayers(t *testing.T) {
	img, err := it.Tiny()
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rule int
		l    Limit
		want []int
	}{
		{"block: the layers of the visible copies", Block, Limit{Enabled: true, Globs: []string{"etc/passwd", "app/config.yaml"}}, []int{2, 3}},
		{"deny-waste: the layers that stored hidden copies", DenyWaste, Limit{Enabled: true, Globs: []string{"var/cache/**", "etc/passwd"}}, []int{0, 1}},
		{"highest-layer-size: every layer over the limit", HighestLayerSize, Limit{Enabled: true, Bytes: 300}, layersOver(t, res, 300)},
		{"a rule that passes names none", Block, Limit{Enabled: true, Globs: []string{"nothing/here"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var set Set
			set[tt.rule] = tt.l
			name := Specs()[tt.rule].Name
			for _, o := range Evaluate(res, set) {
				if o.Rule != name {
					continue
				}
				if !slices.Equal(o.Layers, tt.want) {
					t.Errorf("%s (%s): layers %v, want %v", o.Rule, o.Detail, o.Layers, tt.want)
				}
				return
			}
			t.Fatalf("no %s outcome", name)
		})
	}
}

func layersOver(t *testing.T, res *analyze.Result, n int64) []int {
	t.Helper()
	var out []int
	for _, l := range res.Layers {
		if l.SizeBytes > n {
			out = append(out, l.Index)
		}
	}
	if len(out) == 0 || len(out) == len(res.Layers) {
		t.Fatalf("a limit of %d bytes splits no layers: the test would check nothing", n)
	}
	return out
}
