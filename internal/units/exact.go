package units

import "fmt"

// BytesExact prints a byte count both readable and exact.
func BytesExact(n int64) string { return fmt.Sprintf("%s (%d bytes)", Bytes(n), n) }
