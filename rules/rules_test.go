package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

func TestDefaultRules(t *testing.T) {
	r := Defaults()
	if l := r[LowestEfficiency]; !l.Enabled || l.Frac != 0.9 {
		t.Errorf("lowest-efficiency default = %+v, want 0.9", l)
	}
	if l := r[HighestWastedBytes]; l.Enabled {
		t.Errorf("highest-wasted-bytes default = %+v, want disabled", l)
	}
	if l := r[HighestUserWastedPercent]; !l.Enabled || l.Frac != 0.1 {
		t.Errorf("highest-user-wasted-percent default = %+v, want 0.1", l)
	}
}

func TestParseFraction(t *testing.T) {
	tests := []struct {
		in      string
		want    Limit
		wantErr bool
	}{
		{in: "0.9", want: Limit{Enabled: true, Frac: 0.9}},
		{in: "0", want: Limit{Enabled: true, Frac: 0}},
		{in: "1", want: Limit{Enabled: true, Frac: 1}},
		{in: "95%", want: Limit{Enabled: true, Frac: 0.95}},
		{in: "disabled", want: Limit{}},
		{in: "OFF", want: Limit{}},
		{in: "false", want: Limit{}},
		{in: "", want: Limit{}},
		{in: "1.5", wantErr: true},
		{in: "-0.1", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "high", wantErr: true},
		{in: "true", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseFraction(tt.in)
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
	on := func(f float64) *Limit { return &Limit{Enabled: true, Frac: f} }
	bytesOn := func(n int64) *Limit { return &Limit{Enabled: true, Bytes: n} }
	off := &Limit{}
	tests := []struct {
		name    string
		yaml    string
		want    Overrides
		wantErr string // substring; "" means no error
	}{
		{
			name: "kebab",
			yaml: "rules:\n  lowest-efficiency: 0.95\n  highest-wasted-bytes: 20MB\n  highest-user-wasted-percent: 0.2\n",
			want: Overrides{on(0.95), bytesOn(20_000_000), on(0.2)},
		},
		{
			name: "dive camelCase",
			yaml: "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 1GiB\n  highestUserWastedPercent: 0.20\n",
			want: Overrides{on(0.95), bytesOn(1 << 30), on(0.2)},
		},
		{
			name: "disabling words",
			yaml: "rules:\n  lowest-efficiency: disabled\n  highestWastedBytes: off\n  highest-user-wasted-percent: false\n",
			want: Overrides{off, off, off},
		},
		{
			name: "empty string and null disable",
			yaml: "rules:\n  lowest-efficiency: \"\"\n  highest-user-wasted-percent:\n",
			want: Overrides{off, nil, off},
		},
		{name: "partial", yaml: "rules:\n  highest-wasted-bytes: 20mb\n", want: Overrides{nil, bytesOn(20_000_000), nil}},
		{name: "plain bytes", yaml: "rules:\n  highest-wasted-bytes: 1048576\n", want: Overrides{nil, bytesOn(1 << 20), nil}},
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
		{
			name: "dive's plugins and plugin rules",
			yaml: "plugins:\n  - plugin1\nrules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20Mb\n  plugin1/rule1: error\n",
			want: Overrides{on(0.95), bytesOn(20_000_000), nil},
		},
		{name: "blank plugin name", yaml: "plugins: [\"\"]\n", wantErr: "ci.yaml:1: plugins: line 1: want a plugin name"},
		{name: "plugins not a list", yaml: "plugins: plugin1\n", wantErr: "ci.yaml:1: plugins: want a list of plugin names"},
		{name: "a rule without a slash is still checked", yaml: "plugins: [p]\nrules:\n  p-rule: error\n", wantErr: `unknown rule "p-rule"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFile("ci.yaml", []byte(tt.yaml))
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

// TestParseIgnored: the plugin rules, and the plugins that set none, are
// named in File.Ignored in the file's order.
func TestParseIgnored(t *testing.T) {
	f, err := Parse("ci.yaml", []byte("plugins: [plugin1, plugin2]\nrules:\n  plugin1/rule1: error\n  lowest-efficiency: 0.5\n  other/x: [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Ignored, ","); got != "plugin1/rule1,other/x,plugin2" {
		t.Errorf("Ignored = %q, want plugin1/rule1,other/x,plugin2", got)
	}
	if f.Rules[LowestEfficiency] == nil || f.Rules[LowestEfficiency].Frac != 0.5 {
		t.Errorf("the known rule was not read: %+v", f.Rules)
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
	all := Set{
		{Enabled: true, Frac: 0.9},
		{Enabled: true, Bytes: 100},
		{Enabled: true, Frac: 0.1},
	}
	tests := []struct {
		name string
		res  *analyze.Result
		r    Set
		want []Verdict
	}{
		{"all pass", res(0.95, 50, 0.05, 10), all, []Verdict{Pass, Pass, Pass}},
		{"at the thresholds", res(0.9, 100, 0.1, 10), all, []Verdict{Pass, Pass, Pass}},
		{"just past the thresholds", res(0.8999, 101, 0.1001, 10), all, []Verdict{Fail, Fail, Fail}},
		{"disabled", res(0.1, 1e9, 0.9, 10), Set{}, []Verdict{Skip, Skip, Skip}},
		{"no user bytes", res(0.95, 0, 0, 0), all, []Verdict{Pass, Pass, Skip}},
		{"empty image", &analyze.Result{Image: analyze.Summary{Efficiency: 1}}, all, []Verdict{Skip, Pass, Skip}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := Evaluate(tt.res, tt.r)
			if len(outs) != len(tt.want) {
				t.Fatalf("%d outcomes, want %d", len(outs), len(tt.want))
			}
			for i, o := range outs {
				want := Skip
				if i < len(tt.want) {
					want = tt.want[i]
				}
				if o.Verdict != want {
					t.Errorf("%s = %s (%s), want %s", o.Rule, o.Verdict, o.Detail, want)
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
