package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

func TestDefaultRules(t *testing.T) {
	r := defaultRules()
	if l := r[ruleLowestEfficiency]; !l.enabled || l.frac != 0.9 {
		t.Errorf("lowest-efficiency default = %+v, want 0.9", l)
	}
	if l := r[ruleHighestWastedBytes]; l.enabled {
		t.Errorf("highest-wasted-bytes default = %+v, want disabled", l)
	}
	if l := r[ruleHighestUserWastedPercent]; !l.enabled || l.frac != 0.1 {
		t.Errorf("highest-user-wasted-percent default = %+v, want 0.1", l)
	}
}

func TestParseFraction(t *testing.T) {
	tests := []struct {
		in      string
		want    limit
		wantErr bool
	}{
		{in: "0.9", want: limit{enabled: true, frac: 0.9}},
		{in: "0", want: limit{enabled: true, frac: 0}},
		{in: "1", want: limit{enabled: true, frac: 1}},
		{in: "95%", want: limit{enabled: true, frac: 0.95}},
		{in: "disabled", want: limit{}},
		{in: "OFF", want: limit{}},
		{in: "false", want: limit{}},
		{in: "", want: limit{}},
		{in: "1.5", wantErr: true},
		{in: "-0.1", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "high", wantErr: true},
		{in: "true", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseFraction(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseFraction(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFraction(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseRulesFile(t *testing.T) {
	on := func(f float64) *limit { return &limit{enabled: true, frac: f} }
	bytesOn := func(n int64) *limit { return &limit{enabled: true, bytes: n} }
	off := &limit{}
	tests := []struct {
		name    string
		yaml    string
		want    ruleOverrides
		wantErr string // substring; "" means no error
	}{
		{
			name: "kebab",
			yaml: "rules:\n  lowest-efficiency: 0.95\n  highest-wasted-bytes: 20MB\n  highest-user-wasted-percent: 0.2\n",
			want: ruleOverrides{on(0.95), bytesOn(20_000_000), on(0.2)},
		},
		{
			name: "dive camelCase",
			yaml: "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 1GiB\n  highestUserWastedPercent: 0.20\n",
			want: ruleOverrides{on(0.95), bytesOn(1 << 30), on(0.2)},
		},
		{
			name: "disabling words",
			yaml: "rules:\n  lowest-efficiency: disabled\n  highestWastedBytes: off\n  highest-user-wasted-percent: false\n",
			want: ruleOverrides{off, off, off},
		},
		{
			name: "empty string and null disable",
			yaml: "rules:\n  lowest-efficiency: \"\"\n  highest-user-wasted-percent:\n",
			want: ruleOverrides{off, nil, off},
		},
		{name: "partial", yaml: "rules:\n  highest-wasted-bytes: 20mb\n", want: ruleOverrides{nil, bytesOn(20_000_000), nil}},
		{name: "plain bytes", yaml: "rules:\n  highest-wasted-bytes: 1048576\n", want: ruleOverrides{nil, bytesOn(1 << 20), nil}},
		{name: "empty file", yaml: ""},
		{name: "only a comment", yaml: "# nothing\n"},
		{name: "empty rules", yaml: "rules:\n"},
		{name: "unknown rule", yaml: "rules:\n  lowest-efficency: 0.9\n", wantErr: `ci.yaml:2: unknown rule "lowest-efficency"`},
		{name: "unknown top-level key", yaml: "ci: true\nrules: {}\n", wantErr: `ci.yaml:1: unknown key "ci"`},
		{name: "set twice", yaml: "rules:\n  lowest-efficiency: 0.9\n  lowestEfficiency: 0.8\n", wantErr: "set twice"},
		{name: "bad fraction", yaml: "rules:\n  lowest-efficiency: 9\n", wantErr: "ci.yaml:2: lowest-efficiency: invalid value"},
		{name: "bad size", yaml: "rules:\n  highest-wasted-bytes: lots\n", wantErr: "ci.yaml:2: highest-wasted-bytes: invalid size"},
		{name: "list value", yaml: "rules:\n  lowest-efficiency: [0.9]\n", wantErr: "want a single value"},
		{name: "not a mapping", yaml: "- rules\n", wantErr: "want a mapping"},
		{name: "bad yaml", yaml: "rules: [\n", wantErr: "ci.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRulesFile("ci.yaml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if (g == nil) != (w == nil) || (g != nil && !reflect.DeepEqual(*g, *w)) {
					t.Errorf("rule %d = %v, want %v", i, g, w)
				}
			}
		})
	}
}

func TestEvaluateRules(t *testing.T) {
	res := func(eff float64, wasted int64, userPct float64, userBytes int64) *analyze.Result {
		return &analyze.Result{
			Image: analyze.Summary{SizeBytes: 1000 + userBytes, Efficiency: eff, WastedBytes: wasted, UserWastedPercent: userPct},
			Layers: []analyze.Layer{
				{Index: 0, SizeBytes: 1000},
				{Index: 1, SizeBytes: userBytes},
			},
		}
	}
	all := rules{
		{enabled: true, frac: 0.9},
		{enabled: true, bytes: 100},
		{enabled: true, frac: 0.1},
	}
	tests := []struct {
		name string
		res  *analyze.Result
		r    rules
		want []verdict
	}{
		{"all pass", res(0.95, 50, 0.05, 10), all, []verdict{verdictPass, verdictPass, verdictPass}},
		{"at the thresholds", res(0.9, 100, 0.1, 10), all, []verdict{verdictPass, verdictPass, verdictPass}},
		{"just past the thresholds", res(0.8999, 101, 0.1001, 10), all, []verdict{verdictFail, verdictFail, verdictFail}},
		{"disabled", res(0.1, 1e9, 0.9, 10), rules{}, []verdict{verdictSkip, verdictSkip, verdictSkip}},
		{"no user bytes", res(0.95, 0, 0, 0), all, []verdict{verdictPass, verdictPass, verdictSkip}},
		{"empty image", &analyze.Result{Image: analyze.Summary{Efficiency: 1}}, all, []verdict{verdictSkip, verdictPass, verdictSkip}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := evaluateRules(tt.res, tt.r)
			if len(outs) != len(tt.want) {
				t.Fatalf("%d outcomes, want %d", len(outs), len(tt.want))
			}
			for i, o := range outs {
				want := verdictSkip
				if i < len(tt.want) {
					want = tt.want[i]
				}
				if o.verdict != want {
					t.Errorf("%s = %s (%s), want %s", o.rule, o.verdict, o.detail, want)
				}
			}
		})
	}
}

func TestFmtRatios(t *testing.T) {
	tests := []struct {
		got, want float64
		gs, ws    string
	}{
		{0.98123456, 0.9, "0.9812", "0.9"},
		{0.9, 0.9, "0.9", "0.9"},
		{0.89999, 0.9, "0.89999", "0.9"},
		{0.900001, 0.9, "0.900001", "0.9"},
		{0, 0.1, "0", "0.1"},
	}
	for _, tt := range tests {
		g, w := fmtRatios(tt.got, tt.want)
		if g != tt.gs || w != tt.ws {
			t.Errorf("fmtRatios(%v, %v) = %q, %q; want %q, %q", tt.got, tt.want, g, w, tt.gs, tt.ws)
		}
	}
}

func TestCIOutput(t *testing.T) {
	e, out, errb := fakeEnv(sampleResult(), nil, nil)
	code := runCmd(t, e, t.TempDir(), "--ci", "--highest-wasted-bytes", "20MB", "img")
	if code != exitRuleFailed {
		t.Errorf("exit code = %d, want %d; stderr: %s", code, exitRuleFailed, errb)
	}
	if errb.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errb)
	}
	checkGolden(t, "ci_fail.txt", out.Bytes())
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
	}{
		{
			name:     "defaults fail",
			args:     []string{"--ci"},
			wantCode: exitRuleFailed,
			want:     []string{"FAIL  lowest-efficiency: 0.85 < 0.9", "SKIP  highest-wasted-bytes: disabled", "FAIL  highest-user-wasted-percent: 0.4 > 0.1", "FAIL [pass:0 fail:2 skip:1]"},
		},
		{
			name:     "CI=true turns CI mode on",
			env:      map[string]string{"CI": "true"},
			wantCode: exitRuleFailed,
			want:     []string{"FAIL [pass:0 fail:2 skip:1]"},
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
			want:     []string{"Rules (from .strata-ci.yaml):", "PASS  lowest-efficiency: 0.85 >= 0.8", "PASS [pass:2 fail:0 skip:1]"},
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
			want:     []string{"FAIL  lowest-efficiency: 0.85 < 0.99", "PASS  highest-wasted-bytes: 12 MB (12000000 bytes) <= 1.0 GB (1000000000 bytes)", "SKIP  highest-user-wasted-percent: disabled"},
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
			want:     []string{"PASS [pass:0 fail:0 skip:3]"},
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
			e, out, errb := fakeEnv(sampleResult(), nil, tt.env)
			code := runCmd(t, e, dir, append(tt.args, "img")...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, errb)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(strings.Join(tt.args, " "), "-q") && strings.Contains(out.String(), "History:") {
				t.Errorf("-q printed the report:\n%s", out)
			}
		})
	}
}
