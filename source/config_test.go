package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// configCases are configs parseConfig must read exactly as
// v1.ParseConfigFile does, errors included.
var configCases = []string{
	`{}`,
	`{"history":null}`,
	`{"history":[]}`,
	`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + hex.EncodeToString(make([]byte, 32)) + `"]},` +
		`"history":[{"created":"2024-06-01T12:00:00Z","created_by":"RUN a","comment":"c"},{"created_by":"ENV A=1","empty_layer":true}]}`,
	`{"history":[{"created_by":"a"}],"History":[{"created_by":"b"},{"created_by":"c"}]}`, // keys match case-insensitively, the last wins
	`{"history":[{"created_by":"a"}]} trailing`,                                          // the decoder stops after the object
	`{"history":[{"created_by":"a"}]}{"history":[]}`,
	`{"history":[{"created_by":5}]}`,
	`{"history":[{"created":"yesterday"}]}`,
	`{"history":{}}`,
	`{"history":[`,
	``,
	`[]`,
}

func TestParseConfigMatchesGGCR(t *testing.T) {
	for _, c := range configCases {
		want, wantErr := v1.ParseConfigFile(bytes.NewReader([]byte(c)))
		got, err := parseConfig([]byte(c))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%q: error %v, want %v", c, err, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: parsed %+v, want %+v", c, got, want)
		}
	}
}

// FuzzParseConfig checks parseConfig against v1.ParseConfigFile on
// arbitrary bytes.
func FuzzParseConfig(f *testing.F) {
	for _, c := range configCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := v1.ParseConfigFile(bytes.NewReader(b))
		got, err := parseConfig(b)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parsed %+v, want %+v", got, want)
		}
	})
}

// The parsed config is handed out once, then read again from the store;
// its name is the sha256 of its bytes, for every kind of archive.
func TestConfigHandedOutOnce(t *testing.T) {
	img, err := it.Tiny()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	wantName := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	want, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archives := map[string]func(string) error{
		"docker":   func(p string) error { return it.WriteDockerArchive(p, img, "tiny:1") },
		"docker25": func(p string) error { return it.WriteDocker25Archive(p, img, "tiny:1") },
		"oci":      func(p string) error { return it.WriteOCIArchive(p, it.MustIndex(t, it.Manifest{Image: img})) },
	}
	for name, write := range archives {
		p := filepath.Join(dir, name+".tar")
		if err := write(p); err != nil {
			t.Fatal(err)
		}
		got, err := Open(context.Background(), p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		first, err := got.ConfigFile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		second, err := got.ConfigFile()
		if err != nil {
			t.Fatalf("%s: second ConfigFile: %v", name, err)
		}
		if first == second {
			t.Errorf("%s: the image kept its parsed config after handing it out", name)
		}
		for _, c := range []*v1.ConfigFile{first, second} {
			if !reflect.DeepEqual(c, want) {
				t.Errorf("%s: config %+v, want %+v", name, c, want)
			}
		}
		if h, err := got.ConfigName(); err != nil || h != wantName {
			t.Errorf("%s: ConfigName = %v, %v; want %v", name, h, err, wantName)
		}
		if b, err := got.RawConfigFile(); err != nil || !bytes.Equal(b, raw) {
			t.Errorf("%s: RawConfigFile differs from the stored config (%v)", name, err)
		}
		Close(got)
	}
}
