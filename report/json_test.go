package report

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"

	"github.com/strata-cli/strata/internal/golden"
)

func TestJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeJSON(&b, NewJSONReport(it.SampleResult(), false)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "report.json", b.Bytes())
}

// TestJSONFieldNames pins the schemaVersion 1 contract: scripts rely on
// these exact names.
func TestJSONFieldNames(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeJSON(&b, NewJSONReport(it.SampleResult(), false)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	check := func(what string, v any, want ...string) {
		t.Helper()
		if got := keysOf(t, v); !slices.Equal(got, sorted(want...)) {
			t.Errorf("%s keys = %v, want %v", what, got, sorted(want...))
		}
	}
	check("top level", doc, "schemaVersion", "image", "layers", "history", "wastedFiles", "packages", "secrets", "advice")
	if doc["schemaVersion"] != float64(1) {
		t.Errorf("schemaVersion = %v, want 1", doc["schemaVersion"])
	}
	check("image", doc["image"], "reference", "source", "digest", "configDigest", "platform", "sizeBytes", "compressedSizeBytes",
		"fileCount", "wastedBytes", "efficiency", "userWastedBytes", "userWastedPercent")
	check("layer", doc["layers"].([]any)[0], "index", "digest", "diffID", "command", "sizeBytes", "compressedSizeBytes",
		"fileCount", "added", "modified", "removed", "wastedBytes", "packagedBytes", "unpackagedBytes", "packages")
	hist := doc["history"].([]any)
	check("history", hist[0], "createdBy", "created", "emptyLayer", "layerIndex")
	if got := hist[1].(map[string]any)["layerIndex"]; got != nil {
		t.Errorf("layerIndex of an empty step = %v, want null", got)
	}
	if got := hist[3].(map[string]any)["created"]; got != nil {
		t.Errorf("created of a step without a date = %v, want null", got)
	}
	check("wasted file", doc["wastedFiles"].([]any)[0], "path", "wastedBytes", "layers", "hiddenBy")
	if !strings.Contains(b.String(), `"path": "etc/weird-\\xffname"`) {
		t.Errorf("invalid UTF-8 in a path was not escaped as \\xff:\n%s", b.String())
	}
}

func TestJSONEmptyListsAreArrays(t *testing.T) {
	res := it.SampleResult()
	res.Layers, res.History, res.WastedFiles = nil, nil, nil
	var b bytes.Buffer
	if err := EncodeJSON(&b, NewJSONReport(res, true)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"layers": []`, `"history": []`, `"wastedFiles": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, b.String())
		}
	}
}

func TestCleanString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"usr/bin/env", "usr/bin/env"},
		{"héllo/日本", "héllo/日本"},
		{"a\xffb", `a\xffb`},
		{"\xc3", `\xc3`},          // a truncated two-byte sequence
		{"\xc3\xa9\xe9", `é\xe9`}, // valid then Latin-1
		{"\xed\xa0\x80", `\xed\xa0\x80`},
		{"", ""},
	}
	for _, tt := range tests {
		got := cleanString(tt.in)
		if got != tt.want {
			t.Errorf("cleanString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// And encoding/json must leave it alone.
		enc, _ := json.Marshal(got)
		var back string
		if err := json.Unmarshal(enc, &back); err != nil || back != tt.want {
			t.Errorf("JSON round trip of %q = %q, %v", got, back, err)
		}
	}
}

func TestUnixMode(t *testing.T) {
	tests := []struct {
		in   fs.FileMode
		want uint32
	}{
		{0o644, 0o644},
		{fs.ModeDir | 0o755, 0o755},
		{fs.ModeSetuid | 0o755, 0o4755},
		{fs.ModeSetgid | 0o755, 0o2755},
		{fs.ModeDir | fs.ModeSticky | 0o777, 0o1777},
		{fs.ModeSymlink | 0o777, 0o777},
		{fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o700, 0o7700},
	}
	for _, tt := range tests {
		if got := unixMode(tt.in); got != tt.want {
			t.Errorf("unixMode(%v) = %#o, want %#o", tt.in, got, tt.want)
		}
	}
}

// keysOf returns the sorted keys of a decoded JSON object.
func keysOf(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not a JSON object", v)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func sorted(s ...string) []string { slices.Sort(s); return s }
