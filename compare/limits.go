package compare

// Limits are the regressions a comparison fails on. A nil field is no limit.
type Limits struct {
	// MaxSizeIncrease is the most the image may grow, in bytes.
	MaxSizeIncrease *int64
	// MaxSizeIncreasePercent is the most it may grow, as a percentage of
	// the old size (10 means 10%).
	MaxSizeIncreasePercent *float64
	// MaxWasteIncrease is the most its wasted bytes may grow.
	MaxWasteIncrease *int64
	// MaxLayersIncrease is the most layers it may gain.
	MaxLayersIncrease *int
}

// The reasons Check reports.
const (
	ReasonSize   = "size"
	ReasonWaste  = "waste"
	ReasonLayers = "layers"
)

// Check returns the reasons the report crosses l, in a fixed order; none
// means no limit is crossed.
func (r *Report) Check(l Limits) []string {
	var why []string
	size := false
	if l.MaxSizeIncrease != nil && r.Delta.SizeBytes > *l.MaxSizeIncrease {
		size = true
	}
	if p := l.MaxSizeIncreasePercent; p != nil && r.Delta.SizeBytes > 0 {
		if r.Old.SizeBytes == 0 || float64(r.Delta.SizeBytes)*100 > *p*float64(r.Old.SizeBytes) {
			size = true
		}
	}
	if size {
		why = append(why, ReasonSize)
	}
	if l.MaxWasteIncrease != nil && r.Delta.WastedBytes > *l.MaxWasteIncrease {
		why = append(why, ReasonWaste)
	}
	if l.MaxLayersIncrease != nil && r.Delta.Layers > *l.MaxLayersIncrease {
		why = append(why, ReasonLayers)
	}
	return why
}
