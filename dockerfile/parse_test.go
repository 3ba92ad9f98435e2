package dockerfile

import (
	"strings"
	"testing"
)

const sample = `# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO} AS build
WORKDIR /src
# the module first, for the cache
COPY go.mod go.sum ./
RUN go mod download && \
    # comments inside a continuation are dropped
    go build -o /out/app ./...

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/app /usr/local/bin/app
RUN <<EOF
set -e
echo hello > /etc/motd
EOF
ENV PATH=/usr/local/bin:$PATH APP_MODE=prod
CMD ["app"]
`

func TestParse(t *testing.T) {
	f, err := Parse("Dockerfile", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 2 || f.Stages[0].Name != "build" || f.Stages[0].Base != "golang:${GO}" || f.Stages[1].Base != "debian:bookworm-slim" {
		t.Fatalf("stages: %+v", f.Stages)
	}
	type want struct {
		kw, args      string
		line, endLine int
	}
	check := func(stage int, ws []want) {
		t.Helper()
		body := f.Stages[stage].Body
		if len(body) != len(ws) {
			t.Fatalf("stage %d has %d instructions, want %d: %+v", stage, len(body), len(ws), body)
		}
		for i, w := range ws {
			in := body[i]
			if in.Keyword != w.kw || in.Args != w.args || in.Line != w.line || in.EndLine != w.endLine {
				t.Errorf("stage %d instruction %d: %s %q lines %d-%d, want %s %q lines %d-%d", stage, i, in.Keyword, in.Args, in.Line, in.EndLine, w.kw, w.args, w.line, w.endLine)
			}
		}
	}
	check(0, []want{
		{"WORKDIR", "/src", 4, 4},
		{"COPY", "go.mod go.sum ./", 6, 6},
		{"RUN", "go mod download && go build -o /out/app ./...", 7, 9},
	})
	check(1, []want{
		{"RUN", "apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*", 12, 14},
		{"COPY", "--from=build /out/app /usr/local/bin/app", 15, 15},
		{"RUN", "<<EOF", 16, 19},
		{"ENV", "PATH=/usr/local/bin:$PATH APP_MODE=prod", 20, 20},
		{"CMD", `["app"]`, 21, 21},
	})
	if from := f.Stages[1].From; from.Line != 11 {
		t.Errorf("second FROM on line %d, want 11", from.Line)
	}
}

func TestParseEscapeDirective(t *testing.T) {
	src := "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo done\n"
	f, err := Parse("Dockerfile", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	in := f.Stages[0].Body[0]
	if in.Args != `dir c:\ && echo done` || in.Line != 3 || in.EndLine != 4 {
		t.Errorf("with escape=`: %q lines %d-%d", in.Args, in.Line, in.EndLine)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "RUN echo no FROM\n", strings.Repeat("x", maxFileSize+10)} {
		if _, err := Parse("Dockerfile", strings.NewReader(src)); err == nil || !strings.Contains(err.Error(), "Dockerfile") {
			t.Errorf("Parse(%.20q...): %v, want an error naming the file", src, err)
		}
	}
}

// FuzzParse: any input parses or fails without panicking, and every
// instruction's lines are in the file and in order.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("FROM a\nRUN <<-X\n\tx\n\tX\nRUN b \\\n\n")
	f.Add("# escape=`\nFROM a `\nAS b\n")
	f.Fuzz(func(t *testing.T, src string) {
		df, err := Parse("Dockerfile", strings.NewReader(src))
		if err != nil {
			return
		}
		n := strings.Count(src, "\n") + 1
		last := 0
		for _, s := range df.Stages {
			for _, in := range append([]Instruction{s.From}, s.Body...) {
				if in.Line <= last || in.EndLine < in.Line || in.EndLine > n {
					t.Fatalf("instruction %s at lines %d-%d after line %d, file of %d lines", in.Keyword, in.Line, in.EndLine, last, n)
				}
				last = in.EndLine
			}
		}
		df.Match([]string{"RUN /bin/sh -c x # buildkit", "COPY . . # buildkit"})
	})
}
