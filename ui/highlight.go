package ui

import (
	"context"
	"image/color"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/x/ansi"
)

// Syntax highlighting of the viewer's text, by chroma's lexers. A page is
// tokenised once, in a command, after it is shown plain; the viewer keeps
// the result per page and the frames only look it up. The palette is the
// theme's own (keywords in its accent, strings in its "added" green, ...)
// rather than one of chroma's styles, so that the viewer reads like the
// rest of the explorer; the mono theme has none, and binary files are not
// highlighted.

// synClass is what a token is, as far as colour goes.
type synClass uint8

const (
	synNone synClass = iota
	synKeyword
	synString
	synNumber
	synComment
	synName // functions, classes, tags
	synBuiltin
	synAttr
	synInserted
	synDeleted
	synHeading
	numSyn
)

// synSpan is a run of one row's text (bytes [from, to) of the row with
// control characters dropped, as the viewer shows it) in one class.
type synSpan struct {
	from, to int32
	class    synClass
}

// syntaxStyle is the escape sequence opening each class.
type syntaxStyle struct{ open [numSyn]string }

const sgrReset = "\x1b[m"

// sgr opens class c; nothing without a palette.
func (s *syntaxStyle) sgr(c synClass) string {
	if s == nil {
		return ""
	}
	return s.open[c]
}

// newSyntaxStyle builds a palette from the theme's colours.
func newSyntaxStyle(keyword, str, num, comment, name, removed color.Color) *syntaxStyle {
	fg := func(c color.Color) ansi.Style { return ansi.Style{}.ForegroundColor(c) }
	s := &syntaxStyle{}
	s.open[synKeyword] = fg(keyword).String()
	s.open[synString] = fg(str).String()
	s.open[synNumber] = fg(num).String()
	s.open[synComment] = fg(comment).Italic(true).String()
	s.open[synName] = fg(name).String()
	s.open[synBuiltin] = fg(name).Italic(true).String()
	s.open[synAttr] = fg(num).String()
	s.open[synInserted] = fg(str).String()
	s.open[synDeleted] = fg(removed).String()
	s.open[synHeading] = fg(keyword).Bold().String()
	return s
}

// classOf sorts chroma's token types into the palette's classes.
func classOf(t chroma.TokenType) synClass {
	switch {
	case t.InCategory(chroma.Comment):
		return synComment
	case t.InCategory(chroma.Keyword), t == chroma.NameTag, t == chroma.OperatorWord:
		return synKeyword
	case t.InSubCategory(chroma.LiteralString):
		return synString
	case t.InSubCategory(chroma.LiteralNumber):
		return synNumber
	case t == chroma.NameFunction, t == chroma.NameClass, t == chroma.NameFunctionMagic, t == chroma.NameNamespace:
		return synName
	case t == chroma.NameBuiltin, t == chroma.NameBuiltinPseudo, t == chroma.NameDecorator:
		return synBuiltin
	case t == chroma.NameAttribute, t == chroma.NameLabel, t == chroma.NameProperty:
		return synAttr
	case t == chroma.GenericInserted:
		return synInserted
	case t == chroma.GenericDeleted:
		return synDeleted
	case t == chroma.GenericHeading, t == chroma.GenericSubheading:
		return synHeading
	}
	return synNone
}

// Highlighting goes by bands of rows, not whole pages: chroma's lexers
// run at well under a megabyte a second (BenchmarkHighlightBand), so a
// page would take seconds to colour. The bands the screen shows are
// tokenised, each in a command of a few milliseconds, and kept. Each band
// starts in the lexer's first state: one that begins inside a long
// comment or string is coloured as code until it ends.
const (
	bandRows = 200
	// bandRowBytes bounds how much of one row is tokenised: a minified
	// file's megabyte-long line shows its start coloured, the rest plain.
	bandRowBytes = 4 << 10
	// maxBands bounds the bands kept, a few screens' worth either way.
	maxBands = 32
)

// bandKey names a band: rows [band*bandRows, (band+1)*bandRows) of the
// page starting at byte page.
type bandKey struct {
	page int64
	band int
}

// highlightMsg carries the spans of one band of the file the viewer
// shows.
type highlightMsg struct {
	Gen  uint64 // the viewer's file this is of (syntax.gen)
	Band bandKey
	// Lexer is the lexer's name, picked from the file name or, failing
	// that, the content: the following bands use it too. Empty when none
	// fits: the file stays plain.
	Lexer string
	Rows  [][]synSpan // nil when cancelled
}

// syntax is the viewer's highlighting state for the file shown.
type syntax struct {
	gen    uint64
	lexer  string // "" not picked yet
	none   bool   // no lexer fits the file
	bands  map[bandKey][][]synSpan
	asked  map[bandKey]context.CancelFunc // tokenising on their way
	picked bool                           // a command is picking the lexer: wait for it
}

// reset forgets the previous file's highlighting.
func (s *syntax) reset() {
	s.stop()
	s.gen++
	s.lexer, s.none, s.bands, s.picked = "", false, nil, false
}

