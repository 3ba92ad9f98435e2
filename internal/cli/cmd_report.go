package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/report/html"
)

// defaultReportPath is where strata report writes without -o.
const defaultReportPath = "strata-report.html"

func newReportCmd(e env, o *rootOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report [flags] IMAGE",
		Short: "Write a self-contained HTML report of an image",
		Long: `report reads the image exactly as "strata IMAGE" does and writes one HTML
file: the image's size and waste, the history as a bar chart of layer sizes,
a zoomable treemap of the final filesystem coloured by the layer that wrote
each file (and of the bytes later layers hid), and the top wasted files.

The file is self-contained: its script, style and data are inline and it
loads nothing from the network, so it can be attached to a CI run and opened
offline. Small files are grouped per directory, so that the report of an
image with 100,000 files stays well under 2 MB.`,
		Example: `  strata report app.tar -o report.html
  strata report --platform linux/arm64 oci:./layout -o arm64.html
  strata report registry://ghcr.io/org/app:1.4 -o - > report.html`,
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), e, o, out, args[0])
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVarP(&out, "output", "o", defaultReportPath, "write the report to `FILE` (- for stdout)")
	return cmd
}

func runReport(ctx context.Context, e env, o *rootOptions, out, ref string) error {
	if out == "" {
		return fmt.Errorf("-o needs a file name (or - for stdout)")
	}
	if err := o.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	res, _, err := load(ctx, e, o, ref)
	if err != nil {
		return err
	}
	d, err := html.Data(res)
	if err != nil {
		return err
	}
	if out == "-" {
		return html.Write(e.stdout, d)
	}
	var n int64
	err = writeAtomic(out, func(w io.Writer) error {
		cw := &countingWriter{w: w}
		err := html.Write(cw, d)
		n = cw.n
		return err
	})
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(e.stderr, "strata: wrote %s (%s)\n", out, units.Bytes(n))
	}
	return nil
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var _ io.Writer = (*countingWriter)(nil)
