package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	imgcmp "github.com/strata-cli/strata/compare"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// analyseImage analyses img as the CLI does.
func analyseImage(t *testing.T, img v1.Image, ref string) *analyze.Result {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// dpkgCompare compares the two builds of imagetest.DpkgPair.
func dpkgCompare(t *testing.T) CompareRun {
	t.Helper()
	oldImg, newImg := it.DpkgPair(t)
	rep := imgcmp.Compare(analyseImage(t, oldImg, "app:old"), analyseImage(t, newImg, "app:new"))
	if len(rep.Packages) != 3 {
		t.Fatalf("package diff of the fixture: %+v, want wget, curl and libc6", rep.Packages)
	}
	return CompareRun{Rep: rep, Limits: CompareLimits(rep, imgcmp.Limits{}, nil), Verdict: "verdict: ok"}
}

// TestComparePackagesJUnit: the package diff of two real dpkg images is a
// passing testcase "packages" whose system-out lists every change, largest
// first, in the text report's wording; without a diff there is none.
func TestComparePackagesJUnit(t *testing.T) {
	c := dpkgCompare(t)
	var out bytes.Buffer
	if err := WriteCompareJUnit(&out, c); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
			Cases []struct {
				Name      string    `xml:"name,attr"`
				Failure   *struct{} `xml:"failure"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, out.String())
	}
	s := doc.Suites[0]
	if s.Tests != 4 || len(s.Cases) != 4 || s.Cases[3].Name != "packages" || s.Cases[3].Failure != nil {
		t.Fatalf("want the three limits then a passing packages testcase, got %+v", s)
	}
	want := "Packages: 1 added, 1 removed, 1 upgraded\n" +
		"  -3.0 kB  removed   wget 1.21\n" +
		"  +1.0 kB  added     curl 8.5.0\n" +
		"   +500 B  upgraded  libc6 2.36-9 -> 2.36-10\n"
	if got := s.Cases[3].SystemOut; got != want {
		t.Errorf("system-out:\n%s\nwant:\n%s", got, want)
	}
	var text bytes.Buffer
	if err := WriteCompare(&text, c.Rep, CompareText{Top: 10}, 100, c.Verdict); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(text.String(), line) {
			t.Errorf("the text report words %q otherwise:\n%s", line, text.String())
		}
	}

	plain := imgcmp.Compare(analysedResult(t), analysedResult(t))
	out.Reset()
	if err := WriteCompareJUnit(&out, CompareRun{Rep: plain, Limits: CompareLimits(plain, imgcmp.Limits{}, nil)}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), `name="packages"`) {
		t.Errorf("a comparison without packages has a packages testcase:\n%s", out.String())
	}
}

// TestComparePackagesGitHub: one ::notice names the largest package
// changes, whatever the verdict, before the verdict line.
func TestComparePackagesGitHub(t *testing.T) {
	c := dpkgCompare(t)
	for _, reasons := range [][]string{nil, {imgcmp.ReasonSize}} {
		c.Reasons = reasons
		var out bytes.Buffer
		if err := WriteCompareGitHub(&out, c); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		want := "::notice title=strata compare%3A packages::Packages: 1 added, 1 removed, 1 upgraded; largest: " +
			"wget removed 1.21 (-3.0 kB), curl added 8.5.0 (+1.0 kB), libc6 upgraded 2.36-9 -> 2.36-10 (+500 B)"
		if len(lines) < 2 || lines[len(lines)-2] != want || lines[len(lines)-1] != c.Verdict {
			t.Errorf("reasons %v: output\n%s\nwant its last lines to be\n%s\n%s", reasons, out.String(), want, c.Verdict)
		}
	}
	rep := c.Rep
	rep.Packages = append(rep.Packages, rep.Packages...)
	var out bytes.Buffer
	if err := WriteCompareGitHub(&out, CompareRun{Rep: rep, Verdict: "verdict: ok"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(+500 B) and 3 more\n") {
		t.Errorf("six changes: the notice does not say how many it left out:\n%s", out.String())
	}
}
