package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/rules"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// errRulesFailed is returned when a CI rule fails; main exits 1 and prints
// nothing more, since the rule lines already say what failed.
var errRulesFailed = errors.New("a CI rule failed")

// errIgnoreErrors answers dive's -i/--ignore-errors, which would make a
// broken image pass: strata has no such mode.
var errIgnoreErrors = errors.New("-i/--ignore-errors is dive's and strata has no such mode: a layer or file it cannot read stops the run with one line naming it; drop the flag")

// env is what the command needs from the outside world. Tests swap in
// buffers and a fake loader.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// termWidth reports stdout's width when stdout is a terminal.
	termWidth func() (int, bool)
	// stderrTTY reports whether stderr is a terminal (nil: it is not).
	stderrTTY func() bool
	load      func(ctx context.Context, ref string, o loadOptions) (*analyze.Result, error)
	// explore runs the interactive explorer; nil where there is none (tests).
	explore func(ctx context.Context, ref string, o loadOptions, theme ui.Theme) error
	// interactive reports whether stdin and stdout are both terminals.
	interactive func() bool
	// build is what the linker stamped into the binary.
	build Build
	// imageNames lists a daemon's image names for shell completion; nil
	// offers none (tests).
	imageNames func(ctx context.Context, source string) ([]string, error)
}

// loadOptions are the flags that change how the image is read, and the
// callbacks runRoot uses to follow it.
type loadOptions struct {
	platform string
	source   string
	// sourceDefault says source came from the configuration, not a flag.
	sourceDefault bool
	// stdin is what the reference "-" reads (an archive piped in).
	stdin    io.Reader
	insecure bool
	noVerify bool
	// readsFiles keeps each layer's seek index without a cache: the
	// explorer reads file contents after the analysis.
	readsFiles bool
	// full streams every layer whole, even one whose table of contents
	// (eStargz, zstd:chunked) a registry could serve by range; fullSet
	// says --full was given either way.
	full, fullSet bool
	// tocContent has a TOC read fetch the start of every file the secret
	// scan reads, not only of those named like credentials.
	tocContent bool
	// registryTimeout bounds each wait on a registry: for a response's
	// headers, and for the next bytes of a body.
	registryTimeout time.Duration
	// hashFiles hashes every file's content (strata compare); it
	// bypasses the layer cache.
	hashFiles bool
	// dockerfile, when set, is the Dockerfile whose lines the history
	// steps are placed on.
	dockerfile string
	cache      cacheOptions
	// keys rebinds explorer actions (the config's keys:); it does not
	// change how the image is read, but travels with it to the explorer.
	keys map[string][]string

	// obs follows the read; the command sets it (see watch).
	obs observers
}

// rootOptions holds the root command's flags.
type rootOptions struct {
	load     loadOptions
	jsonPath string
	files    bool
	ci       bool
	ciConfig string
	// configFile is --config: the one configuration file to read.
	configFile string
	// ignoreErrors is dive's -i, refused with errIgnoreErrors.
	ignoreErrors bool
	noTrunc      bool
	quiet        bool
	verbose      bool
	noTUI        bool
	theme        string
	noColor      bool
	format       string
	rules        [rules.Count]*ruleFlag
	// cfgRules are the config files' ci-rules, below the rules file.
	cfgRules rules.Overrides
	// cfg is the effective configuration, loaded before any command runs.
	cfg *config
}

