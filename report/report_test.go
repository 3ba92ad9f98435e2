package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/golden"
)

func TestReportGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		o      ReportOptions
	}{
		{"report.txt", ReportOptions{Width: DefaultReportWidth, TopN: 10}},
		{"report_narrow.txt", ReportOptions{Width: 60, TopN: 2}},
		{"report_notrunc.txt", ReportOptions{Width: 60, TopN: 10, NoTrunc: true}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteReport(&b, it.SampleResult(), tt.o); err != nil {
				t.Fatal(err)
			}
			if !tt.o.NoTrunc {
				// Commands are cut to the width; paths are never cut.
				_, hist, _ := strings.Cut(b.String(), "History:\n")
				hist, _, _ = strings.Cut(hist, "\n\n")
				for _, line := range strings.Split(hist, "\n") {
					if n := len([]rune(line)); n > tt.o.Width {
						t.Errorf("history line is %d columns, want at most %d: %q", n, tt.o.Width, line)
					}
				}
			}
			golden.Check(t, tt.golden, b.Bytes())
		})
	}
}

func TestReportEmptyImage(t *testing.T) {
	var b bytes.Buffer
	res := &analyze.Result{Image: analyze.Summary{Reference: "oci://empty", Efficiency: 1}}
	if err := WriteReport(&b, res, ReportOptions{Width: 80, TopN: 10}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Efficiency:  100.00%", "Digest:      -", "Wasted files:\n  none\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestHistoryRows(t *testing.T) {
	res := &analyze.Result{
		Layers: []analyze.Layer{
			{Index: 0, SizeBytes: 10, Command: "ADD a"},
			{Index: 1, SizeBytes: 20, WastedBytes: 5, Command: "RUN b"},
		},
		// History claims only the first layer, and has an empty step.
		History: []analyze.HistoryEntry{
			{CreatedBy: "ADD a", LayerIndex: 0},
			{CreatedBy: "ENV x=1", EmptyLayer: true, LayerIndex: -1},
		},
	}
	got := slices.Collect(historyRows(res))
	want := []historyRow{
		{index: "0", size: 10, command: "ADD a"},
		{index: "-", command: "ENV x=1"},
		{index: "1", size: 20, wasted: 5, command: "RUN b"},
	}
	if len(got) != len(want) {
		t.Fatalf("historyRows = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDisplayCommand(t *testing.T) {
	tests := []struct{ in, want string }{
		{`/bin/sh -c #(nop)  CMD ["bash"]`, `CMD ["bash"]`},
		{`/bin/sh -c #(nop) ADD file:abc in / `, `ADD file:abc in /`},
		{"RUN /bin/sh -c apt-get update \\\n\t&& apt-get install -y curl", `RUN apt-get update \ && apt-get install -y curl`},
		{"/bin/sh -c echo hi", "RUN echo hi"},
		{"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", "RUN rm -rf /var/lib/apt/lists/*"},
		{"", ""},
		{"COPY a\x00b", `COPY a\x00b`},
	}
	for _, tt := range tests {
		if got := displayCommand(tt.in); got != tt.want {
			t.Errorf("displayCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"this is too long", 10, "this is..."},
		{"héllo wörld", 8, "héllo..."},
		{"abcdef", 1, "a..."},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