// stop cancels the tokenising on its way.
func (s *syntax) stop() {
	for _, cancel := range s.asked {
		cancel()
	}
	s.asked, s.picked = nil, false
}

// spans are row r's spans in the page shown, nil when it is plain.
func (v *viewer) spans(r int) []synSpan {
	rows := v.syn.bands[bandKey{v.start, r / bandRows}]
	if r < 0 || r%bandRows >= len(rows) {
		return nil
	}
	return rows[r%bandRows]
}

// Highlight asks for the bands on screen to be tokenised, unless they are
// already, or the styles have no colour, or the file is binary or fits no
// lexer. Until the lexer is picked (by the first band's command) one band
// is asked at a time.
func (v *viewer) Highlight() tea.Cmd {
	if v.st.Syntax == nil || v.opening || v.binary || v.failed || v.syn.none || len(v.lines) == 0 || v.syn.picked {
		return nil
	}
	var cmds []tea.Cmd
	last := min(len(v.lines)-1, v.offset+max(1, v.height)-1)
	for b := v.offset / bandRows; b <= last/bandRows; b++ {
		k := bandKey{v.start, b}
		if _, ok := v.syn.bands[k]; ok {
			continue
		}
		if _, ok := v.syn.asked[k]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		if v.syn.asked == nil {
			v.syn.asked = map[bandKey]context.CancelFunc{}
		}
		v.syn.asked[k] = cancel
		gen, name, p := v.syn.gen, v.syn.lexer, v.path
		rows := v.lines[b*bandRows : min(len(v.lines), (b+1)*bandRows)]
		cmds = append(cmds, func() tea.Msg { return highlightBand(ctx, gen, name, p, k, rows) })
		if name == "" {
			v.syn.picked = true
			break
		}
	}
	return tea.Batch(cmds...)
}

// LoadHighlight keeps the spans of a band of the file shown, and asks for
// the bands still missing on screen.
func (v *viewer) LoadHighlight(msg highlightMsg) tea.Cmd {
	if msg.Gen != v.syn.gen {
		return nil
	}
	if cancel, ok := v.syn.asked[msg.Band]; ok {
		cancel()
		delete(v.syn.asked, msg.Band)
	}
	v.syn.picked = false
	if msg.Lexer == "" {
		v.syn.none = true
		return nil
	}
	v.syn.lexer = msg.Lexer
	if msg.Rows != nil {
		if v.syn.bands == nil {
			v.syn.bands = map[bandKey][][]synSpan{}
		}
		for k := range v.syn.bands {
			if len(v.syn.bands) < maxBands {
				break
			}
			if k.page != v.start || abs(k.band-v.offset/bandRows) > 1 {
				delete(v.syn.bands, k)
			}
		}
		v.syn.bands[msg.Band] = msg.Rows
	}
	return v.Highlight()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pickLexer is the lexer named, else the one the file name says (base
// name globs: *.go, Dockerfile, nginx.conf), else the one the content
// looks most like; nil when none, or only plain text, fits.
func pickLexer(name, path string, rows []string) chroma.Lexer {
	var lx chroma.Lexer
	switch {
	case name != "":
		lx = lexers.Get(name)
	default:
		if lx = lexers.Match(path); lx == nil {
			// A sample is enough to tell, and some analysers scan all
			// they are given.
			var sample strings.Builder
			for _, r := range rows {
				if sample.Len() > 4<<10 {
					break
				}
				sample.WriteString(r)
				sample.WriteByte('\n')
			}
			lx = lexers.Analyse(sample.String())
		}
	}
	if lx == nil || lx.Config().Name == "plaintext" {
		return nil
	}
	return lx
}

// highlightBand tokenises a band of rows and returns each row's spans.
// It runs in a tea.Cmd and stops early when ctx is cancelled.
func highlightBand(ctx context.Context, gen uint64, name, path string, band bandKey, rows []string) highlightMsg {
	msg := highlightMsg{Gen: gen, Band: band}
	lx := pickLexer(name, path, rows)
	if lx == nil {
		return msg
	}
	msg.Lexer = lx.Config().Name
	text := make([]string, len(rows))
	for i, r := range rows {
		if len(r) > bandRowBytes {
			cut := bandRowBytes // at a rune start
			for cut > 0 && !utf8.RuneStart(r[cut]) {
				cut--
			}
			r = r[:cut]
		}
		text[i] = strings.Map(printable, r)
	}
	it, err := chroma.Coalesce(lx).Tokenise(nil, strings.Join(text, "\n"))
	if err != nil {
		return msg // plain, as if cancelled
	}
	out := make([][]synSpan, len(rows))
	row, col := 0, 0
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return msg
		}
		tok := it()
		if tok == chroma.EOF {
			break
		}
		c := classOf(tok.Type)
		for v := tok.Value; v != "" && row < len(rows); {
			seg, rest, nl := strings.Cut(v, "\n")
			if c != synNone && seg != "" {
				out[row] = append(out[row], synSpan{from: int32(col), to: int32(col + len(seg)), class: c})
			}
			col += len(seg)
			if nl {
				row, col = row+1, 0
			}
			v = rest
		}
	}
	msg.Rows = out
	return msg
}
