package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/cache"
	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/report"
)

// cacheOptions locate and bound the layer cache.
type cacheOptions struct {
	dir     string
	noCache bool
	max     sizeFlag
	// verify hashes the blob of every layer answered from the cache (see
	// analyze.Options.VerifyCached). Gating turns it on unless
	// --verify-cached=false was given; verifySet says it was given
	// (set from the flag's Changed once flags are parsed).
	verify, verifySet bool
}

// sizeFlag is a byte count given as "1GiB", "500MB" or plain bytes.
type sizeFlag struct {
	bytes int64
	set   bool
}

func (s *sizeFlag) String() string {
	if !s.set {
		return "1GiB"
	}
	return fmt.Sprint(s.bytes)
}

func (s *sizeFlag) Set(v string) error {
	n, err := units.ParseBytes(v)
	if err != nil {
		return err
	}
	s.bytes, s.set = n, true
	return nil
}

func (s *sizeFlag) Type() string { return "size" }

func addCacheFlags(f *pflag.FlagSet, o *cacheOptions) {
	f.StringVar(&o.dir, "cache-dir", "", "keep per-layer results in `DIR` (default $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata)")
	f.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the layer cache")
	f.Var(&o.max, "cache-max", "bound the cache to this size, evicting the least recently used layers")
	f.BoolVar(&o.verify, "verify-cached", false, "hash the stored blob of each layer answered from the cache against its digest (default: on with --ci)")
}

// resolve fills in the cache directory from the environment or the
// platform default when no flag named one.
func (o *cacheOptions) resolve(getenv func(string) string) error {
	if o.noCache || o.dir != "" {
		return nil
	}
	if d := getenv("STRATA_CACHE_DIR"); d != "" {
		o.dir = d
		return nil
	}
	d, err := cache.DefaultDir()
	if err != nil {
		// Without a home there is no cache, which only costs speed.
		o.noCache = true
		return nil
	}
	o.dir = d
	return nil
}

// open returns the cache, or nil when caching is off.
func (o *cacheOptions) open() *cache.Dir {
	if o.noCache || o.dir == "" {
		return nil
	}
	return cache.New(o.dir, o.max.bytes)
}

func newCacheCmd(e env, o *cacheOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List or prune the analysis cache",
		Long: `strata keeps each layer's analysis on disk, keyed by the layer's diffID,
and the merged analysis of each stack of layers it has read, keyed by the
diffIDs in order. Layers are content-addressed, so a cached result never goes
stale: reopening an image costs a read of its record, and a rebuilt one that
shares its base layers reads only its new layers. The cache is bounded by
--cache-max (default 1GiB).`,
		Args: cobra.NoArgs,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List cached records (layers and images), most recently used first",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			c, err := cacheFor(e, o)
			if err != nil {
				return err
			}
			recs, err := c.List()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "SIZE\tLAST USED\tKIND\tKEY\n")
			var total int64
			images, bindings, seeks := 0, 0, 0
			for _, r := range recs {
				total += r.Size
				kind, key := "layer", r.Key
				if h, ok := strings.CutPrefix(r.Key, analyze.ImageKeyPrefix); ok {
					kind, key = "image", h // a hash of the diffIDs, not a digest of anything stored
					images++
				}
				if h, ok := strings.CutPrefix(r.Key, analyze.SeekKeyPrefix); ok {
					kind, key = "index", "sha256:"+h // where a layer's files start, keyed by its diff_id
					seeks++
				}
				if strings.HasPrefix(r.Key, analyze.BindingKeyPrefix) {
					// A few bytes each, one per blob verified: counted,
					// not listed.
					bindings++
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", units.Bytes(r.Size), r.LastUsed.Format("2006-01-02 15:04"), kind, report.Printable(key))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			indexes := ""
			if seeks > 0 {
				indexes = fmt.Sprintf(", %d file indexes", seeks)
			}
			_, err = fmt.Fprintf(e.stdout, "%d layers, %d images (%d blobs verified)%s, %s in %s\n", len(recs)-images-bindings-seeks, images, bindings, indexes, units.Bytes(total), c.Path())
			return err
		},
	}
	var keep sizeFlag
	prune := &cobra.Command{
		Use:   "prune",
		Short: "Remove cached records, least recently used first, down to --keep (default: all)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			c, err := cacheFor(e, o)
			if err != nil {
				return err
			}
			n, err := c.Prune(keep.bytes)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "removed %d cached records from %s\n", n, c.Path())
			return err
		},
	}
	prune.Flags().Var(&keep, "keep", "keep the most recently used records up to this size")
	cmd.AddCommand(list, prune)
	return cmd
}

func cacheFor(e env, o *cacheOptions) (*cache.Dir, error) {
	if err := o.resolve(e.getenv); err != nil {
		return nil, err
	}
	c := o.open()
	if c == nil {
		return nil, errors.New("the cache is off (--no-cache, or no cache directory could be found)")
	}
	return c, nil
}
