package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/imagetest"
)

// openReport writes `strata report -o out ref` (run in dir) and loads the
// page in a fresh browser session, failing the test if the page reports
// an error.
func openReport(t *testing.T, driver, chromium, dir, out, ref string) *webDriver {
	t.Helper()
	if r := run(t, dir, "report", "-o", out, ref); r.code != 0 {
		t.Fatalf("strata report: exit %d, stderr %q", r.code, r.stderr)
	}
	wd := startWebDriver(t, driver, chromium, dir)
	wd.call(t, "POST", "/url", map[string]any{"url": "file://" + out}, nil)
	wd.waitFor(t, `return document.body.dataset.ready === "1" || !!document.body.dataset.error`)
	if e := wd.script(t, `return document.body.dataset.error || ""`); e != "" {
		t.Fatalf("the page reports an error: %v", e)
	}
	return wd
}

// TestHTMLReportInBrowser opens the report of the tiny image in headless
// Chromium, from disk and with the network cut off, and drives it through
// chromedriver's W3C WebDriver API: the chart and the treemap must render
// without console errors or any load, a layer bar must highlight its
// files, and a directory must zoom by mouse and by keyboard. It saves a
// screenshot and logs where.
//
// It needs the Debian packages chromium and chromium-driver; without them
// it skips, unless STRATA_REQUIRE_BROWSER=1 (which .ci/run sets).
func TestHTMLReportInBrowser(t *testing.T) {
	chromium, driver := findBrowser(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	// A relative reference, so that the page (and the screenshot) says
	// tiny.tar rather than a temporary path.
	if err := imagetest.WriteTiny(filepath.Join(dir, "tiny.tar")); err != nil {
		t.Fatal(err)
	}
	wd := openReport(t, driver, chromium, dir, out, "tiny.tar")

	// Both charts are there: one bar per layer, the empty steps listed,
	// a treemap with rectangles, and the summary cards.
	var dom struct {
		Bars, Empty, Nodes, Rects, Cards, Wasted, Advice, Resources int
		Root                                                        string
	}
	wd.scriptInto(t, `return {
		bars: document.querySelectorAll("button.step").length,
		empty: document.querySelectorAll(".step.empty").length,
		nodes: document.querySelectorAll("#treemap .node").length,
		rects: document.querySelectorAll("#treemap rect[width]").length,
		cards: document.querySelectorAll("#summary > div").length,
		wasted: document.querySelectorAll("#wasted tbody tr").length,
		advice: document.querySelectorAll("#advice li").length,
		resources: performance.getEntriesByType("resource").length,
		root: document.body.dataset.root}`, &dom)
	t.Logf("rendered: %+v", dom)
	if dom.Bars != 5 || dom.Empty != 2 {
		t.Errorf("history chart has %d layer bars and %d empty steps, want 5 and 2", dom.Bars, dom.Empty)
	}
	if dom.Nodes < 8 || dom.Rects < dom.Nodes {
		t.Errorf("treemap has %d nodes and %d rects, want at least 8 nodes, a rect each", dom.Nodes, dom.Rects)
	}
	if dom.Cards != 6 || dom.Wasted != 3 {
		t.Errorf("%d summary cards and %d wasted files, want 6 and 3", dom.Cards, dom.Wasted)
	}
	// The tiny image's waste explained: an apk cache deleted a step late,
	// and files its COPY brought that a later RUN removed.
	if dom.Advice < 3 {
		t.Errorf("%d advice items, want at least 3", dom.Advice)
	}
	if dom.Resources != 0 {
		t.Errorf("the page loaded %d resources, want none", dom.Resources)
	}
	if dom.Root != "/" {
		t.Errorf("treemap shows %q, want /", dom.Root)
	}
	if v := wd.script(t, `return document.getElementById("group-box").hidden`); v != true {
		t.Error("an image without packages offers grouping by package")
	}

	// A click on layer 1's bar highlights the files layer 1 wrote and
	// dims the rest; a second click clears it.
	wd.click(t, wd.find(t, `button.step[data-layer="1"]`))
	var hl struct {
		Pressed, Highlight string
		Lit, Dim, Wrong    int
	}
	wd.scriptInto(t, `const lit = [...document.querySelectorAll("#treemap .node.hl")];
		return {pressed: document.querySelector('button.step[data-layer="1"]').getAttribute("aria-pressed"),
		highlight: document.body.dataset.highlight, lit: lit.length,
		dim: document.querySelectorAll("#treemap .node.dim").length,
		wrong: document.querySelectorAll('#treemap .node.dim[data-layer="1"]').length}`, &hl)
	if hl.Pressed != "true" || hl.Highlight != "1" || hl.Lit < 2 || hl.Dim < 2 || hl.Wrong != 0 {
		t.Errorf("after clicking layer 1: %+v, want it pressed, curl and libcurl lit, the rest dimmed", hl)
	}
	wd.click(t, wd.find(t, `button.step[data-layer="1"]`))
	if n := wd.script(t, `return document.querySelectorAll("#treemap .dim").length`); n != float64(0) {
		t.Errorf("a second click left %v nodes dimmed", n)
	}

	// A mouse click on a directory's header zooms into it; the
	// breadcrumb leads back up.
	var box struct{ X, Y float64 }
	wd.scriptInto(t, `const r = document.querySelector('#treemap .node[data-path="/app"] rect').getBoundingClientRect();
		return {x: r.left + 6, y: r.top + 6}`, &box)
	wd.call(t, "POST", "/actions", map[string]any{"actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "origin": "viewport", "x": int(box.X), "y": int(box.Y)},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		},
	}}}, nil)
	if root := wd.script(t, `return document.body.dataset.root`); root != "/app" {
		t.Errorf("after clicking /app the treemap shows %v", root)
	}
	if n := wd.script(t, `return document.querySelectorAll("#crumbs button").length`); n != float64(2) {
		t.Errorf("breadcrumb has %v buttons in /app, want 2", n)
	}
	if n := wd.script(t, `return document.querySelectorAll('#treemap .node[data-path="/app/server"]').length`); n != float64(1) {
		t.Errorf("/app/server is not a rectangle of /app (%v)", n)
	}
	wd.click(t, wd.find(t, `#crumbs button`))
	if root := wd.script(t, `return document.body.dataset.root`); root != "/" {
		t.Errorf("the breadcrumb went to %v, want /", root)
	}

	// The keyboard does the same: Enter on a focused directory opens it,
	// Escape goes back up.
	wd.call(t, "POST", "/element/"+wd.find(t, `#treemap .node[data-path="/usr"]`)+"/value", map[string]any{"text": "\uE007"}, nil)
	if root := wd.script(t, `return document.body.dataset.root`); root != "/usr" {
		t.Errorf("Enter on /usr: the treemap shows %v", root)
	}
	if tag := wd.script(t, `return document.activeElement.getAttribute("data-path") || document.activeElement.tagName`); tag != "/usr/bin" {
		t.Errorf("after Enter the focus is on %v, want the first rectangle of /usr", tag)
	}
	wd.call(t, "POST", "/actions", keys("\uE00C"), nil)
	if root := wd.script(t, `return document.body.dataset.root`); root != "/" {
		t.Errorf("Escape: the treemap shows %v, want /", root)
	}

	// The wasted-bytes treemap: one group per layer that stored them.
	wd.click(t, wd.find(t, `input[value="hidden"]`))
	var hid struct {
		Mode   string
		Groups int
	}
	wd.scriptInto(t, `return {mode: document.body.dataset.mode,
		groups: document.querySelectorAll('#treemap .node[data-path="/"]').length}`, &hid)
	if hid.Mode != "hidden" || hid.Groups != 3 {
		t.Errorf("wasted view: %+v, want mode hidden and 3 layer groups", hid)
	}
	wd.click(t, wd.find(t, `input[value="tree"]`))

	// Hover a file so that the screenshot shows a tooltip.
	wd.scriptInto(t, `const r = document.querySelector('#treemap .node[data-path="/lib"] rect').getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 3}`, &box)
	wd.call(t, "POST", "/actions", map[string]any{"actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{map[string]any{"type": "pointerMove", "origin": "viewport", "x": int(box.X), "y": int(box.Y)}},
	}}}, nil)
	if tip := wd.script(t, `const t = document.getElementById("tip"); return t.hidden ? "" : t.textContent`); !strings.Contains(fmt.Sprint(tip), "/lib/ld-musl-x86_64.so.1") || !strings.Contains(fmt.Sprint(tip), "layer 0") {
		t.Errorf("hover tooltip = %q, want the path and its layer", tip)
	}

	logs := wd.consoleErrors(t)
	for _, l := range logs {
		t.Errorf("console: %s", l)
	}

	shot := wd.screenshot(t)
	shotDir := filepath.Join(os.TempDir(), "strata-report-browser-test")
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(shotDir, "report.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	t.Logf("screenshot: %s (%dx%d)", shotPath, cfg.Width, cfg.Height)
}

