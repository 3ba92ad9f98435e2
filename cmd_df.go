package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	// Named: the root package has a func compare of its own (rules.go).
	imgcmp "github.com/strata-cli/strata/compare"
)

func newDFCmd(e env, ro *rootOptions) *cobra.Command {
	var jsonPath string
	cmd := &cobra.Command{
		Use:   "df [flags] IMAGE...",
		Short: "What several images take on disk and over the wire, shared layers counted once",
		Long: `df reads several images and reports each one's size, the bytes only it has
and the bytes it shares with the others, and what they take together: on disk
(each distinct layer, by diffID, once) and over the wire (each distinct blob,
by digest, compressed, once), with the layers that are shared and by whom.`,
		Example: `  strata df docker://app:1.4 docker://app:1.5 docker://worker:1.5
  strata df --json - a.tar b.tar | jq .diskBytes`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("df wants at least one IMAGE")
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDF(cmd.Context(), e, ro, jsonPath, args)
		},
	}
	cmd.Flags().StringVarP(&jsonPath, "json", "j", "", "write the result as JSON to `FILE` (- for stdout) instead of the table")
	addLoadFlags(cmd, &ro.load)
	return cmd
}

// jsonDF is the df --json document.
type jsonDF struct {
	SchemaVersion int `json:"schemaVersion"`
	imgcmp.Usage
}

func runDF(ctx context.Context, e env, ro *rootOptions, jsonPath string, refs []string) error {
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	results := make([]*analyze.Result, 0, len(refs))
	for _, ref := range refs {
		r, _, err := load(ctx, e, ro, ref)
		if err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
		// The file lists are not needed: keep memory to one image's worth.
		for i := range r.Layers {
			r.Layers[i].Entries = nil
		}
		r.Tree = nil
		results = append(results, r)
	}
	u := imgcmp.DiskUsage(results)
	if jsonPath != "" {
		write := func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(jsonDF{SchemaVersion: jsonSchemaVersion, Usage: u})
		}
		if jsonPath == "-" {
			return write(e.stdout)
		}
		return writeAtomic(jsonPath, write)
	}
	width := defaultReportWidth
	if w, ok := e.termWidth(); ok {
		width = w
	}
	return writeDF(e.stdout, u, width)
}

func writeDF(w io.Writer, u imgcmp.Usage, width int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-3s  %8s  %8s  %8s  %6s  %s\n", "#", "SIZE", "UNIQUE", "SHARED", "LAYERS", "IMAGE")
	for i, im := range u.Images {
		fmt.Fprintf(&b, "  %-3d  %8s  %8s  %8s  %6d  %s\n", i+1, formatBytes(im.SizeBytes), formatBytes(im.UniqueBytes),
			formatBytes(im.SharedBytes), im.Layers, printable(im.Reference))
	}
	fmt.Fprintf(&b, "\nTotal: %s if nothing were shared; %s on disk (layers by diffID, once each); %s over the wire (blobs by digest, compressed)\n",
		formatBytes(u.SumSizeBytes), formatBytes(u.DiskBytes), formatBytes(u.WireBytes))
	b.WriteString("\nShared layers:\n")
	if len(u.SharedLayers) == 0 {
		b.WriteString("  none\n")
	} else {
		fmt.Fprintf(&b, "  %8s  %-12s  %s\n", "SIZE", "IMAGES", "COMMAND")
		for _, l := range u.SharedLayers {
			ids := make([]string, len(l.Images))
			for i, n := range l.Images {
				ids[i] = strconv.Itoa(n + 1)
			}
			line := fmt.Sprintf("  %8s  %-12s  %s", formatBytes(l.SizeBytes), strings.Join(ids, ","), truncate(displayCommand(l.Command), width-26))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
