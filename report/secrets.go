package report

import (
	"bufio"
	"fmt"

	"github.com/strata-cli/strata/analyze"
)

// JSONSecret is one file that looks like a credential. It never holds
// the secret: the fingerprint is the first 8 hex digits of the sha256 of
// what matched, enough to tell two findings apart.
type JSONSecret struct {
	Path        string `json:"path"`
	Kind        string `json:"kind"`
	Fingerprint string `json:"fingerprint"`
	Layer       int    `json:"layer"` // the layer that stores it
	// HiddenIn is the layer that deleted or overwrote it; null when it is
	// visible in the final image.
	HiddenIn *int   `json:"hiddenIn"`
	Where    string `json:"where"` // "deleted in layer 5, still readable in layer 3"
}

func jsonSecrets(res *analyze.Result) []JSONSecret {
	out := make([]JSONSecret, 0, len(res.Secrets))
	for _, s := range res.Secrets {
		js := JSONSecret{Path: cleanString(s.Path), Kind: string(s.Kind), Fingerprint: s.Fingerprint, Layer: s.Layer, Where: s.Where()}
		if s.HiddenAt != analyze.NotHidden {
			h := s.HiddenAt
			js.HiddenIn = &h
		}
		out = append(out, js)
	}
	return out
}

// writeSecrets adds the Secrets section to the plain report, only when
// there are findings.
func writeSecrets(b *bufio.Writer, res *analyze.Result) {
	if len(res.Secrets) == 0 {
		return
	}
	kind := len("KIND")
	for _, s := range res.Secrets {
		kind = max(kind, len(s.Kind))
	}
	b.WriteString("\nSecrets (never printed; a deleted one is still in its layer):\n")
	fmt.Fprintf(b, "  %-*s  %-11s  %s\n", kind, "KIND", "FINGERPRINT", "PATH")
	for _, s := range res.Secrets {
		fmt.Fprintf(b, "  %-*s  %-11s  %s: %s\n", kind, s.Kind, s.Fingerprint, printable(s.Path), s.Where())
	}
}

// writeMarkdownSecrets adds the findings to the Markdown summary, only
// when there are any: the one finding a reviewer must not scroll past.
func writeMarkdownSecrets(b *bufio.Writer, res *analyze.Result) {
	if res == nil || len(res.Secrets) == 0 {
		return
	}
	b.WriteString("\n### Secrets\n\nFiles that look like credentials; a deleted one is still readable in the layer that stored it. Never printed.\n\n| path | kind | fingerprint | where |\n|---|---|---|---|\n")
	for _, s := range res.Secrets {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdCode(printable(s.Path)), mdCell(string(s.Kind)), mdCode(s.Fingerprint), mdCell(s.Where()))
	}
}
