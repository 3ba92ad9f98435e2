package html

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/imagetest"
)

func render(t testing.TB, res *analyze.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// embeddedData returns the JSON document the page carries.
func embeddedData(t *testing.T, page []byte) []byte {
	t.Helper()
	const open = `<script type="application/json" id="strata-data">`
	_, rest, ok := bytes.Cut(page, []byte(open))
	if !ok {
		t.Fatalf("page has no %s", open)
	}
	raw, _, ok := bytes.Cut(rest, []byte("</script>"))
	if !ok {
		t.Fatal("data script is not closed")
	}
	return raw
}

// urlAttr finds attributes that make a browser fetch or follow something.
var urlAttr = regexp.MustCompile(`(?i)\b(src|href|xlink:href|action|srcset|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)

func TestPageSelfContained(t *testing.T) {
	page := render(t, tinyResult(t))
	for _, m := range urlAttr.FindAllSubmatch(page, -1) {
		v := strings.ToLower(strings.Trim(string(m[2]), `"'`))
		if strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//") {
			t.Errorf("page loads %s from the network: %s", m[1], m[0])
		}
	}
	// Nothing at all points at the network: no URL in the style, script or
	// data of the tiny image's report.
	for _, bad := range []string{"http://", "https://", "<link", "@import", "<iframe", "<img"} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("page contains %q", bad)
		}
	}
	if n := bytes.Count(page, []byte("<script")); n != 2 {
		t.Errorf("page has %d script elements, want 2 (the data and the code)", n)
	}
	if !bytes.Contains(page, []byte(`Content-Security-Policy" content="default-src 'none'`)) {
		t.Error("page does not forbid network loads with a Content-Security-Policy")
	}
}

// TestPageDataRoundTrip checks that the page carries exactly Data's
// document, and that names able to end a script element or open a
// comment are escaped in it.
func TestPageDataRoundTrip(t *testing.T) {
	hostile := []string{"</script><script>alert(1)</script>", "<!--x", "a&b\u2028c", "bad\xffname"}
	var es []imagetest.Entry
	for i, n := range hostile {
		es = append(es, imagetest.SizedFile("etc/"+n, int64(10+i)))
	}
	img := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(es...), imagetest.Gzip)},
		[]v1.History{{CreatedBy: `RUN echo "</script>" > /x`}}, nil)
	res := analyzeImage(t, img, "oci:<hostile>")
	page := render(t, res)
	if n := bytes.Count(page, []byte("</script>")); n != 2 {
		t.Errorf("page has %d </script>, want 2: a name closed a script element", n)
	}
	if bytes.Contains(embeddedData(t, page), []byte("<")) {
		t.Error("embedded data holds a raw <")
	}

	var got Document
	if err := json.Unmarshal(embeddedData(t, page), &got); err != nil {
		t.Fatalf("embedded data is not JSON: %v", err)
	}
	want, err := Data(res)
	if err != nil {
		t.Fatal(err)
	}
	// Compare through JSON both ways: invalid UTF-8 in a name comes back
	// as U+FFFD, as a browser reads it.
	var wantBack Document
	wj, _ := json.Marshal(want)
	if err := json.Unmarshal(wj, &wantBack); err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ = json.Marshal(wantBack)
	if !bytes.Equal(gj, wj) {
		t.Errorf("embedded data differs from Data:\n got %s\nwant %s", gj, wj)
	}
}

// bigResult analyses an image of files files, spread over directories
// the way a language runtime's packages are, in four layers; the last
// rewrites a tenth of the files of the second, so there is waste too.
func bigResult(t testing.TB, files int) *analyze.Result {
	t.Helper()
	size := func(i int) int64 {
		// Mostly small files, a few big ones: a realistic skew.
		switch {
		case i%5000 == 0:
			return 200_000
		case i%97 == 0:
			return 8_000
		default:
			return int64(1 + (i*7919)%500)
		}
	}
	name := func(i int) string {
		return fmt.Sprintf("usr/lib/python3.12/site-packages/package_%04d/module_%02d/source_file_%06d.py", i/50, (i/10)%5, i)
	}
	// The tars are written here rather than with imagetest.Tar, which
	// makes every byte of every file: under the race detector that alone
	// takes half a minute for 100,000 files.
	body := imagetest.Filler(200_001)
	var tars [4]*tar.Writer
	var bufs [4]bytes.Buffer
	for i := range tars {
		tars[i] = tar.NewWriter(&bufs[i])
	}
	add := func(l int, name string, size int64) {
		hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: imagetest.Epoch, Format: tar.FormatPAX}
		if err := tars[l].WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tars[l].Write(body[:size]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < files; i++ {
		l := i * 3 / files // the first three layers
		add(l, name(i), size(i))
		if l == 1 && i%10 == 0 {
			add(3, name(i), size(i)+1)
		}
	}
	var ls []v1.Layer
	for i := range tars {
		if err := tars[i].Close(); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, imagetest.MustLayer(t, bufs[i].Bytes(), imagetest.Uncompressed))
	}
	return analyzeImage(t, imagetest.MustImage(t, ls, nil, nil), "oci:big")
}

func TestPageSize100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and reads a 100,000-file image")
	}
	const files = 100_000
	res := bigResult(t, files)
	if res.Image.FileCount != files {
		t.Fatalf("fixture has %d files, want %d", res.Image.FileCount, files)
	}
	page := render(t, res)
	const limit = 2 << 20
	t.Logf("report of a %d-file image: %d bytes (%.2f MiB), data %d bytes", files, len(page), float64(len(page))/(1<<20), len(embeddedData(t, page)))
	if len(page) >= limit {
		t.Errorf("report is %d bytes, want under %d", len(page), limit)
	}
	d, err := Data(res)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, res, d)
	var nodes, groups int
	var count func(n *Node)
	count = func(n *Node) {
		nodes++
		if n.Kind == KindSmall {
			groups++
		}
		for _, c := range n.Children {
			count(c)
		}
	}
	count(d.Tree.Root)
	t.Logf("final tree: %d nodes, %d groups of small files, threshold %d bytes", nodes, groups, d.Tree.Threshold)
	if d.Tree.Threshold == 0 || groups == 0 {
		t.Errorf("100,000 files were not grouped (threshold %d, %d groups)", d.Tree.Threshold, groups)
	}
}

func BenchmarkData100k(b *testing.B) {
	res := bigResult(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Data(res); err != nil {
			b.Fatal(err)
		}
	}
}
