//go:build !linux

package source

import (
	"context"
	"fmt"
)

type upperCounts struct{ added, changed, deleted int }

// upperLayer needs Linux: overlay upper directories exist only there.
func upperLayer(context.Context, string, []string) (*fileLayer, upperCounts, error) {
	return nil, upperCounts{}, fmt.Errorf("reading an overlay upper directory needs Linux: %w", ErrUnsupported)
}