func newRootCmd(e env) *cobra.Command {
	var o rootOptions
	o.load.stdin = e.stdin
	cmd := &cobra.Command{
		Use:   "strata [flags] IMAGE",
		Short: "Take a container image apart layer by layer",
		Long: `strata reads every layer of a container image and reports its size,
what each build step added, and which bytes are stored but hidden by a later
layer (wasted). With --ci it checks the image against efficiency rules and
exits 1 when one fails; with --json it writes the whole analysis for scripts.

IMAGE is one of
  docker://REF                     an image in the Docker daemon (name, ID, digest)
  podman://REF                     an image in podman, through its API socket
  containerd://[NAMESPACE/]REF     an image in containerd (nerdctl, k3s, Kubernetes)
  registry://REF                   an image in a registry, read without any daemon
  docker-archive:PATH[:TAG]        a "docker save" tar
  oci:DIR[:TAG|@DIGEST]            an OCI layout directory
  oci-archive:PATH[:TAG|@DIGEST]   a tar of an OCI layout
  PATH                             a file or directory, recognised by its contents
  -                                an archive on stdin (docker save app | strata -)
  REF                              anything else: the Docker daemon if it has the
                                   image, else podman, else containerd, else the
                                   registry (--source picks one). strata never pulls.

Registry credentials come from docker login (~/.docker/config.json and its
credential helpers). The daemon is found through DOCKER_HOST, DOCKER_CONTEXT
or the current docker context; podman through CONTAINER_HOST or its socket;
containerd through CONTAINERD_ADDRESS or its socket (CONTAINERD_NAMESPACE).

Exit status: 0 on success, 1 when a CI rule fails, 2 on any error.`,
		Example: `  # A "docker save" archive (classic or Docker 25+)
  strata docker-archive:app.tar

  # An OCI layout directory or archive; a bare path is recognised too
  strata oci:./build/layout
  strata oci-archive:app-oci.tar
  strata ./app.tar
  docker save app | strata -

  # An image in the Docker daemon, or straight from a registry
  strata docker://alpine:3.20
  strata registry://ghcr.io/org/app:1.4
  strata alpine:3.20

  # Build, then analyse what was built (strata's flags go before "build")
  strata --ci build -t app .

  # One platform of a multi-platform image
  strata --platform linux/arm64 oci:./build/layout

  # Fail a CI job when more than 20 MB are wasted
  strata --ci --highest-wasted-bytes 20MB app.tar

  # The analysis as JSON, for scripts
  strata --json - app.tar | jq .image.efficiency`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 && len(args[0]) >= 4 {
				// "strata compre a b": a mistyped command, not two images.
				// Short words and existing paths are left alone: "a b" is
				// two images, not a typo of df.
				cmd.SuggestionsMinimumDistance = 2 // cobra's own default for unknown commands
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 && !exists(args[0]) {
					return fmt.Errorf("unknown command %q: did you mean strata %s? (see strata --help)", args[0], s[0])
				}
			}
			if len(args) != 1 {
				return fmt.Errorf("want exactly one IMAGE argument, got %d (see strata --help)", len(args))
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		// Root flags are parsed before a subcommand's name, so that
		// "strata --json - build ." works although build passes its own
		// arguments to docker build untouched.
		TraverseChildren: true,
		// The configuration is read before every command, so that a bad
		// config file fails the same way whatever the command.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if o.ignoreErrors {
				return errIgnoreErrors
			}
			if err := forwardRootFlags(cmd); err != nil {
				return err
			}
			if f := cmd.Flag("verify-cached"); f != nil {
				o.load.cache.verifySet = f.Changed
			}
			if f := cmd.Flag("full"); f != nil {
				o.load.fullSet = f.Changed
			}
			err := loadOptionsConfig(e, &o, cmd)
			if err != nil && cmd == cmd.Root() && len(args) == 1 {
				// A bad config file fails the job as a bad image does.
				err = o.errorDocOnError(e, args[0], err)
			}
			return err
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRoot(cmd.Context(), e, &o, args[0])
		},
	}
	cmd.SetOut(e.stdout)
	cmd.SetErr(e.stderr)
	// --version, as dive has it: cobra answers it before anything else.
	cmd.Version = shortVersion(e.build)
	cmd.SetVersionTemplate("{{.Version}}\n")

	f := cmd.Flags()
	f.SortFlags = false
	f.StringVarP(&o.jsonPath, "json", "j", "", "write the analysis as JSON to `FILE` (- for stdout) and skip the report")
	f.BoolVar(&o.files, "files", false, "with --json, list every layer's files")
	f.BoolVar(&o.ci, "ci", false, "evaluate the CI rules and exit 1 if one fails (also on when CI=true)")
	f.StringVar(&o.ciConfig, "ci-config", "", "read CI rules from `FILE` (default: .strata-ci.yaml, else .dive-ci, if present)")
	f.Var(&formatFlag{v: &o.format}, "format", "CI output: "+strings.Join(ciFormats, ", ")+" (any but text implies --ci)")
	for i, s := range rules.Specs() {
		rf := &ruleFlag{typ: s.Type, parse: s.Parse, texts: []string{s.Default}, list: s.List}
		o.rules[i] = rf
		f.Var(rf, s.Name, s.Usage)
		if s.Alias == "" {
			continue
		}
		// dive spelled its rule flags in camelCase; keep them working
		// without cluttering --help.
		f.Var(rf, s.Alias, s.Usage)
		_ = f.MarkHidden(s.Alias)
	}
	// dive's -i/--ignore-errors has no strata equivalent; accepted only
	// to say so (see PersistentPreRunE) rather than "unknown flag".
	f.BoolVarP(&o.ignoreErrors, "ignore-errors", "i", false, "dive's flag; strata has no such mode")
	_ = f.MarkHidden("ignore-errors")
	// Declared here, not by cobra, which would take -v (--verbose's).
	f.Bool("version", false, `print "strata VERSION" and exit (strata version has the commit and build date)`)
	f.BoolVar(&o.noTrunc, "no-trunc", false, "do not shorten long commands in the report")
	f.BoolVar(&o.noTUI, "no-tui", false, "print the plain report even in a terminal")
	// The flags every command that reads an image shares, declared once.
	pf := cmd.PersistentFlags()
	pf.SortFlags = false
	pf.Var(&sourceFlag{v: &o.load.source}, "source", "where to look for an IMAGE given without a scheme: auto, "+strings.Join(source.Kinds(), ", "))
	pf.BoolVar(&o.load.insecure, "insecure", false, "allow registries over plain HTTP or with unverified TLS (loopback addresses need no flag)")
	pf.Var(timeoutFlag{&o.load.registryTimeout}, "registry-timeout", "give up on a registry that sends no response headers, or no bytes of a body, for this long")
	pf.StringVar(&o.load.platform, "platform", "", "image to pick from a multi-platform index, as os/arch[/variant] (default: the only one, else the host's)")
	pf.BoolVar(&o.load.noVerify, "no-verify", false, "do not check layer contents against the config's diff_ids (faster; says so on stderr)")
	pf.BoolVar(&o.load.full, "full", false, "download every layer whole, even an eStargz or zstd:chunked one whose table of contents a registry serves by range (checks its diff_id and scans all files for secrets; the default with --ci)")
	pf.StringVar(&o.load.dockerfile, "dockerfile", "", "the Dockerfile that built the image: each history step is shown with its lines (Dockerfile:14)")
	pf.StringVarP(&o.configFile, "config", "c", "", "read the configuration from `FILE` only, instead of config.yaml and .strata.yaml")
	pf.BoolVarP(&o.quiet, "quiet", "q", false, "print only errors and the CI rule results")
	pf.BoolVarP(&o.verbose, "verbose", "v", false, "say on stderr how each layer was read (size, entries, from cache or not, time)")
	pf.StringVar(&o.theme, "theme", "auto", "explorer colours: auto, dark, light, high-contrast or mono (NO_COLOR forces mono)")
	pf.BoolVar(&o.noColor, "no-color", false, "no colours at all: the same as --theme mono or NO_COLOR=1")
	addCacheFlags(pf, &o.load.cache)

	cmd.AddCommand(newVersionCmd(e), newCacheCmd(e, &o.load.cache), newBuildCmd(e, &o), newInitCmd(e), newManCmd(e), newCompareCmd(e, &o), newDFCmd(e, &o), newReportCmd(e, &o), newContainerCmd(e, &o), newConfigCmd(e, &o))
	registerCompletions(cmd, e, &o)
	finishCommandTree(cmd)
	return cmd
}

