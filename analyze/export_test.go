package analyze

// SeekStats reports the seek index of l, loading it as OpenEntry would:
// its checkpoints, the bytes it takes encoded, and whether it has one.
func SeekStats(l Layer) (checkpoints int, encoded int64, ok bool) {
	x := l.seek.load()
	if x == nil {
		return 0, 0, false
	}
	var c byteCounter
	if err := encodeSeek(&c, l.DiffID, x); err != nil {
		return 0, 0, false
	}
	return len(x.cps), c.n, true
}
