package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/units"
)

// packagedResult analyses a dpkg image: a base layer of n packages, pkgN
// holding N*1000 bytes, and a layer that upgrades pkg1 and adds a file no
// package owns.
func packagedResult(t *testing.T, n int) *analyze.Result {
	t.Helper()
	var base []it.Entry
	var status strings.Builder
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("pkg%d", i)
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\n", name)
		base = append(base, it.File("var/lib/dpkg/info/"+name+".list", "/usr/lib/"+name+"\n"), it.SizedFile("usr/lib/"+name, int64(i*1000)))
	}
	base = append(base, it.File("var/lib/dpkg/status", status.String()))
	upgraded := strings.Replace(status.String(), "Package: pkg1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0",
		"Package: pkg1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.0", 1)
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(base...), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("var/lib/dpkg/status", upgraded), it.File("var/lib/dpkg/info/pkg1.list", "/usr/lib/pkg1\n"),
			it.SizedFile("usr/lib/pkg1", 1500), it.SizedFile("app/venv/lib/torch.so", 99)), it.Gzip),
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{Reference: "pkgs"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestJSONPackages(t *testing.T) {
	res := packagedResult(t, 3)
	var b bytes.Buffer
	if err := WriteJSONReport(context.Background(), &b, res, JSONReportOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Layers []struct {
			PackagedBytes, UnpackagedBytes, SizeBytes int64
			Packages                                  []map[string]any
		}
		Packages []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Packages) != 3 || doc.Packages[0]["name"] != "pkg3" || doc.Packages[2]["name"] != "pkg1" ||
		doc.Packages[2]["sizeBytes"] != float64(1500) || doc.Packages[2]["layer"] != float64(1) {
		t.Errorf("image packages %v, want pkg3, pkg2, then pkg1 at 1500 bytes from layer 1", doc.Packages)
	}
	for _, p := range doc.Packages {
		if got := keysOf(t, p); !equalKeys(got, "manager", "name", "version", "architecture", "sizeBytes", "fileCount", "layer") {
			t.Errorf("image package keys %v", got)
		}
	}
	l := doc.Layers[1]
	if len(l.Packages) != 1 || l.Packages[0]["change"] != "upgraded" || l.Packages[0]["previousVersion"] != "1.0" ||
		l.Packages[0]["version"] != "2.0" || l.Packages[0]["sizeBytes"] != float64(1500) {
		t.Errorf("layer 1 packages %v, want pkg1 upgraded 1.0 -> 2.0 with 1500 bytes", l.Packages)
	}
	if l.PackagedBytes != 1500 || l.PackagedBytes+l.UnpackagedBytes != l.SizeBytes {
		t.Errorf("layer 1: packaged %d + unpackaged %d, size %d", l.PackagedBytes, l.UnpackagedBytes, l.SizeBytes)
	}
	if got := keysOf(t, doc.Layers[0].Packages[0]); !equalKeys(got, "manager", "name", "version", "architecture", "change", "sizeBytes", "fileCount") {
		t.Errorf("layer package keys %v (previousVersion only for an upgrade)", got)
	}
}

func equalKeys(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(sorted(want...), ",")
}

func TestReportLargestPackages(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReport(&b, packagedResult(t, 12), ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(b.String(), "\nLargest packages:\n")
	if !ok {
		t.Fatalf("no packages section:\n%s", b.String())
	}
	sec, _, _ = strings.Cut(sec, "\n\n")
	lines := strings.Split(strings.TrimSuffix(sec, "\n"), "\n")
	// A heading, ten packages, and the rest counted.
	if len(lines) != 12 || !strings.Contains(lines[1], "pkg12 1.0 (dpkg)") || !strings.Contains(lines[1], units.Bytes(12000)) ||
		lines[11] != "  ... and 2 more (see --json)" {
		t.Errorf("packages section:\n%s", sec)
	}
	b.Reset()
	if err := WriteReport(&b, it.SampleResult(), ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Largest packages") {
		t.Error("a result without packages has a packages section")
	}
}

// TestReportPackagesByLayer: each layer that changed packages says what
// its packages hold and what no package owns, naming its largest ones;
// the upgrade shows both versions.
func TestReportPackagesByLayer(t *testing.T) {
	res := packagedResult(t, 5)
	var b bytes.Buffer
	if err := WriteReport(&b, res, ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(b.String(), "\nPackages by layer:\n")
	if !ok {
		t.Fatalf("no per-layer section:\n%s", b.String())
	}
	sec, _, _ = strings.Cut(sec, "\n\n")
	l1 := res.Layers[1]
	for _, want := range []string{
		fmt.Sprintf("  layer 0: %s in 5 packages, %s unpackaged", units.Bytes(res.Layers[0].PackagedBytes), units.Bytes(res.Layers[0].UnpackagedBytes)),
		"    ... and 2 more",
		fmt.Sprintf("  layer 1: %s in 1 package, %s unpackaged", units.Bytes(l1.PackagedBytes), units.Bytes(l1.UnpackagedBytes)),
		"upgraded     pkg1 1.0 -> 2.0",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("per-layer section lacks %q:\n%s", want, sec)
		}
	}
	b.Reset()
	if err := WriteReport(&b, it.SampleResult(), ReportOptions{Width: DefaultReportWidth, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Packages by layer") {
		t.Error("a result without packages has a per-layer packages section")
	}
}
