package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
)

// TestCLIDockerfileLinesPodman builds with podman (buildah's history:
// "/bin/sh -c #(nop) ..." for metadata, "|N ARG=... /bin/sh -c ..." for a
// RUN with build args, exec-form RUNs recorded as "/bin/sh -c [...]") from
// Dockerfiles with continuations, comments, metadata steps and a second
// stage, and checks that --dockerfile places every step of the final
// stage on its lines.
func TestCLIDockerfileLinesPodman(t *testing.T) {
	pm := dockertest.RequirePodman(t)
	tests := []struct {
		name   string
		format string // podman build --format: SHELL needs docker's
		df     string
		lines  [][2]int // each history step's lines, in order
	}{{
		name:   "oci",
		format: "oci",
		df:     linesDockerfile,
		lines:  [][2]int{{3, 3}, {4, 5}, {6, 6}, {7, 8}, {10, 10}, {11, 11}},
	}, {
		name:   "docker, two stages",
		format: "docker",
		df: `FROM scratch AS tools
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "/out"]

FROM scratch
ARG VERSION=1.2
LABEL org.example.v="1" \
      maintainer=me
COPY --from=tools /bin/busybox /bin/busybox
ENV PATH=/bin
SHELL ["/bin/busybox", "sh", "-c"]
RUN busybox --install -s /bin && \
    # a comment inside the RUN
    echo "$VERSION" > /v && \
    mkdir -p /app
ADD a.txt /app/
USER 1000
EXPOSE 8080
WORKDIR /app
VOLUME /data
ENTRYPOINT ["/bin/sh"]
`,
		lines: [][2]int{{6, 6}, {7, 8}, {9, 9}, {10, 10}, {11, 11}, {12, 15}, {16, 16}, {17, 17}, {18, 18}, {19, 19}, {20, 20}, {21, 21}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := dockertest.Dockerfile(t) // busybox in a build context
			path := filepath.Join(ctx, "Dockerfile")
			if err := os.WriteFile(path, []byte(tt.df), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(ctx, "a.txt"), []byte("a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			tag := "localhost/strata-test/podman-lines:1"
			pm.Build(t, tag, ctx, "--format", tt.format)
			archive := pm.Save(t, tag)
			dir := t.TempDir()
			doc, _ := jsonRun(t, dir, "--dockerfile", path, "docker-archive:"+archive)
			if doc.Dockerfile == nil || len(doc.Dockerfile.Steps) != len(doc.History) || len(doc.History) != len(tt.lines) {
				t.Fatalf("dockerfile %+v for %d steps, want %d steps", doc.Dockerfile, len(doc.History), len(tt.lines))
			}
			for i, h := range doc.History {
				s, w := doc.Dockerfile.Steps[i], tt.lines[i]
				switch {
				case s.Line == nil:
					t.Errorf("step %d (%s) not placed, want %d-%d", i, h.CreatedBy, w[0], w[1])
				case *s.Line != w[0] || *s.EndLine != w[1] || s.Base:
					t.Errorf("step %d (%s): lines %d-%d base %v, want %d-%d", i, h.CreatedBy, *s.Line, *s.EndLine, s.Base, w[0], w[1])
				}
			}
		})
	}
}
