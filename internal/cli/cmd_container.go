package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// containerOptions holds the container command's flags.
type containerOptions struct {
	jsonPath string
	files    bool
	noTrunc  bool
	noTUI    bool
	source   string
	noVerify bool
}

func newContainerCmd(e env, ro *rootOptions) *cobra.Command {
	var o containerOptions
	cmd := &cobra.Command{
		Use:   "container [flags] ID|NAME",
		Short: "A container's writable layer on top of its image: what it added, changed and deleted",
		Long: `container reads a container of the Docker daemon (or of podman, with
--source podman), running or stopped, and shows its image with the
container's writable layer on top as one more layer: the files the
container added and changed, with their sizes, and the paths it deleted.

The layer is built from what the daemon reports (docker diff) and from one
read of the container's filesystem (docker export); nothing runs in the
container. Its size is strata's, as for every layer: regular files' bytes.
docker ps -s (SizeRw) also counts each symbolic link at the length of its
target; the report says how much that accounts for.`,
		Example: `  strata container web
  strata container --json - 3f2a1b0c9d8e | jq '.layers[.container.layerIndex]'
  strata container --files --json changes.json web`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("container wants exactly one container ID or NAME, got %d", len(args))
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runContainer(cmd.Context(), e, ro, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.jsonPath, "json", "j", "", "write the analysis as JSON to `FILE` (- for stdout) instead of the report")
	f.BoolVar(&o.files, "files", false, "with --json, list every layer's files")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "do not shorten long commands in the report")
	f.BoolVar(&o.noTUI, "no-tui", false, "print the plain report even in a terminal")
	f.StringVar(&o.source, "source", "auto", "the daemon to ask: auto (docker, else podman), docker or podman")
	f.BoolVar(&o.noVerify, "no-verify", false, "do not check the image's layer contents against its diff_ids")
	return cmd
}

func runContainer(ctx context.Context, e env, ro *rootOptions, o *containerOptions, ref string) error {
	if o.files && o.jsonPath == "" {
		return errors.New("--files needs --json")
	}
	switch o.source {
	case "", "auto", string(source.KindDocker), string(source.KindPodman):
	default:
		return fmt.Errorf("--source %s: containers live in a daemon (want auto, docker or podman)", o.source)
	}
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	lo := ro.load
	lo.source, lo.noVerify = o.source, o.noVerify
	if o.jsonPath == "" && !o.noTUI && !ro.quiet && e.explore != nil && e.interactive != nil && e.interactive() {
		theme, err := parseTheme(ro.theme)
		if err != nil {
			return err
		}
		if ro.noColor {
			theme = ui.ThemeMono
		}
		return exploreContainer(ctx, ref, lo, theme)
	}

	// The shared load shows the fetch progress and the daemon used; its
	// loader is swapped for one that reads the container.
	var info source.ContainerInfo
	ce := e
	ce.load = func(ctx context.Context, ref string, lo loadOptions) (*analyze.Result, error) {
		res, in, err := analyzeContainer(ctx, ref, lo, lo.layerProgress)
		info = in
		return res, err
	}
	cro := *ro
	cro.load = lo
	res, origin, err := load(ctx, ce, &cro, ref)
	if err != nil {
		return err
	}
	if o.jsonPath != "" {
		jr := report.JSONContainerReport{JSONReport: report.NewJSONReport(res, o.files), Container: report.ContainerJSON(res, reportContainer(info))}
		jr.Image.Source = string(origin.Kind)
		write := func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(jr)
		}
		if o.jsonPath == "-" {
			return write(e.stdout)
		}
		return writeAtomic(o.jsonPath, write)
	}
	rep := report.ReportOptions{Width: report.DefaultReportWidth, NoTrunc: o.noTrunc, TopN: 10}
	if w, ok := e.termWidth(); ok {
		rep.Width = w
	}
	if err := report.WriteContainerHeader(e.stdout, res, reportContainer(info)); err != nil {
		return err
	}
	return report.WriteReport(e.stdout, res, rep)
}

// analyzeContainer reads the container and analyses its image with the
// writable layer on top.
func analyzeContainer(ctx context.Context, ref string, lo loadOptions, progress func(analyze.Progress)) (*analyze.Result, source.ContainerInfo, error) {
	img, info, err := source.OpenContainer(ctx, ref, source.Options{
		Source:   lo.source,
		Progress: lo.fetchProgress,
		Used:     lo.used,
	})
	if err != nil {
		return nil, info, err
	}
	defer source.Close(img)
	opts := analyze.Options{Reference: report.ContainerReference(reportContainer(info)), NoVerify: lo.noVerify, Progress: progress}
	if c := lo.cache.open(); c != nil {
		opts.Cache = c
	}
	res, err := analyze.Analyze(ctx, img, opts)
	return res, info, err
}

// exploreContainer opens the explorer on the container's image with the
// writable layer on top.
func exploreContainer(ctx context.Context, ref string, lo loadOptions, theme ui.Theme) error {
	im := &openedImage{}
	defer im.close()
	return ui.Run(ctx, nil, ui.Options{
		Reference: "container " + ref,
		Theme:     theme,
		Load: func(ctx context.Context, r ui.Reporter) (*analyze.Result, error) {
			img, info, err := source.OpenContainer(ctx, ref, source.Options{Source: lo.source})
			if err != nil {
				return nil, err
			}
			return im.analyze(ctx, img, report.ContainerReference(reportContainer(info)), lo, r.Progress)
		},
		OpenFile: im.openFile,
		Extract:  im.extract,
	})
}

// reportContainer is what the report says of a container.
func reportContainer(info source.ContainerInfo) report.Container {
	return report.Container{
		ID: info.ID, Name: info.Name, Image: info.Image, ImageRef: info.ImageRef, State: info.State,
		SizeRw: info.SizeRw, HasSizeRw: info.HasSizeRw,
		Added: info.Added, Changed: info.Changed, Deleted: info.Deleted, Layer: info.Layer,
	}
}
