package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/debtest"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/rpmtest"
)

// An image whose packages rpm installed shows them, manager rpm, in
// --json and in the plain report: nothing there is dpkg's or apk's alone.
func TestCLIRpmPackages(t *testing.T) {
	rpmtest.Require(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	tool := rpmtest.Pkg{Name: "tool", Version: "3.2", Release: "1", Epoch: 1, Files: map[string]int64{"usr/bin/tool": 6000}}
	data := rpmtest.Pkg{Name: "tooldata", Version: "1.0", Release: "7", Files: map[string]int64{"usr/share/tool/a": 900, "usr/share/tool/b": 100}}
	rpmtest.Rpm(t, root, nil, "-i", rpmtest.Build(t, dir, tool), rpmtest.Build(t, dir, data))
	layer := imagetest.MustLayer(t, imagetest.Tar(debtest.Rootfs(t, root)...), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{layer}, []v1.History{{CreatedBy: "RUN rpm -i tool tooldata"}}, nil)
	p := filepath.Join(dir, "rpm.tar")
	if err := imagetest.WriteDockerArchive(p, img, "rpm:test"); err != nil {
		t.Fatal(err)
	}

	r := run(t, dir, "--json", "-", "docker-archive:"+p)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("--json: exit code %d, stderr %q", r.code, r.stderr)
	}
	var doc struct {
		Packages []struct {
			Manager, Name, Version, Architecture string
			SizeBytes                            int64
		}
		Layers []struct {
			Packages []struct{ Manager, Name, Change string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	var got []string
	for _, p := range doc.Packages {
		got = append(got, strings.Join([]string{p.Manager, p.Name, p.Version, p.Architecture}, " "))
		if p.Name == tool.Name && p.SizeBytes != tool.Bytes() || p.Name == data.Name && p.SizeBytes != data.Bytes() {
			t.Errorf("%s: %d bytes, want its files'", p.Name, p.SizeBytes)
		}
	}
	if want := []string{"rpm tool " + tool.EVR() + " noarch", "rpm tooldata " + data.EVR() + " noarch"}; !slices.Equal(got, want) {
		t.Errorf("--json packages %q, want %q", got, want)
	}
	if l := doc.Layers[0].Packages; len(l) != 2 || l[0].Manager != "rpm" || l[0].Change != "added" {
		t.Errorf("--json layer 0 packages %+v, want two added by rpm", l)
	}

	r = run(t, dir, "docker-archive:"+p)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("report: exit code %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"Largest packages:", "tool " + tool.EVR() + " (rpm)", "Packages by layer:", "layer 0: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}
