package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
	imgcmp "github.com/strata-cli/strata/compare"
)

// TestComparePackages: the package diff of two builds is in the text
// report, the Markdown summary and the JSON; images without package
// databases print none of it.
func TestComparePackages(t *testing.T) {
	old, new := analysedResult(t), analysedResult(t)
	old.Packages = []analyze.Package{{Manager: "dpkg", Name: "libc6", Version: "2.36-9", SizeBytes: 12_000_000}, {Manager: "dpkg", Name: "wget", Version: "1.21", SizeBytes: 3_000_000}}
	new.Packages = []analyze.Package{{Manager: "dpkg", Name: "libc6", Version: "2.36-10", SizeBytes: 12_500_000}, {Manager: "dpkg", Name: "curl", Version: "8.5.0", SizeBytes: 1_000_000}}
	rep := imgcmp.Compare(old, new)

	var text bytes.Buffer
	if err := WriteCompare(&text, rep, CompareText{Top: 10}, 100, "verdict: ok"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Packages: 1 added, 1 removed, 1 upgraded", "-3.0 MB  removed   wget 1.21", "+1.0 MB  added     curl 8.5.0", "+500 kB  upgraded  libc6 2.36-9 -> 2.36-10"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := WriteCompareMarkdown(&md, CompareRun{Rep: rep, Verdict: "verdict: ok"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "### Packages") || !strings.Contains(md.String(), "| upgraded | `libc6` | 2.36-9 -\\> 2.36-10 |") {
		t.Errorf("Markdown lacks the package diff:\n%s", md.String())
	}
	raw, err := json.Marshal(NewJSONCompare(rep, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"packages":[{"manager":"dpkg","name":"wget","change":"removed"`) {
		t.Errorf("JSON lacks the package diff: %s", raw)
	}

	plain := imgcmp.Compare(analysedResult(t), analysedResult(t))
	text.Reset()
	if err := WriteCompare(&text, plain, CompareText{Top: 10}, 100, "verdict: ok"); err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(NewJSONCompare(plain, nil))
	if strings.Contains(text.String(), "Packages:") || strings.Contains(string(raw), `"packages"`) {
		t.Error("a comparison without package databases shows a package diff")
	}
}
