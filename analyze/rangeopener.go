package analyze

import (
	"context"
	"errors"
	"io"
)

// RangeOpener is offered by a compressed layer whose bytes can be read in
// spans (an HTTP Range request, a seek in an archive) rather than only from
// the start. Analysis and file reads ask for it with a type assertion and
// fall back to the whole stream when it is missing or answers ErrNoRange.
type RangeOpener interface {
	// OpenRange returns length bytes of the compressed blob from offset.
	OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// ErrNoRange says a source could not serve a span, for instance a
// registry that answered 200 with the whole blob instead of 206.
var ErrNoRange = errors.New("range requests not supported")