// runRoot analyses one image: the explorer, the report, --json, the CI
// rules. With --format junit an error still leaves a JUnit document where
// the results would have gone, so that the CI server shows the failed
// job as an error rather than finding an empty file.
func runRoot(ctx context.Context, e env, o *rootOptions, ref string) (err error) {
	ciOut := e.stdout
	if o.jsonPath == "-" {
		ciOut = e.stderr
	}
	ciWritten := false
	defer func() {
		if !ciWritten {
			err = o.errorDocOnError(e, ref, err)
		}
	}()
	if o.files && o.jsonPath == "" {
		return errors.New("--files needs --json")
	}
	// CI=true turns the rules on as --ci does, --json or not: the JSON is
	// still written, and the rule results go to stdout (stderr when the
	// JSON is on stdout).
	ci := o.ci || ciFromEnv(e.getenv) || (o.format != "" && o.format != formatText)

	// Rules are resolved before the image is read, so that a typo in the
	// rules file fails in milliseconds rather than after a large pull.
	var (
		rs        rules.Set
		rulesFrom rulesSource
	)
	if ci {
		var err error
		if rs, rulesFrom, err = resolveRules(o); err != nil {
			return err
		}
		if len(rulesFrom.ignored) > 0 {
			// dive reads these; strata has no plugins. Said even with
			// --quiet: a rule the user asked for is not being checked.
			fmt.Fprintf(e.stderr, "strata: ignoring dive plugin rules: %s\n", safetext.Line(strings.Join(rulesFrom.ignored, ", ")))
		}
	}

	if err := o.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	if ci && !o.load.cache.verifySet {
		// A gate judges the bytes it was given: a cached record answers
		// only for a blob that hashes to its digest.
		o.load.cache.verify = true
	}
	if ci {
		// Likewise a layer's table of contents is not its bytes: a gate
		// reads layers whole (their diff_ids checked) unless told
		// --full=false, and then scans for secrets what a whole read would.
		o.load.full = o.load.full || !o.load.fullSet
		o.load.tocContent = true
	}
	if o.jsonPath == "" && !ci && !o.quiet && !o.noTUI && e.explore != nil && e.interactive != nil && e.interactive() {
		theme, err := o.explorerTheme()
		if err != nil {
			return err
		}
		return e.explore(ctx, ref, o.load, theme)
	}
	res, origin, err := load(ctx, e, o, ref)
	if err != nil {
		return err
	}
	if o.load.noVerify && !o.quiet {
		// Say so, once the image is read (an error stays one line): numbers
		// from unverified bytes are only as good as the source that served
		// them. Unverified layers are never cached.
		fmt.Fprintln(e.stderr, "strata: --no-verify: layer contents were not checked against their diff_ids")
	}

	if o.jsonPath != "" {
		jo := report.JSONReportOptions{Files: o.files, Source: string(origin.Kind)}
		if err := writeJSON(o.jsonPath, e.stdout, func(w io.Writer) error { return report.WriteJSONReport(ctx, w, res, jo) }); err != nil {
			return err
		}
		if !ci {
			return nil
		}
	} else if !o.quiet && (!ci || o.format == "" || o.format == formatText) {
		// A pipe, or --no-tui: the plain report, fitted to a terminal's
		// width when there is one.
		ro := report.ReportOptions{Width: report.DefaultReportWidth, NoTrunc: o.noTrunc, TopN: 10}
		if w, ok := e.termWidth(); ok {
			ro.Width = w
		}
		if err := report.WriteReport(e.stdout, res, ro); err != nil {
			return err
		}
		if ci {
			fmt.Fprintln(e.stdout)
		}
	}
	if !ci {
		return nil
	}
	ciWritten = true
	run := report.CIRun{Result: res, RulesFile: rulesFrom.file, RulesFlags: rulesFrom.flags, Outcomes: rules.Evaluate(res, rs)}
	run.Version, _, _ = buildInfo(e.build)
	if res.BuildFile != nil {
		// Code scanning resolves the URI against the checkout, which is
		// where a CI job runs strata from.
		wd, _ := os.Getwd()
		run.DockerfileURI = dockerfileURI(res.BuildFile.Path, wd)
	}
	ok, err := writeCI(ciOut, e.getenv, o.format, run, e.stderr)
	if err != nil {
		return err
	}
	if !ok {
		return errRulesFailed
	}
	return nil
}

