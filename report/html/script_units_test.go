package html

import (
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/units"
)

// TestScriptUnits runs the page's fmtBytes and pct (the units:begin block
// of report.js) under node and checks that they print what internal/units
// prints, so that the page and the reports agree on every size.
func TestScriptUnits(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	_, block, ok := strings.Cut(reportJS, "// units:begin")
	block, _, ok2 := strings.Cut(block, "// units:end")
	if !ok || !ok2 {
		t.Fatal("report.js has no units:begin ... units:end block")
	}
	sizes := []int64{0, 1, 9, 10, 999, 1000, 1049, 1050, 5_098, 9_949, 9_950, 29_184, 999_499, 999_500,
		9_950_000, 10_500_000, 11_450_000, 41_000_000, 999_999_999, 2_711_000_000, 1 << 40, 1 << 52, -1_500_000}
	for n := int64(7); n < 1<<50; n = n*13 + 7 {
		sizes = append(sizes, n)
	}
	shares := []float64{0, 1, 0.85, 0.6871, 0.7587289132993331, 0.3973509933774834, 0.0391, -0.0525, -0.00001, 0.99999}
	in, _ := json.Marshal(map[string]any{"sizes": sizes, "shares": shares})
	script := "//" + block + `
const input = ` + string(in) + `;
console.log(JSON.stringify({sizes: input.sizes.map(fmtBytes), shares: input.shares.map(pct)}));
`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "-e", script).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var got struct{ Sizes, Shares []string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if len(got.Sizes) != len(sizes) || len(got.Shares) != len(shares) {
		t.Fatalf("node printed %d sizes and %d shares, want %d and %d", len(got.Sizes), len(got.Shares), len(sizes), len(shares))
	}
	for i, n := range sizes {
		if n > math.MaxInt64>>10 {
			continue
		}
		if want := units.Bytes(n); got.Sizes[i] != want {
			t.Errorf("fmtBytes(%d) = %q, units.Bytes = %q", n, got.Sizes[i], want)
		}
	}
	for i, f := range shares {
		if want := units.Percent(f); got.Shares[i] != want {
			t.Errorf("pct(%v) = %q, units.Percent = %q", f, got.Shares[i], want)
		}
	}
}
