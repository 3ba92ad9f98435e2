// Package analyze reads the layers of a container image and works out, with
// exact definitions, what each layer added, modified and removed, how big
// each layer is, which bytes are wasted (stored but hidden in the final
// filesystem) and which history step made each layer.
//
// It streams every layer's tar once, never holding file contents, and keeps
// one compact Tree of every path the image mentions. On the way it looks at
// the start of small files for credentials (see Secret), which a later
// layer may have deleted but the image still ships. A layer that carries a
// table of contents (eStargz, zstd:chunked) and whose source can read
// spans of it (RangeOpener) is read from its TOC instead, and only the
// files that must be read are fetched (see toc.go). It knows nothing of
// where an image comes from or how results are shown.
//
// The same pass notes where each entry starts and, in a gzip layer, a
// checkpoint every few MiB (see seekIndex), so that OpenEntry can later
// read one file from the nearest checkpoint of a blob that offers
// RangeOpener rather than from the layer's start.
package analyze
