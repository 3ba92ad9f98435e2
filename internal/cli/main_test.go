package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/report"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err      error
		want     int
		wantText string
	}{
		{nil, exitOK, ""},
		{errRulesFailed, exitRuleFailed, ""},
		{fmt.Errorf("x: %w", errRulesFailed), exitRuleFailed, ""},
		{errors.New("reading layer 2 (sha256:abcd): unexpected EOF"), exitError, "strata: reading layer 2 (sha256:abcd): unexpected EOF\n"},
		{errors.New("two\nlines"), exitError, "strata: two lines\n"},
		{fmt.Errorf("reading layer 0: %w", context.Canceled), exitError, "strata: interrupted\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if got := ExitCode(&b, tt.err); got != tt.want || b.String() != tt.wantText {
			t.Errorf("ExitCode(%v) = %d, %q; want %d, %q", tt.err, got, b.String(), tt.want, tt.wantText)
		}
	}
}

// TestCommandErrors checks that every kind of bad invocation exits 2 with
// one line on stderr and nothing on stdout.
func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		loadErr error
		want    string // substring of the one stderr line
	}{
		{"no image", nil, nil, "want exactly one IMAGE argument, got 0"},
		{"two images", []string{"a", "b"}, nil, "got 2"},
		{"mistyped command", []string{"compre", "a", "b"}, nil, `unknown command "compre": did you mean strata compare?`},
		{"man without a directory", []string{"man"}, nil, "strata man writes the pages into a directory: name one"},
		{"unknown flag", []string{"--frobnicate", "img"}, nil, "unknown flag: --frobnicate"},
		{"bad ratio", []string{"--lowest-efficiency", "2", "img"}, nil, `invalid argument "2" for "--lowest-efficiency"`},
		{"bad size", []string{"--highest-wasted-bytes", "lots", "img"}, nil, `invalid size "lots"`},
		{"files without json", []string{"--files", "img"}, nil, "--files needs --json"},
		{"load error", []string{"img"}, errors.New("opening img: no such image"), "strata: opening img: no such image"},
		{"missing rules file", []string{"--ci", "--ci-config", "nope.yaml", "img"}, nil, "reading rules file: open nope.yaml"},
		{"json into missing dir", []string{"--json", "no/such/dir/out.json", "img"}, nil, "writing no/such/dir/out.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errb := fakeEnv(it.SampleResult(), tt.loadErr, nil)
			if code := runCmd(t, e, t.TempDir(), tt.args...); code != exitError {
				t.Errorf("exit code = %d, want %d", code, exitError)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out)
			}
			msg := errb.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "strata: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("stderr = %q, want one line starting with \"strata: \" containing %q", msg, tt.want)
			}
		})
	}
}

func TestJSONFlag(t *testing.T) {
	t.Run("stdout", func(t *testing.T) {
		e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
		if code := runCmd(t, e, "", "--json", "-", "img"); code != exitOK {
			t.Fatalf("exit code = %d; stderr: %s", code, errb)
		}
		var r report.JSONReport
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		if r.Image.WastedBytes != 12_000_000 || len(r.Layers) != 3 || len(r.History) != 4 {
			t.Errorf("unexpected report: %+v", r)
		}
	})
	t.Run("file and --ci", func(t *testing.T) {
		dir := t.TempDir()
		e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
		code := runCmd(t, e, dir, "-j", "out.json", "--ci", "img")
		if code != exitRuleFailed {
			t.Errorf("exit code = %d, want %d; stderr: %s", code, exitRuleFailed, errb)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.json")); err != nil {
			t.Error(err)
		}
		if !strings.Contains(out.String(), "FAIL [pass:1 fail:2 skip:1]") || strings.Contains(out.String(), "History:") {
			t.Errorf("stdout = %q, want only the rule results", out)
		}
	})
	t.Run("stdout and --ci", func(t *testing.T) {
		e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
		if code := runCmd(t, e, t.TempDir(), "--json", "-", "--ci", "img"); code != exitRuleFailed {
			t.Errorf("exit code = %d, want %d", code, exitRuleFailed)
		}
		if !json.Valid(out.Bytes()) {
			t.Errorf("stdout is not JSON alone:\n%s", out)
		}
		if !strings.Contains(errb.String(), "FAIL [pass:1 fail:2 skip:1]") {
			t.Errorf("stderr = %q, want the rule results", errb)
		}
	})
}

func TestReportCommand(t *testing.T) {
	e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
	if code := runCmd(t, e, "", "img"); code != exitOK {
		t.Fatalf("exit code = %d; stderr: %s", code, errb)
	}
	// The command prints what package report renders, byte for byte.
	want, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "golden", "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("strata IMAGE printed\n%s\nwant report's golden report.txt:\n%s", out, want)
	}
}

func TestVersionCommand(t *testing.T) {
	e, out, _ := fakeEnv(nil, nil, nil)
	if code := runCmd(t, e, "", "version"); code != exitOK {
		t.Fatalf("exit code = %d", code)
	}
	for _, want := range []string{"version: ", "commit:  ", "date:    ", "go:      go1."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}

// TestInterrupt checks that a cancelled run (Ctrl-C) stops the loader and
// ends with exit 2 and one line, not a stack of wrapped errors.
func TestInterrupt(t *testing.T) {
	e, out, errb := fakeEnv(nil, nil, nil)
	e.load = func(ctx context.Context, _ string, _ loadOptions) (*analyze.Result, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("reading layer 3 (sha256:abcd): %w", ctx.Err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cmd := newRootCmd(e)
	cmd.SetArgs([]string{"img"})
	if code := ExitCode(errb, cmd.ExecuteContext(ctx)); code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	if errb.String() != "strata: interrupted\n" || out.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want only \"strata: interrupted\"", out, errb)
	}
}
