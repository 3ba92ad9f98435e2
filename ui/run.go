package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
)

// LoadFunc analyses the image, reporting progress as it goes. It is called
// once, from its own goroutine; progress may be called from several
// goroutines at once.
type LoadFunc func(ctx context.Context, r Reporter) (*analyze.Result, error)

// Reporter is how a LoadFunc tells the loading screen how far it has got.
// Both functions may be called from several goroutines at once.
type Reporter struct {
	// Progress reports the analysis of the layers.
	Progress func(analyze.Progress)
	// Fetched reports the bytes a daemon save or a registry fetch has
	// delivered so far, before or while layers are analysed; total is 0
	// when unknown.
	Fetched func(done, total int64)
}

// Options configures Run. The zero value is usable when Run gets a result.
type Options struct {
	// Load, when Run gets a nil result, produces it while the interface
	// shows per-layer progress.
	Load LoadFunc
	// Reference names the image on the loading screen.
	Reference string
	// Theme picks the colours; ThemeAuto follows the terminal background.
	// NO_COLOR in the environment forces ThemeMono.
	Theme Theme
	// OpenFile, when set, lets enter on a file show its content from the
	// layer that stores it. It is called off the UI goroutine with Run's
	// context.
	OpenFile func(ctx context.Context, layer int, path string) (io.ReadCloser, error)
	// Extract, when set, saves a file of a layer (x in the file tree) and
	// returns where it went, for the status line. It is called off the UI
	// goroutine with a context that esc or the program's end cancels; see
	// ExtractFunc for progress.
	Extract ExtractFunc
	// ExtractDir, when set, saves a directory (x on one, after a y/n
	// confirmation); see ExtractDirFunc.
	ExtractDir ExtractDirFunc
	// Keys rebinds explorer actions: action name (see DefaultKeys) to the
	// keys that trigger it. An unknown action is an error (CheckKeys).
	Keys map[string][]string
	// Input and Output default to the terminal (stdin and stdout).
	Input  io.Reader
	Output io.Writer

	// loaded is the model's loaded hook, for tests.
	loaded func()
}

// Run shows res (or, when res is nil, what opts.Load produces) until the
// user quits. It returns ctx's error if ctx ends the program, and the load
// error if loading fails: the error screen stays up until the user quits.
func Run(ctx context.Context, res *analyze.Result, opts Options) error {
	if res == nil && opts.Load == nil {
		return errors.New("ui: nothing to show: no result and no Load function")
	}
	opts.Theme = themeFor(opts.Theme, os.Getenv)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops a load still running when the user quits

	keys, err := keyMapWith(opts.Keys)
	if err != nil {
		return err
	}
	m := newModel(res, opts.Theme, opts.Reference, keys)
	if m.guessBackground(os.Getenv) {
		m.layout() // the panes' cached lines are rendered with the styles
	}
	if opts.OpenFile != nil {
		m.open = opts.OpenFile // each read carries its own context, cancelled by esc
	}
	if opts.Extract != nil {
		m.extract = opts.Extract
		m.extractDir = opts.ExtractDir
	}
	if res == nil {
		m.start = waitForLoad(startLoad(ctx, opts.Load))
	}
	m.loaded = opts.loaded
	m.ctx = ctx
	if err := runProgram(ctx, m, opts.Input, opts.Output); err != nil {
		return err
	}
	if m.err != nil {
		return m.err
	}
	return nil
}

// runProgram runs a root model on the terminal (or on in and out when
// set) until it quits: the one program setup of the explorer and the
// compare view. It returns ctx's cause when ctx ended the program.
func runProgram(ctx context.Context, m tea.Model, in io.Reader, out io.Writer) error {
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if in != nil {
		popts = append(popts, tea.WithInput(in))
	}
	if out != nil {
		popts = append(popts, tea.WithOutput(out))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("running interface: %w", err)
	}
	return nil
}

// startLoad runs load in a goroutine and returns the channel its progress
// and result arrive on. Progress reports that find the channel full are
// dropped (a newer one follows) except the per-layer "done" ones.
func startLoad(ctx context.Context, load LoadFunc) <-chan tea.Msg {
	ch := make(chan tea.Msg, 256)
	send := func(msg tea.Msg) {
		select {
		case ch <- msg:
		case <-ctx.Done():
		}
	}
	go func() {
		defer close(ch)
		// Intermediate reports may be dropped when the screen lags; the
		// plan and each layer's end may not.
		res, err := load(ctx, Reporter{
			Progress: func(p analyze.Progress) {
				if p.Done || p.Plan != nil {
					send(progressMsg{p: p})
					return
				}
				select {
				case ch <- progressMsg{p: p}:
				default:
				}
			},
			Fetched: func(done, total int64) {
				select {
				case ch <- fetchMsg{done: done, total: total}:
				default:
				}
			},
		})
		if err == nil && res == nil {
			err = errors.New("loading returned no result")
		}
		send(loadedMsg{res: res, err: err})
	}()
	return ch
}

// themeFor is the theme to draw with: mono whenever NO_COLOR is set to
// anything but "" (no-color.org), whatever was asked for.
func themeFor(t Theme, getenv func(string) string) Theme {
	if getenv("NO_COLOR") != "" {
		return ThemeMono
	}
	return t
}

// darkFromCOLORFGBG reads the background rxvt, Konsole and others put in
// COLORFGBG ("15;0", "0;default;15"): the last field is the background's
// colour index, 7 and 9-15 light, the rest dark. ok is false when the
// variable says nothing usable.
func darkFromCOLORFGBG(v string) (dark, ok bool) {
	if v == "" {
		return false, false
	}
	f := strings.Split(v, ";")
	bg, err := strconv.Atoi(f[len(f)-1])
	if err != nil || bg < 0 || bg > 15 {
		return false, false
	}
	return !(bg == 7 || bg >= 9), true
}
