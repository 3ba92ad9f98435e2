package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/strata-cli/strata/source"
)

// timeoutFlag is a positive duration (30s, 2m).
type timeoutFlag struct{ v *time.Duration }

func (f timeoutFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return source.DefaultRegistryHeaderTimeout.String()
	}
	return f.v.String()
}

func (f timeoutFlag) Set(s string) error {
	d, err := parseTimeout(s)
	if err != nil {
		return err
	}
	*f.v = d
	return nil
}

func (timeoutFlag) Type() string { return "duration" }

// parseTimeout reads a duration with its unit, more than zero.
func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a timeout: want a positive duration with a unit, such as 30s or 2m", s)
	}
	return d, nil
}
