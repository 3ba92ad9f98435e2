package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
)

// containerOptions holds the container command's flags.
type containerOptions struct {
	jsonPath string
	files    bool
	noTrunc  bool
	noTUI    bool
}

func newContainerCmd(e env, ro *rootOptions) *cobra.Command {
	var o containerOptions
	cmd := &cobra.Command{
		Use:   "container [flags] ID|NAME | containerd://[NAMESPACE/]ID",
		Short: "A container's writable layer on top of its image: what it added, changed and deleted",
		Long: `container reads a container of the Docker daemon (or of podman, with
--source podman), running or stopped, and shows its image with the
container's writable layer on top as one more layer: the files the
container added and changed, with their sizes, and the paths it deleted.

The layer is built from what the daemon reports (docker diff) and from one
read of the container's filesystem (docker export); nothing runs in the
container. Its size is strata's, as for every layer: regular files' bytes.
docker ps -s (SizeRw) also counts each symbolic link at the length of its
target; the report says how much that accounts for.

A containerd container (Kubernetes, nerdctl, ctr) is containerd://ID, or
containerd://NAMESPACE/ID, or [NAMESPACE/]ID with --source containerd
(namespace: CONTAINERD_NAMESPACE, else default; k8s.io for Kubernetes);
without --source, containerd is asked after docker and podman when its
socket exists. Its writable
layer is the upper directory of its snapshot's overlay mount, read from
the disk, so strata must be able to read it (root, usually); overlay's
whiteouts (0/0 character devices, opaque directories) become the layer's
whiteouts. Another snapshotter, or an unreadable directory, is an error.`,
		Example: `  strata container web
  strata container --json - 3f2a1b0c9d8e | jq '.layers[.container.layerIndex]'
  strata container --files --json changes.json web
  strata container containerd://k8s.io/5e0c1f2a3b4c`,
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
	return cmd
}

func runContainer(ctx context.Context, e env, ro *rootOptions, o *containerOptions, ref string) error {
	if o.files && o.jsonPath == "" {
		return errors.New("--files needs --json")
	}
	switch ro.load.source {
	case "", "auto", string(source.KindDocker), string(source.KindPodman), string(source.KindContainerd):
	default:
		return fmt.Errorf("--source %s: containers live in a daemon (want auto, docker, podman or containerd)", ro.load.source)
	}
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	lo := ro.load
	if o.jsonPath == "" && !o.noTUI && !ro.quiet && e.explore != nil && e.interactive != nil && e.interactive() {
		theme, err := ro.explorerTheme()
		if err != nil {
			return err
		}
		return exploreContainer(ctx, ref, lo, theme)
	}

	// Watched as any other read: the fetch progress and the daemon used.
	var w *watcher
	lo.obs, w = watch(e, ro)
	sess := newSession(lo)
	defer sess.close()
	res, info, err := sess.openContainer(ctx, ref)
	w.done(err)
	if err != nil {
		return err
	}
	origin := w.origin
	if o.jsonPath != "" {
		c := report.ContainerJSON(res, reportContainer(info))
		jo := report.JSONReportOptions{Files: o.files, Source: string(origin.Kind), Container: &c}
		return writeJSON(o.jsonPath, e.stdout, func(w io.Writer) error { return report.WriteJSONReport(ctx, w, res, jo) })
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

// reportContainer is what the report says of a container.
func reportContainer(info source.ContainerInfo) report.Container {
	return report.Container{
		ID: info.ID, Name: info.Name, Image: info.Image, ImageRef: info.ImageRef, State: info.State,
		SizeRw: info.SizeRw, HasSizeRw: info.HasSizeRw,
		Added: info.Added, Changed: info.Changed, Deleted: info.Deleted, Layer: info.Layer,
	}
}
