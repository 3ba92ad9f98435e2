package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"

	// Named: the root package has a func compare of its own (rules.go).
	imgcmp "github.com/strata-cli/strata/compare"
)

func newDFCmd(e env, ro *rootOptions) *cobra.Command {
	var (
		jsonPath string
		all      bool
		filters  []string
		ns       string
	)
	cmd := &cobra.Command{
		Use:   "df [flags] IMAGE... | df --all [--filter KEY=VALUE]...",
		Short: "What several images take on disk and over the wire, shared layers counted once",
		Long: `df reads several images and reports each one's size, the bytes only it has
and the bytes it shares with the others, and what they take together: on disk
(each distinct layer, by diffID, once) and over the wire (each distinct blob,
by digest, compressed, once), with the layers that are shared and by whom.

With --all, the images are every image the Docker daemon lists (as docker
images does; --source podman asks podman), or those that match the
--filter terms. They are saved from the daemon in one stream, in which a
layer shared by many images comes once, and each layer is read once: the
layer cache answers for every image after the first that has it.

--source containerd (or --namespace NS, which implies it) lists one
containerd namespace instead: --namespace, else CONTAINERD_NAMESPACE, else
default (k8s.io on a Kubernetes node, moby for Docker's containerd store).
Nothing is saved; each image is read from containerd's content store.
--filter takes reference= and label= there. An image whose blobs for this
host's platform (or --platform) are not in the store is skipped, with the
reason on stderr and in the JSON's skipped[].`,
		Example: `  strata df docker://app:1.4 docker://app:1.5 docker://worker:1.5
  strata df --json - a.tar b.tar | jq .diskBytes
  strata df --all
  strata df --all --filter reference='app/*'
  strata df --all --namespace k8s.io`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return fmt.Errorf("df --all takes no IMAGE (narrow it with --filter)")
			case !all && len(filters) > 0:
				return fmt.Errorf("--filter needs --all")
			case !all && ns != "":
				return fmt.Errorf("--namespace needs --all (name an image's namespace as containerd://NAMESPACE/REF)")
			case !all && len(args) == 0:
				return fmt.Errorf("df wants at least one IMAGE, or --all")
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all {
				return runDFAll(cmd.Context(), e, ro, jsonPath, ns, filters)
			}
			return runDF(cmd.Context(), e, ro, jsonPath, args)
		},
	}
	cmd.Flags().StringVarP(&jsonPath, "json", "j", "", "write the result as JSON to `FILE` (- for stdout) instead of the table")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "every image in the Docker daemon (or podman or containerd, with --source)")
	cmd.Flags().StringVar(&ns, "namespace", "", "with --all, list containerd namespace `NS` (implies --source containerd; default $CONTAINERD_NAMESPACE, else default)")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "with --all, only images that match `KEY=VALUE`, as docker images --filter takes (repeatable)")
	return cmd
}

func runDF(ctx context.Context, e env, ro *rootOptions, jsonPath string, refs []string) error {
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	results := make([]*analyze.Result, 0, len(refs))
	for _, ref := range refs {
		r, err := loadOneOf(ctx, e, ro, ref)
		if err != nil {
			return err
		}
		// The file lists are not needed: keep memory to one image's worth.
		for i := range r.Layers {
			r.Layers[i].Entries = nil
		}
		r.Tree = nil
		results = append(results, r)
	}
	return writeUsage(e, jsonPath, imgcmp.DiskUsage(results))
}

// writeUsage prints u as a table, or as JSON to jsonPath.
func writeUsage(e env, jsonPath string, u imgcmp.Usage) error {
	return writeUsageSkipped(e, jsonPath, u, nil)
}

// writeUsageSkipped is writeUsage for df --all, whose JSON also lists the
// images it skipped (the table's notes went to stderr as they came).
func writeUsageSkipped(e env, jsonPath string, u imgcmp.Usage, skipped []report.DFSkipped) error {
	if jsonPath != "" {
		return writeJSONFile(jsonPath, e.stdout, report.JSONDF{SchemaVersion: report.JSONSchemaVersion, Usage: u, Skipped: skipped})
	}
	width := report.DefaultReportWidth
	if w, ok := e.termWidth(); ok {
		width = w
	}
	return report.WriteDF(e.stdout, u, width)
}

// runDFAll is df --all: every image the daemon lists.
func runDFAll(ctx context.Context, e env, ro *rootOptions, jsonPath, ns string, filters []string) error {
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	opts := source.Options{Source: ro.load.source, Platform: ro.load.platform}
	if ns != "" {
		switch {
		case opts.Source == "" || opts.Source == "auto" || ro.load.sourceDefault:
			opts.Source = string(source.KindContainerd)
		case opts.Source != string(source.KindContainerd):
			return fmt.Errorf("--namespace is containerd's; --source %s has none", opts.Source)
		}
	}
	var pl *progressLine
	if !ro.quiet {
		pl = newProgressLine(e.stderr, e.stderrTTY != nil && e.stderrTTY())
		opts.Progress, opts.Used = pl.fetched, pl.used
	}
	set, err := source.OpenImageSet(ctx, ns, filters, opts)
	if pl != nil {
		pl.finish()
	}
	if err != nil {
		return err
	}
	defer set.Close()
	if !ro.quiet {
		n := fmt.Sprintf("%d images", len(set.Images))
		if len(set.Images) == 1 {
			n = "1 image"
		}
		fmt.Fprintf(e.stderr, "strata: using %s (%s): %s\n", set.Origin.Kind, set.Origin.Endpoint, n)
	}
	results := make([]*analyze.Result, 0, len(set.Images))
	var skipped []report.DFSkipped
	for i, im := range set.Images {
		ref := strings.Join(im.Tags, ", ")
		if ref == "" {
			ref = im.Name()
		}
		r, err := analyzeSetImage(ctx, set, i, ref, ro.load)
		if errors.Is(err, source.ErrNotFound) {
			// Removed since it was listed, or (containerd) without its
			// blobs for this platform: what is left is still the store.
			reason := "it is gone"
			if set.Origin.Kind == source.KindContainerd {
				reason = err.Error()
			}
			skipped = append(skipped, report.DFSkipped{Reference: ref, Reason: reason})
			if !ro.quiet {
				fmt.Fprintf(e.stderr, "strata: %s skipped: %s\n", report.Printable(ref), report.Printable(reason))
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
		results = append(results, r)
	}
	return writeUsageSkipped(e, jsonPath, imgcmp.DiskUsage(results), skipped)
}

// analyzeSetImage analyses image i of set with the layer cache, and keeps
// only what df needs.
func analyzeSetImage(ctx context.Context, set *source.ImageSet, i int, ref string, lo loadOptions) (*analyze.Result, error) {
	img, err := set.Image(ctx, i)
	if err != nil {
		return nil, err
	}
	lo.obs = observers{}
	s := newSession(lo)
	defer s.close()
	r, err := s.analyze(ctx, img, ref)
	if err != nil {
		return nil, err
	}
	for j := range r.Layers {
		r.Layers[j].Entries = nil
	}
	r.Tree = nil
	return r, nil
}
