package advice_test

import (
	"strings"
	"testing"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/dockerfile"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestAdviseDockerfileLines: with a Dockerfile matched, every step a
// message names carries its lines ("RUN ... (build/Dockerfile:2-3)"), a
// base image step its FROM; without one the messages are as they always
// were, byte for byte.
func TestAdviseDockerfileLines(t *testing.T) {
	const df = `FROM debian:13
RUN apt-get update && \
    apt-get install -y curl
COPY . /app
RUN cd /app && npm ci
RUN rm -rf /var/lib/apt/lists/* /app/build.log
`
	steps := []step{
		{"/bin/sh -c #(nop) ADD file:abc in / ", []it.Entry{it.Dir("bin"), it.SizedFile("bin/sh", 1000), it.SizedFile("bin/old.tar.gz", 500)}},
		{"RUN /bin/sh -c apt-get update &&     apt-get install -y curl # buildkit", []it.Entry{
			it.Dir("var"), it.Dir("var/lib"), it.Dir("var/lib/apt"), it.Dir("var/lib/apt/lists"), it.SizedFile("var/lib/apt/lists/deb_Packages", 30000),
			it.Dir("usr"), it.Dir("usr/bin"), it.SizedFile("usr/bin/curl", 4000)}},
		{"COPY . /app # buildkit", []it.Entry{it.Dir("app"), it.SizedFile("app/package.json", 100), it.SizedFile("app/index.js", 200), it.SizedFile("app/build.log", 7000)}},
		{"RUN /bin/sh -c cd /app && npm ci # buildkit", []it.Entry{it.Dir("app/node_modules"), it.SizedFile("app/node_modules/x.js", 900)}},
		{"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* /app/build.log # buildkit", []it.Entry{it.Whiteout("var/lib/apt/lists/deb_Packages"), it.Whiteout("app/build.log"), it.Whiteout("bin/old.tar.gz")}},
	}
	res := analyse(t, false, steps...)
	plain := advice.Advise(res)
	if len(plain) < 3 {
		t.Fatalf("%d findings; the test checks too little: %+v", len(plain), plain)
	}
	for _, a := range plain {
		if strings.Contains(a.Message, "Dockerfile") {
			t.Errorf("a Dockerfile line without a Dockerfile: %s", a.Message)
		}
	}

	f, err := dockerfile.Parse("build/Dockerfile", strings.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	f.Apply(res)
	placed := advice.Advise(res)
	if len(placed) != len(plain) {
		t.Fatalf("%d findings with the Dockerfile, %d without", len(placed), len(plain))
	}
	// Where each step is; the base image's steps are on the FROM.
	lines := map[string]string{
		"ADD file:abc in /":                              "base image, build/Dockerfile:1",
		"RUN apt-get update && apt-get install -y curl":  "build/Dockerfile:2-3",
		"COPY . /app":                                    "build/Dockerfile:4",
		"RUN cd /app && npm ci":                          "build/Dockerfile:5",
		"RUN rm -rf /var/lib/apt/lists/* /app/build.log": "build/Dockerfile:6",
	}
	named := 0
	for i, a := range placed {
		// Putting the lines back out gives the message without them.
		stripped := a.Message
		for _, w := range lines {
			stripped = strings.ReplaceAll(stripped, " ("+w+")", "")
			stripped = strings.ReplaceAll(stripped, ", "+w+")", ")")
		}
		if stripped != plain[i].Message {
			t.Errorf("finding %d:\n with:    %s\n without: %s", i, a.Message, plain[i].Message)
		}
		for cmd, w := range lines {
			if strings.Contains(plain[i].Message, cmd) {
				named++
				if !strings.Contains(a.Message, cmd+" ("+w+")") && !strings.Contains(a.Message, cmd+" (step") {
					t.Errorf("finding %d names %q without its lines %s: %s", i, cmd, w, a.Message)
				}
			}
		}
	}
	if named == 0 {
		t.Fatal("no finding names a step; the test checks nothing")
	}
}
