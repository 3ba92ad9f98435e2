//go:build race

package analyze_test

// raceDetector is set when the tests run under -race, which slows
// decompression tenfold: the largest inputs are left to plain runs.
const raceDetector = true
