package html

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"github.com/strata-cli/strata/analyze"
)

var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string
)

var page = template.Must(template.New("page").Parse(pageHTML))

// pageData is what the page template fills in.
type pageData struct {
	Title string
	CSS   template.CSS
	JS    template.JS
	// Data is the document as JSON. encoding/json escapes <, > and &, so
	// it can never close the script element that holds it.
	Data template.JS
	// Rules and RulesSummary are rendered here rather than by the
	// script: a CI verdict must be readable even with scripts off.
	Rules        []Rule
	RulesSummary string
	Secrets      []Secret
}

// Write renders the page for d to w.
func Write(w io.Writer, d *Document) error {
	if d == nil {
		return ErrNoResult
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding report data: %w", err)
	}
	var buf bytes.Buffer
	err = page.Execute(&buf, pageData{
		Title: d.Image.Reference,
		CSS:   template.CSS(reportCSS),
		JS:    template.JS(reportJS),
		Data:  template.JS(raw),
		Rules: d.Rules, RulesSummary: d.RulesSummary, Secrets: d.Secrets,
	})
	if err != nil {
		return fmt.Errorf("rendering report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Render writes the report of res to w: Data, then Write.
func Render(w io.Writer, res *analyze.Result) error {
	d, err := Data(res)
	if err != nil {
		return err
	}
	return Write(w, d)
}
