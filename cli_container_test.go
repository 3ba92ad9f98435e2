package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/dockertest"
	"github.com/strata-cli/strata/report"
)

// TestCLIDFAll builds two images that share their busybox layer and runs
// df --all, narrowed to them with --filter, in text and JSON.
func TestCLIDFAll(t *testing.T) {
	dockertest.Require(t)
	dockertest.Build(t, "strata-test/cli-dfall-a:1", dockertest.Dockerfile(t, "echo a > /a"))
	dockertest.Build(t, "strata-test/cli-dfall-b:1", dockertest.Dockerfile(t, "head -c 3000 /bin/busybox > /b"))
	dir := t.TempDir()
	filter := "reference=strata-test/cli-dfall-*"

	r := run(t, dir, "df", "--all", "--filter", filter, "--json", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "strata: using docker (") || !strings.Contains(r.stderr, "): 2 images") {
		t.Errorf("stderr %q does not name the daemon and the count", r.stderr)
	}
	var u struct {
		DiskBytes    int64 `json:"diskBytes"`
		SumSizeBytes int64 `json:"sumSizeBytes"`
		Images       []struct {
			Reference   string `json:"reference"`
			SizeBytes   int64  `json:"sizeBytes"`
			UniqueBytes int64  `json:"uniqueBytes"`
			SharedBytes int64  `json:"sharedBytes"`
		} `json:"images"`
		SharedLayers []struct {
			SizeBytes int64  `json:"sizeBytes"`
			Command   string `json:"command"`
			Images    []int  `json:"images"`
		} `json:"sharedLayers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &u); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(u.Images) != 2 || u.Images[0].Reference != "strata-test/cli-dfall-a:1" || u.Images[1].Reference != "strata-test/cli-dfall-b:1" {
		t.Fatalf("images = %+v", u.Images)
	}
	if len(u.SharedLayers) != 1 || !strings.Contains(u.SharedLayers[0].Command, "COPY ") || len(u.SharedLayers[0].Images) != 2 {
		t.Fatalf("shared layers = %+v", u.SharedLayers)
	}
	bb := u.SharedLayers[0].SizeBytes
	a, b := u.Images[0], u.Images[1]
	// /a is "a\n"; /b is 3000 bytes; the RUN steps' busybox --install makes
	// symlinks only, which count 0.
	if a.UniqueBytes != 2 || b.UniqueBytes != 3000 || a.SharedBytes != bb || b.SharedBytes != bb {
		t.Errorf("unique/shared: a %d/%d, b %d/%d (busybox layer %d)", a.UniqueBytes, a.SharedBytes, b.UniqueBytes, b.SharedBytes, bb)
	}
	if u.DiskBytes != bb+3002 || u.SumSizeBytes != 2*bb+3002 {
		t.Errorf("disk %d, sum %d; want %d and %d", u.DiskBytes, u.SumSizeBytes, bb+3002, 2*bb+3002)
	}

	r = run(t, dir, "df", "-a", "--filter", filter)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"strata-test/cli-dfall-a:1\n", "strata-test/cli-dfall-b:1\n", "  1,2           COPY "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("df --all output lacks %q:\n%s", want, r.stdout)
		}
	}

	wantError(t, run(t, dir, "df", "--all", "some:image"), "df --all takes no IMAGE")
	wantError(t, run(t, dir, "df", "--filter", filter, "x.tar"), "--filter needs --all")
	wantError(t, run(t, dir, "df", "--all", "--filter", "nonsense"), "KEY=VALUE")
}

// TestCLIContainer runs a container that writes a file, appends to one
// and deletes one, and reads its writable layer in text and JSON.
func TestCLIContainer(t *testing.T) {
	dockertest.Require(t)
	const tag = "strata-test/cli-container:1"
	dockertest.Build(t, tag, dockertest.Dockerfile(t, "mkdir /data && echo modify-me > /data/mod && echo delete-me > /data/del"))
	name := "strata-test-cli-container-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	dockertest.Run(t, "run", "--name", name, tag, "/bin/busybox", "sh", "-c",
		"echo hello > /data/new && echo more >> /data/mod && /bin/busybox rm /data/del")
	sizeRw := dockertest.Run(t, "inspect", "--size", "--format", "{{.SizeRw}}", name)
	dir := t.TempDir()

	r := run(t, dir, "container", "--json", "-", "--files", name)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var doc struct {
		report.JSONReport
		Container report.JSONContainer `json:"container"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	c := doc.Container
	if c.Name != name || c.State != "exited" || c.ImageRef != tag || c.LayerIndex != len(doc.Layers)-1 || c.LayerIndex != 2 {
		t.Fatalf("container = %+v (%d layers)", c, len(doc.Layers))
	}
	if c.Diff != (report.JSONContainerDiff{Added: 1, Changed: 2, Deleted: 1}) {
		t.Errorf("diff = %+v, want /data/new added; /data and /data/mod changed; /data/del deleted", c.Diff)
	}
	l := doc.Layers[c.LayerIndex]
	// "hello\n" is 6 bytes, "modify-me\nmore\n" 15.
	if l.SizeBytes != 21 || l.Added != 1 || l.Modified != 1 || l.Removed != 1 || l.FileCount != 2 {
		t.Errorf("writable layer = %+v", l)
	}
	if l.Command != "container "+name+" (writable layer)" || doc.History[len(doc.History)-1].CreatedBy != l.Command {
		t.Errorf("command %q, last history step %q", l.Command, doc.History[len(doc.History)-1].CreatedBy)
	}
	changes := map[string]string{}
	for _, f := range *l.Files {
		changes[f.Path] = f.Change
	}
	if changes["data/new"] != "added" || changes["data/mod"] != "modified" || changes["data/del"] != "removed" {
		t.Errorf("files = %+v", changes)
	}
	// No symlinks in this layer: the daemon's count is strata's.
	if c.SizeRw == nil || *c.SizeRw != 21 || sizeRw != "21" || c.SymlinkBytes != 0 {
		t.Errorf("sizeRw %v (docker inspect says %s), symlinkBytes %d; want 21, 21, 0", c.SizeRw, sizeRw, c.SymlinkBytes)
	}
	if doc.Image.Source != "docker" || doc.SchemaVersion != report.JSONSchemaVersion {
		t.Errorf("source %q, schema %d", doc.Image.Source, doc.SchemaVersion)
	}

	r = run(t, dir, "container", name)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"Container:   " + name + " (",
		"From image:  " + tag + " (",
		"Writable:    layer 2: 21 B (21 bytes) in 2 files; 1 added, 1 modified, 1 removed\n",
		"SizeRw:      21 B (21 bytes) (docker ps -s): the same count\n",
		"container " + name + " (writable layer)\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}

	wantError(t, run(t, dir, "container", "strata-test-no-such-container"), "container strata-test-no-such-container is not in")
	wantError(t, run(t, dir, "container", "--source", "registry", name), "--source registry")
	wantError(t, run(t, dir, "container", "--files", name), "--files needs --json")
}
