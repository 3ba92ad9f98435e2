package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"

	"github.com/strata-cli/strata/internal/golden"
)

func TestCIOutput(t *testing.T) {
	e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
	code := runCmd(t, e, t.TempDir(), "--ci", "--highest-wasted-bytes", "20MB", "img")
	if code != exitRuleFailed {
		t.Errorf("exit code = %d, want %d; stderr: %s", code, exitRuleFailed, errb)
	}
	if errb.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errb)
	}
	golden.Check(t, "ci_fail.txt", out.Bytes())
}

// TestRulesPrecedence checks defaults < rules file < flags, the dive
// spellings, and where the rules file is looked for.
func TestRulesPrecedence(t *testing.T) {
	// sampleResult: efficiency 0.85, wasted 12 MB, user wasted 0.4.
	tests := []struct {
		name     string
		files    map[string]string
		args     []string
		env      map[string]string
		wantCode int
		want     []string // lines the output must contain
		never    []string // text the output must not contain
	}{
		{
			name:     "defaults fail",
			args:     []string{"--ci"},
			wantCode: exitRuleFailed,
			want:     []string{"FAIL  lowest-efficiency: 0.85 < 0.9", "SKIP  highest-wasted-bytes: disabled", "FAIL  highest-user-wasted-percent: 0.4 > 0.1", "FAIL [pass:1 fail:2 skip:1]"},
		},
		{
			name:     "CI=true turns CI mode on",
			env:      map[string]string{"CI": "true"},
			wantCode: exitRuleFailed,
			want:     []string{"FAIL [pass:1 fail:2 skip:1]"},
		},
		{
			name:     "CI=false does not",
			env:      map[string]string{"CI": "false"},
			wantCode: exitOK,
		},
		{
			name:     ".strata-ci.yaml is read by default",
			files:    map[string]string{".strata-ci.yaml": "rules:\n  lowest-efficiency: 0.8\n  highest-user-wasted-percent: 0.5\n"},
			args:     []string{"--ci"},
			wantCode: exitOK,
			want:     []string{"Rules (from .strata-ci.yaml):", "PASS  lowest-efficiency: 0.85 >= 0.8", "PASS [pass:3 fail:0 skip:1]"},
		},
		{
			name:     ".dive-ci is read when there is no .strata-ci.yaml",
			files:    map[string]string{".dive-ci": "rules:\n  lowestEfficiency: 0.8\n  highestUserWastedPercent: disabled\n"},
			args:     []string{"--ci"},
			wantCode: exitOK,
			want:     []string{"Rules (from .dive-ci):", "SKIP  highest-user-wasted-percent: disabled"},
		},
		{
			name: ".strata-ci.yaml wins over .dive-ci",
			files: map[string]string{
				".strata-ci.yaml": "rules:\n  lowest-efficiency: 0.8\n  highest-user-wasted-percent: off\n",
				".dive-ci":        "rules:\n  lowestEfficiency: 0.99\n",
			},
			args:     []string{"--ci"},
			wantCode: exitOK,
			want:     []string{"Rules (from .strata-ci.yaml):"},
		},
		{
			name:     "flags beat the file",
			files:    map[string]string{"rules.yaml": "rules:\n  lowest-efficiency: 0.8\n  highest-user-wasted-percent: off\n"},
			args:     []string{"--ci", "--ci-config", "rules.yaml", "--lowest-efficiency", "0.99", "--highest-wasted-bytes", "1GB"},
			wantCode: exitRuleFailed,
			want:     []string{"Rules (from rules.yaml, --lowest-efficiency, --highest-wasted-bytes):", "FAIL  lowest-efficiency: 0.85 < 0.99", "PASS  highest-wasted-bytes: 12 MB (12000000 bytes) <= 1.0 GB (1000000000 bytes)", "SKIP  highest-user-wasted-percent: disabled"},
		},
		{
			name:     "a file whose every rule a flag replaced is not named",
			files:    map[string]string{".dive-ci": "rules:\n  lowestEfficiency: 0.99\n"},
			args:     []string{"--ci", "--lowest-efficiency", "0.5", "--highest-user-wasted-percent", "off"},
			wantCode: exitOK,
			want:     []string{"Rules (from --lowest-efficiency, --highest-user-wasted-percent):", "PASS  lowest-efficiency: 0.85 >= 0.5"},
			never:    []string{".dive-ci"},
		},
		{
			name:     "a path-rule flag adds to the file, which is still named",
			files:    map[string]string{".strata-ci.yaml": "rules:\n  block: ['**/*.pem']\n"},
			args:     []string{"--ci", "--block", "**/*.key"},
			wantCode: exitRuleFailed,
			want:     []string{"Rules (from .strata-ci.yaml, --block):"},
		},
		{
			name:     "dive camelCase flags",
			args:     []string{"--ci", "--lowestEfficiency=0.5", "--highestUserWastedPercent", "disabled", "--highestWastedBytes", "10MB"},
			wantCode: exitRuleFailed,
			want:     []string{"PASS  lowest-efficiency", "FAIL  highest-wasted-bytes: 12 MB (12000000 bytes) > 10 MB (10000000 bytes)", "SKIP  highest-user-wasted-percent"},
		},
		{
			name:     "quiet prints only the rules",
			args:     []string{"--ci", "-q", "--lowest-efficiency", "off", "--highest-user-wasted-percent", "off"},
			wantCode: exitOK,
			want:     []string{"PASS [pass:1 fail:0 skip:3]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			e, out, errb := fakeEnv(it.SampleResult(), nil, tt.env)
			code := runCmd(t, e, dir, append(tt.args, "img")...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, errb)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(out.String(), n) {
					t.Errorf("output holds %q:\n%s", n, out)
				}
			}
			if strings.Contains(strings.Join(tt.args, " "), "-q") && strings.Contains(out.String(), "History:") {
				t.Errorf("-q printed the report:\n%s", out)
			}
		})
	}
}
