// Command profile runs one cold analysis of an image under the CPU and heap
// profilers, so that speed work starts from a profile rather than a guess:
//
//	go run ./bench/profile -cpu cpu.prof -mem mem.prof bench/out/large.tar
//	go tool pprof -top cpu.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/cache"
	"github.com/strata-cli/strata/source"
)

func main() {
	cpu := flag.String("cpu", "", "write a CPU profile to `FILE`")
	mem := flag.String("mem", "", "write a heap profile (after analysis) to `FILE`")
	noVerify := flag.Bool("no-verify", false, "skip digest checks")
	j := flag.Int("j", 0, "layers read at once (0: GOMAXPROCS)")
	cacheDir := flag.String("cache", "", "use the layer cache in `DIR`")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: profile [-cpu FILE] [-mem FILE] IMAGE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *cpu, *mem, *cacheDir, *noVerify, *j); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(2)
	}
}

func run(ref, cpu, mem, cacheDir string, noVerify bool, j int) error {
	ctx := context.Background()
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	img, err := source.Open(ctx, ref, source.Options{})
	if err != nil {
		return err
	}
	defer source.Close(img)
	opts := analyze.Options{NoVerify: noVerify, Concurrency: j}
	if cacheDir != "" {
		opts.Cache = cache.New(cacheDir, 0)
	}
	res, err := analyze.Analyze(ctx, img, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	entries := 0
	for _, l := range res.Layers {
		entries += len(l.Entries)
	}
	fmt.Printf("%s: %d layers, %d entries, %d paths, %v, heap in use %d MB, total alloc %d MB, GCs %d\n",
		ref, len(res.Layers), entries, res.Tree.Len(), elapsed.Round(time.Millisecond), ms.HeapInuse>>20, ms.TotalAlloc>>20, ms.NumGC)
	if mem != "" {
		f, err := os.Create(mem)
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.WriteHeapProfile(f)
	}
	return nil
}
