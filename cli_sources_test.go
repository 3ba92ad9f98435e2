package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/dockertest"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
)

// runEnv is run with extra environment variables (KEY=value), which win
// over the test process's own.
func runEnv(t *testing.T, dir string, extra []string, args ...string) result {
	t.Helper()
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return run(t, dir, args...)
}

// sourceJSON runs strata --json - on ref and returns the report with the
// fields that name the source blanked, so that reports of one image read
// from different places compare equal.
func sourceJSON(t *testing.T, dir string, extra []string, wantSource string, args ...string) report.JSONReport {
	t.Helper()
	r := runEnv(t, dir, extra, append([]string{"--json", "-"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("strata %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	var rep report.JSONReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("strata %v: stdout is not JSON: %v", args, err)
	}
	if rep.Image.Source != wantSource {
		t.Errorf("strata %v: image.source = %q, want %q", args, rep.Image.Source, wantSource)
	}
	if wantSource == "docker" || wantSource == "podman" || wantSource == "registry" {
		if !strings.Contains(r.stderr, "strata: using "+wantSource+" (") {
			t.Errorf("strata %v: stderr %q does not say it used %s", args, r.stderr, wantSource)
		}
	}
	rep.Image.Reference, rep.Image.Source, rep.Image.Digest = "", "", ""
	return rep
}

func sameReport(t *testing.T, what string, got, want report.JSONReport) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", what, g, w)
	}
}

// TestCLIEverySource reads one Docker-built image from the daemon (by
// scheme, by bare name, through strata build), from its docker save
// archive, from a registry it is pushed to and, when podman runs, from
// podman, and expects the same report every time.
func TestCLIEverySource(t *testing.T) {
	dockertest.Require(t)
	const tag = "strata-test/cli-sources:1"
	ctxDir := dockertest.Dockerfile(t,
		"mkdir -p /data && head -c 40000 /bin/busybox > /data/big && echo keep > /data/keep",
		"rm /data/big",
	)
	dockertest.Build(t, tag, ctxDir)
	dir := t.TempDir()
	archive := dockertest.Save(t, tag)

	want := sourceJSON(t, dir, nil, "docker-archive", archive)
	if n := len(want.Layers); n != 3 {
		t.Fatalf("%d layers, want 3", n)
	}
	if want.Image.WastedBytes != 40000 || len(want.WastedFiles) != 1 || want.WastedFiles[0].Path != "data/big" {
		t.Errorf("wasted %d bytes in %+v, want 40000 in data/big", want.Image.WastedBytes, want.WastedFiles)
	}
	if l := want.Layers[2]; l.Removed != 1 || l.SizeBytes != 0 {
		t.Errorf("layer 2 = %+v, want one removal and no bytes", l)
	}

	t.Run("docker save | strata -", func(t *testing.T) {
		cmd := exec.Command("sh", "-c", `docker save "$1" | "$2" --json - -`, "sh", tag, binary)
		cmd.Dir = dir
		cmd.Env = childEnv([]string{"STRATA_CACHE_DIR", "XDG_CONFIG_HOME"}, "STRATA_CACHE_DIR="+filepath.Join(dir, ".strata-cache"), "XDG_CONFIG_HOME="+filepath.Join(dir, ".xdg-config"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("docker save | strata --json - -: %v", err)
		}
		var got report.JSONReport
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("stdout is not JSON: %v", err)
		}
		got.Image.Reference, got.Image.Source, got.Image.Digest = "", "", ""
		sameReport(t, "docker save | strata -", got, want)
	})
	sameReport(t, "docker://", sourceJSON(t, dir, nil, "docker", "docker://"+tag), want)
	sameReport(t, "bare name", sourceJSON(t, dir, nil, "docker", tag), want)
	sameReport(t, "--source docker", sourceJSON(t, dir, nil, "docker", "--source", "docker", tag), want)
	// The same build context again: every step is cached, same image.
	// strata build knows its Dockerfile and places the steps on it.
	built := sourceJSON(t, dir, nil, "docker", "build", "-t", tag, ctxDir)
	if df := built.Dockerfile; df == nil || df.Path != filepath.Join(ctxDir, "Dockerfile") || len(df.Steps) != len(built.History) {
		t.Errorf("strata build: dockerfile %+v, want %s placing %d steps", df, filepath.Join(ctxDir, "Dockerfile"), len(built.History))
	} else {
		for i, st := range df.Steps {
			if st.Line == nil {
				t.Errorf("strata build: step %d (%s) not placed in its Dockerfile", i, built.History[i].CreatedBy)
			}
		}
	}
	built.Dockerfile = nil
	// The advice names the steps' lines too; without them it is the same.
	lines := regexp.MustCompile(` \(` + regexp.QuoteMeta(filepath.Join(ctxDir, "Dockerfile")) + `:[0-9-]+\)`)
	for i, a := range built.Advice {
		if !lines.MatchString(a.Message) {
			t.Errorf("strata build: advice names no Dockerfile line: %s", a.Message)
		}
		built.Advice[i].Message = lines.ReplaceAllString(a.Message, "")
	}
	sameReport(t, "strata build", built, want)

	t.Run("podman", func(t *testing.T) {
		sock := requirePodman(t)
		if out, err := exec.Command("podman", "--url", sock, "load", "-i", archive).CombinedOutput(); err != nil {
			t.Fatalf("podman load: %v\n%s", err, out)
		}
		t.Cleanup(func() { exec.Command("podman", "--url", sock, "rmi", "-f", tag).Run() })
		env := []string{"CONTAINER_HOST=" + sock}
		sameReport(t, "podman://", sourceJSON(t, dir, env, "podman", "podman://"+tag), want)
	})

	// Push the archive's image to a registry on 127.0.0.1.
	img, err := source.Open(context.Background(), archive, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	host := registrytest.InProcess(t, nil)
	registrytest.Push(t, host+"/strata/cli:1", img)
	noDaemons := []string{
		"DOCKER_HOST=unix://" + filepath.Join(dir, "none.sock"),
		"CONTAINER_HOST=unix://" + filepath.Join(dir, "none.sock"),
	}
	sameReport(t, "registry://", sourceJSON(t, dir, nil, "registry", "registry://"+host+"/strata/cli:1"), want)
	sameReport(t, "bare name, no daemon", sourceJSON(t, dir, noDaemons, "registry", host+"/strata/cli:1"), want)

}

// requirePodman returns the URL of a podman API socket that answers, or
// skips (fails with STRATA_REQUIRE_PODMAN=1).
func requirePodman(t *testing.T) string {
	t.Helper()
	sock := os.Getenv("CONTAINER_HOST")
	if sock == "" {
		sock = "unix:///run/podman/podman.sock"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	why := ""
	if _, err := exec.LookPath("podman"); err != nil {
		why = "podman not installed"
	} else if out, err := exec.CommandContext(ctx, "podman", "--url", sock, "version").CombinedOutput(); err != nil {
		why = "podman service not answering at " + sock + ": " + strings.TrimSpace(string(out))
	}
	if why == "" {
		return sock
	}
	if os.Getenv("STRATA_REQUIRE_PODMAN") == "1" {
		t.Fatalf("STRATA_REQUIRE_PODMAN=1 but %s", why)
	}
	t.Skipf("%s; skipping (podman system service --time=0 %s)", why, sock)
	return ""
}

// TestCLISourceErrors checks that each way of not finding an image exits
// 2 with one line that says what happened.
func TestCLISourceErrors(t *testing.T) {
	dir := t.TempDir()
	dead := "unix://" + filepath.Join(dir, "dead.sock")
	isolated := []string{"DOCKER_CONFIG=" + dir, "DOCKER_HOST=" + dead, "CONTAINER_HOST=" + dead, "CONTAINERD_ADDRESS=" + strings.TrimPrefix(dead, "unix://")}

	open := registrytest.InProcess(t, nil)
	private := registrytest.InProcess(t, registrytest.RequireAuth("strata", "s3cret"))
	layer := imagetest.MustLayer(t, imagetest.Tar(imagetest.File("a", "hello\n")), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{layer}, nil, &v1.Platform{OS: "linux", Architecture: "amd64"})
	registrytest.Push(t, open+"/strata/app:1", img)
	digest, _ := layer.Digest()
	tampered := registrytest.InProcess(t, registrytest.TamperBlob(digest))
	registrytest.Push(t, tampered+"/strata/app:1", img)
	closed := registrytest.ClosedAddr(t)
	if err := imagetest.WriteDockerArchive(filepath.Join(dir, "app.tar"), img, "example.com/app:1"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"docker not running", isolated, []string{"docker://strata-test/x:1"}, "docker is not reachable at " + dead},
		{"podman not running", isolated, []string{"--source", "podman", "strata-test/x:1"}, "podman is not reachable at " + dead},
		{"registry image not found", isolated, []string{"registry://" + open + "/strata/app:2"}, "not found in registry " + open},
		{"bare name found nowhere", isolated, []string{open + "/strata/nope:1"},
			open + "/strata/nope:1: not found: docker: not running at " + dead + "; podman: not running at " + dead + "; containerd: no socket; registry " + open + ": no such image"},
		{"bare name without a tag", isolated, []string{open + "/strata/app"}, "registry " + open + ": no such image (no tag was given, so :latest was tried)"},
		{"registry name without a tag", isolated, []string{"registry://" + open + "/strata/app"}, "app:latest not found in registry " + open + " (no tag was given, so :latest was tried)"},
		{"missing directory", isolated, []string{"missing-dir/"}, "strata: no such file or directory: missing-dir/\n"},
		{"missing archive", isolated, []string{"app-v2.tar"}, "strata: no such file or directory: app-v2.tar\n"},
		{"existing file with --source docker", isolated, []string{"--source", "docker", "app.tar"}, "app.tar is a local path: without --source docker it is read from there"},
		{"auth required", isolated, []string{"registry://" + private + "/strata/app:1"}, "authentication required"},
		{"registry unreachable", isolated, []string{"registry://" + closed + "/strata/app:1"}, "registry " + closed + " is not reachable"},
		{"platform not present", isolated, []string{"--platform", "linux/arm64", "registry://" + open + "/strata/app:1"}, "no image for platform linux/arm64"},
		{"digest mismatch", isolated, []string{"--no-cache", "registry://" + tampered + "/strata/app:1"}, digest.String()},
		{"source contradicts scheme", isolated, []string{"--source", "docker", "registry://" + open + "/strata/app:1"}, "contradicts --source docker"},
		{"build with registry", isolated, []string{"--source", "registry", "build", "."}, "build needs --source docker or podman"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, runEnv(t, dir, tt.env, tt.args...), tt.want)
		})
	}

	// A configured source says where image names are looked up; a file
	// named on the command line is still read.
	t.Run("configured source, existing file", func(t *testing.T) {
		want := sourceJSON(t, dir, isolated, "docker-archive", "app.tar")
		sameReport(t, "STRATA_SOURCE=registry", sourceJSON(t, dir, append(isolated, "STRATA_SOURCE=registry"), "docker-archive", "app.tar"), want)
		cfg := filepath.Join(dir, ".xdg-config", "strata", "config.yaml")
		if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte("source: docker\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(cfg)
		sameReport(t, "config source: docker", sourceJSON(t, dir, isolated, "docker-archive", "app.tar"), want)
		// Given on the command line, --source is obeyed.
		wantError(t, runEnv(t, dir, isolated, "--source", "registry", "app.tar"), "app.tar is a local path")
	})

	t.Run("docker image not found", func(t *testing.T) {
		dockertest.Require(t)
		wantError(t, run(t, dir, "docker://strata-test/not-there:1"), "use registry://strata-test/not-there:1")
	})
}