// loadOneOf is load for commands that read several images: an error
// names the image it is about, with any credentials in the reference
// removed.
func loadOneOf(ctx context.Context, e env, o *rootOptions, ref string) (*analyze.Result, error) {
	res, _, err := load(ctx, e, o, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source.Redact(ref), err)
	}
	return res, nil
}

// load reads the image through e.load, watched as watch says.
func load(ctx context.Context, e env, o *rootOptions, ref string) (*analyze.Result, source.Origin, error) {
	lo := o.load
	var w *watcher
	lo.obs, w = watch(e, o)
	res, err := e.load(ctx, ref, lo)
	w.done(err)
	return res, w.origin, err
}

// watcher follows one read for the user: see watch.
type watcher struct {
	e      env
	pl     *progressLine // nil with --quiet
	origin source.Origin
	notes  []string // analyze's Result.Notes, printed once the progress line is gone
}

// watch returns the observers of a read that say on stderr which daemon
// or registry the image came from and, while a daemon or registry is
// fetched, how far it has got (see progressLine); --verbose adds a line
// per layer, --quiet silences all of it. The "using" line is printed by
// done once the image is read, so that a failure is still exactly one
// line; the progress line names the source anyway.
func watch(e env, o *rootOptions) (observers, *watcher) {
	w := &watcher{e: e}
	var obs observers
	if !o.quiet {
		w.pl = newProgressLine(e.stderr, e.stderrTTY != nil && e.stderrTTY())
		obs.fetched, obs.layer = w.pl.fetched, w.pl.layer
	}
	obs.used = func(or source.Origin) {
		w.origin = or
		if w.pl != nil {
			w.pl.used(or)
		}
	}
	if o.verbose && !o.quiet {
		obs.layer = verboseLayers(e.stderr, obs.layer)
	}
	if !o.quiet {
		obs.notes = func(n []string) { w.notes = append(w.notes, n...) }
	}
	return obs, w
}

// done ends the progress line and, after a successful fetch, says where
// the image came from.
func (w *watcher) done(err error) {
	defer func() {
		for _, n := range w.notes {
			fmt.Fprintf(w.e.stderr, "strata: note: %s\n", n)
		}
		w.notes = nil
	}()
	if w.pl == nil {
		return
	}
	w.pl.finish()
	if err == nil {
		switch w.origin.Kind {
		case source.KindDocker, source.KindPodman, source.KindContainerd, source.KindRegistry:
			fmt.Fprintf(w.e.stderr, "strata: using %s (%s)\n", w.origin.Kind, w.origin.Endpoint)
		}
	}
}

// sourceFlag is --source: auto or one kind of source.
type sourceFlag struct{ v *string }

func (s *sourceFlag) String() string {
	if s.v == nil || *s.v == "" {
		return "auto"
	}
	return *s.v
}

func (s *sourceFlag) Set(v string) error {
	if v == "auto" || slices.Contains(source.Kinds(), v) {
		*s.v = v
		return nil
	}
	return fmt.Errorf("want auto, %s", strings.Join(source.Kinds(), ", "))
}

func (s *sourceFlag) Type() string { return "source" }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
