package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestCLIRedactsCredentials: a password typed into a reference is never
// echoed, whichever source fails to make sense of it. None of these
// references parse, so nothing leaves the machine.
func TestCLIRedactsCredentials(t *testing.T) {
	const pass = "s3cret"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"registry", []string{"registry://user:" + pass + "@registry.example/x"}, `reference "***@registry.example/x": could not parse reference: ***@registry.example/x`},
		{"registry with port and tag", []string{"registry://user:" + pass + "@127.0.0.1:5000/x:v1"}, `reference "***@127.0.0.1:5000/x:v1"`},
		{"registry with bad digest", []string{"registry://user:" + pass + "@registry.example/x@sha256:nothex"}, `reference "***@registry.example/x@sha256:nothex"`},
		{"token as user", []string{"registry://" + pass + "@registry.example/x"}, `reference "***@registry.example/x"`},
		{"password with slashes", []string{"registry://user:" + pass + "/a/b@registry.example/x"}, `reference "***@registry.example/x"`},
		{"password with a quote", []string{"registry://user:" + pass + `"q@registry.example/x`}, `reference "***@registry.example/x"`},
		{"forced source", []string{"--source", "registry", "user:" + pass + "@registry.example/x"}, `reference "***@registry.example/x"`},
		{"bare", []string{"user:" + pass + "@registry.example/x"}, `"***@registry.example/x" is neither a file nor an image reference`},
		{"bare with json", []string{"--json", "-", "user:" + pass + "@registry.example/x:v1"}, `"***@registry.example/x:v1" is neither`},
		{"docker", []string{"docker://user:" + pass + "@registry.example/x"}, "docker is not reachable"},
		{"podman", []string{"podman://user:" + pass + "@registry.example/x"}, "podman is not reachable"},
		// Commands of several images name the one that failed.
		{"df", []string{"df", "registry://user:" + pass + "@registry.example/x"}, `registry://***@registry.example/x: reference "***@registry.example/x"`},
		{"compare", []string{"compare", "registry://user:" + pass + "@registry.example/x", "registry://registry.example/y"}, `registry://***@registry.example/x: reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// No daemon answers: the bare references must fail on their own.
			r := runWith(t, dir, []string{"DOCKER_HOST=unix://" + dir + "/no-docker.sock", "CONTAINER_HOST=unix://" + dir + "/no-podman.sock"}, tc.args...)
			wantError(t, r, tc.want)
			q := strconv.Quote(pass + `"q`)
			for _, leak := range []string{pass, q[1 : len(q)-1]} {
				if strings.Contains(r.stderr, leak) || strings.Contains(r.stdout, leak) {
					t.Errorf("the password is echoed: stderr %q", r.stderr)
				}
			}
		})
	}
}
