package rules

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParsePathRules(t *testing.T) {
	doc := `rules:
  highest-image-size: 500MB
  highest-layer-size: 200MiB
  block:
    - "**/.git/**"
    - /root/.ssh/**
  deny-waste: var/lib/apt/lists/**
`
	o, err := ParseFile("ci.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r := o.Apply(Defaults())
	if l := r[HighestImageSize]; !l.Enabled || l.Bytes != 500_000_000 {
		t.Errorf("highest-image-size = %+v", l)
	}
	if l := r[HighestLayerSize]; !l.Enabled || l.Bytes != 200<<20 {
		t.Errorf("highest-layer-size = %+v", l)
	}
	if l := r[Block]; !reflect.DeepEqual(l.Globs, []string{"**/.git/**", "/root/.ssh/**"}) {
		t.Errorf("block = %+v", l)
	}
	if l := r[DenyWaste]; !reflect.DeepEqual(l.Globs, []string{"var/lib/apt/lists/**"}) {
		t.Errorf("deny-waste = %+v", l)
	}
	for _, bad := range []struct{ yaml, want string }{
		{"rules:\n  block: [\"[\"]\n", `ci.yaml:2: block: line 2: invalid glob "[": syntax error in pattern`},
		{"rules:\n  block: {a: b}\n", "want a list of globs"},
		{"rules:\n  block:\n    - [x]\n", "want a glob"},
		{"rules:\n  highest-layer-size: [1MB]\n", "want a single value"},
		{"rules:\n  blocks: [x]\n", `unknown rule "blocks" (want one of lowest-efficiency, highest-wasted-bytes, highest-user-wasted-percent, highest-image-size, highest-layer-size, block, deny-waste, secrets, allow)`},
	} {
		if _, err := ParseFile("ci.yaml", []byte(bad.yaml)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error = %v, want %q", bad.yaml, err, bad.want)
		}
	}
}

// BenchmarkRulesFileGlobs: a rules file's block list costs in proportion
// to its length (each glob was once copied with all those before it).
func BenchmarkRulesFileGlobs(b *testing.B) {
	for _, n := range []int{20000, 40000} {
		var doc strings.Builder
		doc.WriteString("rules:\n  block:\n")
		for i := range n {
			fmt.Fprintf(&doc, "    - \"**/secret-%d.key\"\n", i)
		}
		data := []byte(doc.String())
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseFile("ci.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/glob")
		})
	}
}
