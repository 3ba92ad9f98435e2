package analyze_test

import (
	"context"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func TestSteps(t *testing.T) {
	layer := func(name string) v1.Layer { return it.MustLayer(t, it.Tar(it.SizedFile(name, 10)), it.Gzip) }
	tests := []struct {
		name    string
		layers  int
		history []v1.History
		want    []analyze.Step
	}{
		{
			name:   "empty steps between layers",
			layers: 2,
			history: []v1.History{
				{CreatedBy: `/bin/sh -c #(nop)  ARG V`, EmptyLayer: true},
				{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "},
				{CreatedBy: `/bin/sh -c #(nop)  ENV A=1`, EmptyLayer: true, Comment: "env"},
				{CreatedBy: "RUN /bin/sh -c make # buildkit"},
			},
			want: []analyze.Step{
				{History: 0, Layer: -1, Top: -1, CreatedBy: `/bin/sh -c #(nop)  ARG V`, Instruction: "ARG V"},
				{History: 1, Layer: 0, Top: 0, CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / ", Instruction: "ADD file:abc in /"},
				{History: 2, Layer: -1, Top: 0, CreatedBy: `/bin/sh -c #(nop)  ENV A=1`, Instruction: "ENV A=1", Comment: "env"},
				{History: 3, Layer: 1, Top: 1, CreatedBy: "RUN /bin/sh -c make # buildkit", Instruction: "RUN make"},
			},
		},
		{
			name:    "fewer history steps than layers",
			layers:  3,
			history: []v1.History{{CreatedBy: "COPY a /a # buildkit"}},
			want: []analyze.Step{
				{History: 0, Layer: 0, Top: 0, CreatedBy: "COPY a /a # buildkit", Instruction: "COPY a /a"},
				{History: -1, Layer: 1, Top: 1},
				{History: -1, Layer: 2, Top: 2},
			},
		},
		{
			name:   "a container's writable layer",
			layers: 2,
			history: []v1.History{
				{CreatedBy: "COPY a /a # buildkit"},
				{CreatedBy: "container web (writable layer)", Comment: "strata: container 0123abcd"},
			},
			want: []analyze.Step{
				{History: 0, Layer: 0, Top: 0, CreatedBy: "COPY a /a # buildkit", Instruction: "COPY a /a"},
				{History: 1, Layer: 1, Top: 1, CreatedBy: "container web (writable layer)", Instruction: "container web (writable layer)",
					Comment: "strata: container 0123abcd", Writable: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ls []v1.Layer
			for i := range tt.layers {
				ls = append(ls, layer(string(rune('a'+i))))
			}
			var plan *analyze.Plan
			res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, tt.history, nil), analyze.Options{
				Progress: func(p analyze.Progress) {
					if p.Plan != nil {
						plan = p.Plan
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tt.want {
				if w.History < 0 {
					// A layer no step claims is named by its own command.
					tt.want[i].CreatedBy = res.Layers[w.Layer].Command
					tt.want[i].Instruction = analyze.Instruction(res.Layers[w.Layer].Command)
				}
			}
			if got := res.Steps(); !slices.Equal(got, tt.want) {
				t.Errorf("Result.Steps() =\n%+v\nwant\n%+v", got, tt.want)
			}
			var all []analyze.Step
			for s := range res.AllSteps() {
				all = append(all, s)
			}
			if !slices.Equal(all, tt.want) {
				t.Errorf("Result.AllSteps() =\n%+v\nwant\n%+v", all, tt.want)
			}
			for s := range res.AllSteps() {
				if s != tt.want[0] {
					t.Errorf("first of AllSteps = %+v, want %+v", s, tt.want[0])
				}
				break // an early stop must not call yield again (range panics if it does)
			}
			if plan == nil {
				t.Fatal("no plan reported")
			}
			if got := plan.Steps(); !slices.Equal(got, tt.want) {
				t.Errorf("Plan.Steps() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
