package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPathRulesCLI runs the binary on the tiny image: a block rule sees
// only what is visible in the final filesystem, deny-waste only what is
// wasted, flags add to the rules file's patterns, and sizes are checked
// per image and per layer.
func TestPathRulesCLI(t *testing.T) {
	img := "docker-archive:" + writeTiny(t)
	dir := t.TempDir()
	off := []string{"--ci", "-q", "--lowest-efficiency", "off", "--highest-user-wasted-percent", "off"}
	tests := []struct {
		name     string
		file     string
		args     []string
		wantCode int
		want     []string
	}{
		{
			name: "block sees visible files", args: []string{"--block", "/etc/passwd", "--block", "*.yaml"}, wantCode: exitRuleFailed,
			want: []string{"FAIL  block: 2 matching files visible: app/config.yaml, etc/passwd"},
		},
		{
			// The apk index is deleted in layer 2 (a whiteout) and
			// app/tmp/build.log by an opaque directory: not visible.
			name: "block ignores removed files", args: []string{"--block", "var/cache/apk/**", "--block", "app/tmp/**"}, wantCode: exitOK,
			want: []string{"PASS  block: no matching files visible"},
		},
		{
			name: "deny-waste sees wasted files", args: []string{"--deny-waste", "var/cache/**", "--deny-waste", "/app/tmp/*"}, wantCode: exitRuleFailed,
			want: []string{"FAIL  deny-waste: 1.2 kB wasted by var/cache/apk/APKINDEX.5022a8a2.tar.gz, app/tmp/build.log"},
		},
		{
			name: "flags add to the file", file: "rules:\n  block: ['**/.git/**']\n", args: []string{"--block", "bin/*"}, wantCode: exitRuleFailed,
			want: []string{"FAIL  block: 3 matching files visible: bin/busybox, bin/ls, bin/sh"},
		},
		{
			name: "sizes", args: []string{"--highest-image-size", "5KB", "--highest-layer-size", "2000"}, wantCode: exitRuleFailed,
			want: []string{
				"FAIL  highest-image-size: 5.1 kB (5098 bytes) > 5.0 kB (5000 bytes)",
				"FAIL  highest-layer-size: layer 0 (2.1 kB) > 2.0 kB (2000 bytes)",
			},
		},
		{
			name: "sizes pass", args: []string{"--highest-image-size", "1MB", "--highest-layer-size", "1MB"}, wantCode: exitOK,
			want: []string{"PASS  highest-image-size", "PASS  highest-layer-size: largest layer 2.1 kB (2078 bytes) <= 1.0 MB (1000000 bytes)"},
		},
		{
			name: "bad glob is an error", args: []string{"--block", "a/[b"}, wantCode: exitError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := slices.Concat(off, tt.args)
			if tt.file != "" {
				p := filepath.Join(dir, "rules.yaml")
				if err := os.WriteFile(p, []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--ci-config", p)
			}
			r := run(t, dir, append(args, img)...)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr %q\n%s", r.code, tt.wantCode, r.stderr, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}
