package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// layoutVersion names the subdirectory records live in; a change to how
// records are named or laid out moves to a new one.
const layoutVersion = "layers-v1"

// DefaultMax is the size bound used when none is given: 1 GiB.
const DefaultMax = 1 << 30

// tempPrefix marks records still being written.
const tempPrefix = ".tmp-"

// StaleTempAge is how old a temporary file must be before Prune removes
// it. A record is written in one go from an analysis already in memory,
// which takes seconds; a temporary file an hour old was left by a run that
// was killed (kill -9, a crash, a power cut) and will never be renamed.
// Younger ones may belong to a run writing right now and are left alone.
const StaleTempAge = time.Hour

// Dir is a cache directory. The zero value is not usable; use New.
type Dir struct {
	root string // the layout directory
	max  int64
}

// New returns the cache under dir, bounded to max bytes (DefaultMax when
// max <= 0). The directory is created on the first Store.
func New(dir string, max int64) *Dir {
	if max <= 0 {
		max = DefaultMax
	}
	return &Dir{root: filepath.Join(dir, layoutVersion), max: max}
}

// DefaultDir returns $XDG_CACHE_HOME/strata, or the platform's equivalent.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache directory: %w", err)
	}
	return filepath.Join(base, "strata"), nil
}

// Path returns the directory records are kept in.
func (d *Dir) Path() string { return d.root }

// fileName turns a key such as "sha256:ab12..." into a file name. Keys are
// digests; anything else is refused rather than escaped, so a key can never
// name a path outside the cache.
func fileName(key string) (string, error) {
	alg, hex, ok := strings.Cut(key, ":")
	if !ok || alg == "" || hex == "" || !isAlnum(alg) || !isAlnum(hex) {
		return "", fmt.Errorf("cache key %q is not a digest", key)
	}
	return alg + "-" + hex, nil
}

func isAlnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Open returns the record stored under key and marks it recently used.
// Only a regular file is a record: a symlink is not followed (marking it
// used would change the times of a file outside the cache) and a FIFO or
// device is refused rather than read.
func (d *Dir) Open(key string) (io.ReadCloser, error) {
	name, err := fileName(key)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(d.root, name)
	f, err := openRecord(p)
	if err != nil {
		if fi, lerr := os.Lstat(p); lerr == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("cache record %s: %w", key, errNotRegular)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("cache record %s: %w", key, errNotRegular)
	}
	// The modification time doubles as the last-use time for eviction; a
	// failure to update it only makes the record look older.
	_ = touch(f, time.Now())
	return f, nil
}

var errNotRegular = errors.New("not a regular file")

// Store writes a record under key through write, then evicts the least
// recently used records until the cache fits its bound.
func (d *Dir) Store(key string, write func(io.Writer) error) error {
	name, err := fileName(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.root, 0o755); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(d.root, tempPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("creating cache record: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing cache record %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing cache record %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.root, name)); err != nil {
		return fmt.Errorf("storing cache record %s: %w", key, err)
	}
	_, err = d.Prune(d.max)
	return err
}

// Record describes one stored record.
type Record struct {
	Key      string
	Size     int64
	LastUsed time.Time
}

// List returns the stored records, most recently used first.
func (d *Dir) List() ([]Record, error) {
	ents, err := os.ReadDir(d.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing cache: %w", err)
	}
	var recs []Record
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile by another run
		}
		key := strings.Replace(e.Name(), "-", ":", 1)
		recs = append(recs, Record{Key: key, Size: info.Size(), LastUsed: info.ModTime()})
	}
	sort.Slice(recs, func(i, j int) bool {
		if !recs[i].LastUsed.Equal(recs[j].LastUsed) {
			return recs[i].LastUsed.After(recs[j].LastUsed)
		}
		return recs[i].Key < recs[j].Key
	})
	return recs, nil
}

// Prune removes the least recently used records until the rest total at
// most max bytes (0 empties the cache), and returns how many it removed.
// It also removes what no run will ever use: temporary files older than
// StaleTempAge, and entries under a record's name that are not regular
// files (Open refuses them). Neither is counted.
func (d *Dir) Prune(max int64) (int, error) {
	if err := d.removeLeftovers(time.Now()); err != nil {
		return 0, err
	}
	recs, err := d.List()
	if err != nil {
		return 0, err
	}
	var total int64
	removed := 0
	for _, r := range recs {
		total += r.Size
		if total <= max {
			continue
		}
		name, err := fileName(r.Key)
		if err != nil {
			continue
		}
		if err := os.Remove(filepath.Join(d.root, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("pruning cache: %w", err)
		}
		removed++
	}
	return removed, nil
}

// removeLeftovers removes stale temporary files and non-regular entries.
// os.Remove unlinks a symlink itself, never its target, and a directory
// is left alone: strata never makes one here.
func (d *Dir) removeLeftovers(now time.Time) error {
	ents, err := os.ReadDir(d.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing cache: %w", err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			if e.Type().IsRegular() {
				continue
			}
		} else if info, err := e.Info(); err != nil || now.Sub(info.ModTime()) < StaleTempAge {
			continue // being written, or already gone
		}
		if err := os.Remove(filepath.Join(d.root, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pruning cache: %w", err)
		}
	}
	return nil
}
