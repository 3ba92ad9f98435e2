// Package blobcount counts what a registry sends for blob GETs, through a
// reverse proxy in front of it on 127.0.0.1: the tests and benchmarks of
// ranged reads measure with it how much of an image a read fetched.
package blobcount
