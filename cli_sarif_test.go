package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validateSARIF checks log against the published SARIF 2.1.0 schema,
// vendored under report/testdata.
func validateSARIF(t *testing.T, log []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	sdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", sdoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, log)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("the log does not validate: %v\n%s", err, log)
	}
}

// TestDocsCodeScanning runs the documented code scanning job on the docs
// image, built (as far as history goes) from a Dockerfile beside it: the
// log validates, and with waste the apt lists are a warning on the RUN
// that stored them.
func TestDocsCodeScanning(t *testing.T) {
	cmds := docCommands(t, "GitHub code scanning")
	df := "FROM debian:13\nRUN apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n"
	for _, wasteful := range []bool{false, true} {
		dir := t.TempDir()
		fixture := filepath.Join(dir, "app.tar")
		docImage(t, fixture, wasteful)
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			want := exitOK
			if wasteful {
				want = exitRuleFailed
			}
			if r := runDocCommand(t, dir, c, fixture); r.code != want {
				t.Errorf("%s (wasteful %v): exit %d, want %d: %s", c, wasteful, r.code, want, r.stderr)
			}
		}
		log, err := os.ReadFile(filepath.Join(dir, "strata.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		validateSARIF(t, log)
		located := strings.Contains(string(log), `"uri": "Dockerfile"`) && strings.Contains(string(log), `"startLine": 2`)
		if located != wasteful {
			t.Errorf("wasteful %v: located on Dockerfile:2 %v:\n%s", wasteful, located, log)
		}
	}
}

// TestCLISARIF runs the binary with --format sarif on the tiny image and
// a Dockerfile that built it, from the directory above the Dockerfile as a
// CI job would: the log validates against the published schema, the
// rules fail as errors, and the apk index that step 2 stored and step 3
// deleted is a warning on line 2, named relative to the working directory.
func TestCLISARIF(t *testing.T) {
	img := "docker-archive:" + writeTiny(t)
	dir := t.TempDir()
	df := `FROM alpine:3.20
RUN apk add --no-progress curl
RUN rm -rf /var/cache/apk/* && \
    adduser -D app
ENV APP_ENV=production
COPY app /app
RUN rm -rf /app/tmp && mkdir /app/tmp
CMD ["/app/server"]
`
	if err := os.MkdirAll(filepath.Join(dir, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "build", "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "--no-cache", "--format", "sarif", "--dockerfile", filepath.Join(dir, "build", "Dockerfile"), img)
	if r.code != exitRuleFailed {
		t.Fatalf("exit %d, want %d (the tiny image fails the default rules): %s", r.code, exitRuleFailed, r.stderr)
	}

	validateSARIF(t, []byte(r.stdout))

	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Name, Version string }
			}
			Results []struct {
				RuleID, Level string
				Message       struct{ Text string }
				Locations     []struct {
					Physical struct {
						Artifact struct{ URI string } `json:"artifactLocation"`
						Region   struct{ StartLine, EndLine int }
					} `json:"physicalLocation"`
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name != "strata" || run.Tool.Driver.Version == "" {
		t.Errorf("driver %+v", run.Tool.Driver)
	}
	var errors, apk int
	for _, res := range run.Results {
		if res.Level == "error" {
			errors++
		}
		if strings.HasPrefix(res.Message.Text, "RUN apk add") && res.RuleID == "stored-then-hidden" {
			// Stored by line 2, hidden by lines 3-4: both are located.
			apk++
			var at []string
			for _, l := range res.Locations {
				at = append(at, fmt.Sprintf("%s:%d-%d", l.Physical.Artifact.URI, l.Physical.Region.StartLine, l.Physical.Region.EndLine))
			}
			if want := []string{"build/Dockerfile:2-2", "build/Dockerfile:3-4"}; !slices.Equal(at, want) {
				t.Errorf("the apk finding is at %v, want %v", at, want)
			}
		}
	}
	if errors == 0 || apk != 1 {
		t.Errorf("%d errors, %d apk findings:\n%s", errors, apk, r.stdout)
	}
}

// TestCLISARIFError: a run that fails before any rule (no such image)
// still writes a log that validates, with an unsuccessful invocation
// carrying the error and no results, and exits 2.
func TestCLISARIFError(t *testing.T) {
	dir := t.TempDir()
	r := run(t, dir, "--format", "sarif", "docker-archive:"+filepath.Join(dir, "missing.tar"))
	if r.code != exitError {
		t.Fatalf("exit %d, want %d", r.code, exitError)
	}
	validateSARIF(t, []byte(r.stdout))
	var doc struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Level   string
					Message struct{ Text string }
				} `json:"toolExecutionNotifications"`
			}
			Results []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Runs) != 1 || len(doc.Runs[0].Invocations) != 1 {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	inv := doc.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.Notifications) != 1 || inv.Notifications[0].Level != "error" ||
		!strings.Contains(inv.Notifications[0].Message.Text, "missing.tar") || len(doc.Runs[0].Results) != 0 {
		t.Errorf("log of a failed run:\n%s", r.stdout)
	}
}
