package dockerfile

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	f, err := Parse("Dockerfile", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		history []string
		want    []Location
	}{{
		name: "buildkit",
		history: []string{
			"/bin/sh -c #(nop) ADD file:0123abcd in / ",
			`/bin/sh -c #(nop)  CMD ["bash"]`,
			"RUN /bin/sh -c apt-get update  && apt-get install -y --no-install-recommends ca-certificates  && rm -rf /var/lib/apt/lists/* # buildkit",
			"COPY /out/app /usr/local/bin/app # buildkit",
			"ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin APP_MODE=prod",
			`CMD ["app"]`,
		},
		want: []Location{base(11), base(11), at(12, 14), at(15, 15), at(20, 20), at(21, 21)},
	}, {
		name: "classic builder",
		history: []string{
			"/bin/sh -c #(nop) ADD file:0123abcd in / ",
			`/bin/sh -c #(nop)  CMD ["bash"]`,
			"/bin/sh -c apt-get update  && apt-get install -y --no-install-recommends ca-certificates  && rm -rf /var/lib/apt/lists/*",
			"/bin/sh -c #(nop) COPY file:89ab01234567 in /usr/local/bin/app ",
			"/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin APP_MODE=prod",
			`/bin/sh -c #(nop)  CMD ["app"]`,
		},
		want: []Location{base(11), base(11), at(12, 14), at(15, 15), at(20, 20), at(21, 21)},
	}, {
		// A RUN that is not in the file (another build's) is not placed
		// on the file's RUN: no guess. Without the chain's first
		// instruction placed, nothing says which steps are the base's.
		name: "a step of another build",
		history: []string{
			"/bin/sh -c #(nop) ADD file:0123abcd in / ",
			"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
			"COPY /out/app /usr/local/bin/app # buildkit",
			"RUN /bin/sh -c make # buildkit",
			`CMD ["app"]`,
		},
		want: []Location{{}, {}, at(15, 15), {}, at(21, 21)},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f.Match(tc.history)
			if len(got) != len(tc.want) {
				t.Fatalf("%d locations for %d steps", len(got), len(tc.history))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("step %d (%s): %+v, want %+v", i, tc.history[i], got[i], tc.want[i])
				}
			}
		})
	}
}

// TestMatchStageChain: a final stage built FROM an earlier stage ends the
// history with both stages' steps, the earlier first; a stage the final
// one does not descend from is not in it.
func TestMatchStageChain(t *testing.T) {
	src := `FROM alpine:3.20 AS base
RUN apk add --no-cache git
WORKDIR /app

FROM golang:1.22 AS unrelated
RUN go version

FROM base AS final
COPY . .
USER app
`
	f, err := Parse("Dockerfile", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	body, root := f.Chain()
	if root.Line != 1 || len(body) != 4 {
		t.Fatalf("chain from line %d with %d instructions, want line 1 and 4", root.Line, len(body))
	}
	got := f.Match([]string{
		"/bin/sh -c #(nop) ADD file:abc in / ",
		`/bin/sh -c #(nop)  CMD ["/bin/sh"]`,
		"RUN /bin/sh -c apk add --no-cache git # buildkit",
		"WORKDIR /app",
		"COPY . . # buildkit",
		"USER app",
	})
	want := []Location{base(1), base(1), at(2, 2), at(3, 3), at(9, 9), at(10, 10)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func at(line, end int) Location { return Location{Line: line, EndLine: end} }

func base(line int) Location { return Location{Line: line, EndLine: line, Base: true} }
