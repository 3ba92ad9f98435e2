package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// adviceShown bounds the findings the text report prints; --json has all.
const adviceShown = 10

// JSONAdvice is one finding in --json output.
type JSONAdvice struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Bytes   int64  `json:"bytes"`
	Layers  []int  `json:"layers"`
}

// adviceJSON lists every finding for --json.
func adviceJSON(res *analyze.Result) []JSONAdvice {
	as := advice.Advise(res)
	out := make([]JSONAdvice, 0, len(as))
	for _, a := range as {
		layers := a.Layers
		if layers == nil {
			layers = []int{}
		}
		out = append(out, JSONAdvice{Kind: a.Kind, Message: cleanString(a.Message), Bytes: a.Bytes, Layers: layers})
	}
	return out
}

// writeAdvice adds the report's Advice section, when there is any.
func writeAdvice(b io.Writer, res *analyze.Result) {
	as := advice.Advise(res)
	if len(as) == 0 {
		return
	}
	io.WriteString(b, "\nAdvice:\n")
	n := min(len(as), adviceShown)
	for _, a := range as[:n] {
		layers := make([]string, len(a.Layers))
		for i, l := range a.Layers {
			layers[i] = strconv.Itoa(l)
		}
		fmt.Fprintf(b, "  %*s  [%s] %s (layers %s)\n", colSize, units.Bytes(a.Bytes), a.Kind, printable(a.Message), strings.Join(layers, ","))
	}
	if rest := len(as) - n; rest > 0 {
		fmt.Fprintf(b, "  ... and %d more (see --json)\n", rest)
	}
}
