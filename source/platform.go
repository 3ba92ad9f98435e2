package source

import (
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// parsePlatform parses "os/arch[/variant]".
func parsePlatform(s string) (*v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("invalid platform %q: want os/arch[/variant]", s)
	}
	p := &v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// hostPlatform is the platform picked when none is asked for.
func hostPlatform() *v1.Platform {
	p := &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm64" {
		p.Variant = "v8"
	}
	return p
}

// normVariant fills in the variant an architecture implies when it has
// none: arm64 images are v8 whether or not they say so.
func normVariant(p *v1.Platform) string {
	if p.Variant == "" && p.Architecture == "arm64" {
		return "v8"
	}
	return p.Variant
}

// platformMatches reports whether have satisfies want. A want without a
// variant accepts any variant.
func platformMatches(want, have *v1.Platform) bool {
	if have == nil || want.OS != have.OS || want.Architecture != have.Architecture {
		return false
	}
	return want.Variant == "" || normVariant(want) == normVariant(have)
}

func platformString(p *v1.Platform) string {
	if p == nil {
		return "unknown"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// PlatformError says that a source has no image for the wanted platform.
// It matches ErrNoPlatform.
type PlatformError struct {
	Want      string   // the platform asked for (or the host's)
	Source    string   // the reference as given to Open
	Available []string // platforms the source has, as os/arch[/variant]
}

func (e *PlatformError) Error() string {
	return fmt.Sprintf("no image for platform %s in %s (available: %s)",
		e.Want, e.Source, strings.Join(e.Available, ", "))
}

// Is makes errors.Is(err, ErrNoPlatform) true.
func (e *PlatformError) Is(target error) bool { return target == ErrNoPlatform }