func keys(k string) map[string]any {
	return map[string]any{"actions": []any{map[string]any{
		"type": "key", "id": "keyboard",
		"actions": []any{map[string]any{"type": "keyDown", "value": k}, map[string]any{"type": "keyUp", "value": k}},
	}}}
}

// findBrowser returns chromium and chromedriver, or skips the test.
func findBrowser(t *testing.T) (chromium, driver string) {
	t.Helper()
	var missing []string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		missing = append(missing, "chromium")
	}
	driver, err := exec.LookPath("chromedriver")
	if err != nil {
		missing = append(missing, "chromedriver")
	}
	if len(missing) == 0 {
		return chromium, driver
	}
	why := fmt.Sprintf("%s not found (apt-get install chromium chromium-driver)", strings.Join(missing, " and "))
	if os.Getenv("STRATA_REQUIRE_BROWSER") == "1" {
		t.Fatalf("STRATA_REQUIRE_BROWSER=1 but %s", why)
	}
	t.Skip(why)
	return "", ""
}

// webDriver is one chromedriver session.
type webDriver struct {
	base    string // http://127.0.0.1:port/session/ID
	client  *http.Client
	timeout time.Duration
}

// startWebDriver starts chromedriver on a free loopback port and opens a
// headless session in which nothing can reach the network: every host
// resolves to nothing and every proxy is a closed port.
func startWebDriver(t *testing.T, driver, chromium, dir string) *webDriver {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting chromedriver: %v", err)
	}
	wd := &webDriver{base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: time.Minute}, timeout: 30 * time.Second}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("chromedriver output:\n%s", logBuf.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := wd.client.Get(wd.base + "/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not answer on port %d: %v\n%s", port, err, logBuf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromium,
			"args": []string{
				"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--window-size=1200,1700", "--user-data-dir=" + filepath.Join(dir, "chromium-profile"),
				"--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
				"--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--force-color-profile=srgb", "--hide-scrollbars",
			},
		},
		"goog:loggingPrefs": map[string]string{"browser": "ALL"},
	}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	wd.call(t, "POST", "/session", caps, &sess)
	if sess.SessionID == "" {
		t.Fatal("chromedriver opened no session")
	}
	root := wd.base
	wd.base = root + "/session/" + sess.SessionID
	t.Cleanup(func() {
		req, _ := http.NewRequest("DELETE", wd.base, nil)
		if resp, err := wd.client.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	return wd
}

// call sends one WebDriver command and decodes its "value" into out.
// path is relative to the session ("/session" itself before there is one).
func (wd *webDriver) call(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if err := wd.do(method, path, body, out); err != nil {
		t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
}

func (wd *webDriver) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, wd.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := wd.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("status %s, body %.300s", resp.Status, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		_ = json.Unmarshal(env.Value, &e)
		return fmt.Errorf("%s: %s: %.500s", resp.Status, e.Error, e.Message)
	}
	if out != nil {
		return json.Unmarshal(env.Value, out)
	}
	return nil
}

// script runs JavaScript in the page and returns its result.
func (wd *webDriver) script(t *testing.T, js string) any {
	t.Helper()
	var v any
	wd.call(t, "POST", "/execute/sync", map[string]any{"script": js, "args": []any{}}, &v)
	return v
}

// scriptInto runs JavaScript and decodes its result into out.
func (wd *webDriver) scriptInto(t *testing.T, js string, out any) {
	t.Helper()
	wd.call(t, "POST", "/execute/sync", map[string]any{"script": js, "args": []any{}}, out)
}

// waitFor polls a script until it returns true.
func (wd *webDriver) waitFor(t *testing.T, js string) {
	t.Helper()
	deadline := time.Now().Add(wd.timeout)
	for wd.script(t, js) != true {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// find returns the element reference of the first match of a CSS selector.
func (wd *webDriver) find(t *testing.T, css string) string {
	t.Helper()
	var el map[string]string
	wd.call(t, "POST", "/element", map[string]string{"using": "css selector", "value": css}, &el)
	for _, id := range el { // the key is the W3C element identifier
		return id
	}
	t.Fatalf("no element for %s", css)
	return ""
}

// click clicks an element the way a user would, at its centre.
func (wd *webDriver) click(t *testing.T, el string) {
	t.Helper()
	wd.call(t, "POST", "/element/"+el+"/click", map[string]any{}, nil)
}

// consoleErrors returns the browser console's warnings and errors.
// chromedriver keeps the log behind its own endpoint; when it does not
// answer, the page's own error marker (checked above) is all there is.
func (wd *webDriver) consoleErrors(t *testing.T) []string {
	t.Helper()
	var entries []struct{ Level, Message string }
	if err := wd.do("POST", "/se/log", map[string]string{"type": "browser"}, &entries); err != nil {
		t.Logf("browser console log unavailable (%v); relying on the page's error marker", err)
		return nil
	}
	var bad []string
	for _, e := range entries {
		if e.Level == "SEVERE" || e.Level == "WARNING" {
			bad = append(bad, e.Level+" "+e.Message)
		}
	}
	return bad
}

// screenshot returns a PNG of the window.
func (wd *webDriver) screenshot(t *testing.T) []byte {
	t.Helper()
	var b64 string
	wd.call(t, "GET", "/screenshot", nil, &b64)
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("decoding screenshot: %v", err)
	}
	return b
}
