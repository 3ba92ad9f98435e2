package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildDockerfile: strata build finds the file docker or podman
// builds from, and gives none rather than a wrong one.
func TestBuildDockerfile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, f := range []string{"ctx/Dockerfile", "pod/Containerfile", "pod/Dockerfile", "other.Dockerfile"} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("FROM scratch\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		tool string
		args []string
		want string
	}{
		{"docker", []string{"-t", "app", "ctx"}, "ctx/Dockerfile"},
		{"docker", []string{"-f", "other.Dockerfile", "-t", "app", "ctx"}, "other.Dockerfile"},
		{"docker", []string{"--file=other.Dockerfile", "ctx"}, "other.Dockerfile"},
		{"docker", []string{"-fother.Dockerfile", "ctx"}, "other.Dockerfile"},
		{"podman", []string{"pod"}, "pod/Containerfile"},
		{"docker", []string{"pod"}, "pod/Dockerfile"},
		{"docker", []string{"-f", "missing", "ctx"}, ""},
		{"docker", []string{"-"}, ""},
		{"docker", []string{"-f", "-", "ctx"}, ""},
		{"docker", []string{"https://example.com/repo.git"}, ""},
		{"docker", []string{"empty"}, ""},
		{"docker", nil, ""},
	} {
		if got := buildDockerfile(tc.args, tc.tool); got != tc.want {
			t.Errorf("%s build %q: %q, want %q", tc.tool, tc.args, got, tc.want)
		}
	}
}
