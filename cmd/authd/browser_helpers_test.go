package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// debianChromium is the launcher of Debian's chromium package, the browser
// .ci/run installs.
const debianChromium = "/usr/bin/chromium"

// findChromium returns the browser to drive: Debian's chromium, else the
// first of the usual names of Chromium or chromedp's headless-shell on PATH.
func findChromium() (string, bool) {
	if fi, err := os.Stat(debianChromium); err == nil && fi.Mode().IsRegular() {
		return debianChromium, true
	}
	for _, name := range []string{"chromium", "chromium-browser", "headless_shell", "chromium-headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}

// inCI reports whether the tests run under CI (.ci/run exports CI=true),
// where a missing browser or ReDoc bundle fails instead of skipping.
func inCI() bool { return os.Getenv("CI") == "true" }

// needChromium returns the browser, or skips the test when there is none.
// Under CI it fails instead: a skipped browser test would let the docs pages
// break without anyone noticing.
func needChromium(t *testing.T) string {
	t.Helper()
	if exe, ok := findChromium(); ok {
		return exe
	}
	const msg = "no Chromium (" + debianChromium + ", or chromium, chromium-browser, headless_shell on PATH); install it with `apt-get install chromium`"
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifactDir is where screenshots go: $AUTHD_TEST_ARTIFACTS when set, so a
// developer or CI can keep them, else a directory removed after the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AUTHD_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
		t.Logf("screenshots go to %s (removed after the test; set AUTHD_TEST_ARTIFACTS to keep them)", dir)
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("AUTHD_TEST_ARTIFACTS: %v", err)
	}
	t.Logf("screenshots go to %s", dir)
	return dir
}

// pageRequest is one request a page sent, from its DevTools network events.
type pageRequest struct {
	method, url, document string
	blocked               network.BlockedReason // set when the browser refused to send it
}

// pageRecord collects what the tab's DevTools events tell about the pages:
// every request (chromedp enables the Network domain when it attaches to
// the tab) and every error (uncaught exceptions, console.error, and the
// browser's own error log: Content-Security-Policy violations, failed
// loads). The listener runs on chromedp's event loop while the test reads,
// hence the mutex.
type pageRecord struct {
	mu       sync.Mutex
	requests []pageRequest
	index    map[network.RequestID]int // into requests
	problems []string
	warnings []string
	// refusals are URLs the test expects authd to refuse (a 4xx it asks
	// for on purpose); the browser logs such an answer as an error.
	refusals map[string]int
}

// expectRefusal says that the page will get one error status from url, on
// purpose: the browser's log line for it is a warning, not a problem.
func (r *pageRecord) expectRefusal(url string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refusals[url]++
}

// lastRequest returns the id of the last request of method to url that the
// tab sent.
func (r *pageRecord) lastRequest(method, url string) (network.RequestID, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var id network.RequestID
	last := -1
	for rid, i := range r.index {
		if q := r.requests[i]; q.method == method && q.url == url && i > last {
			id, last = rid, i
		}
	}
	return id, last >= 0
}

func newPageRecord() *pageRecord {
	return &pageRecord{index: map[network.RequestID]int{}, refusals: map[string]int{}}
}

// listen is a chromedp listener: it must return fast and send no command.
func (r *pageRecord) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.index[ev.RequestID] = len(r.requests)
		r.requests = append(r.requests, pageRequest{method: ev.Request.Method, url: ev.Request.URL, document: ev.DocumentURL})
	case *network.EventLoadingFailed:
		if i, ok := r.index[ev.RequestID]; ok && ev.BlockedReason != "" {
			r.requests[i].blocked = ev.BlockedReason
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		r.problems = append(r.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			r.problems = append(r.problems, "console."+string(ev.Type)+": "+consoleText(ev.Args))
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		line := fmt.Sprintf("browser log (%s) at %s: %s", e.Source, e.URL, e.Text)
		switch e.Level {
		case log.EntryLevelError:
			if e.Source == log.EntrySourceNetwork && r.refusals[e.URL] > 0 {
				r.refusals[e.URL]--
				r.warnings = append(r.warnings, "expected: "+line)
				break
			}
			r.problems = append(r.problems, line)
		case log.EntryLevelWarning:
			r.warnings = append(r.warnings, line)
		}
	}
}

func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

// check fails the test for every request to anywhere but origin and for
// every error the pages reported. data: and blob: URLs never leave the
// browser. A request the browser blocked (say, by the page's CSP) never
// left either, but the page still asked for something from elsewhere, which
// the docs pages must not do, so it fails too, saying it was blocked. With
// no request to origin at all the listener must be broken, which fails too.
func (r *pageRecord) check(t *testing.T, origin string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	ours := 0
	for _, q := range r.requests {
		u, err := url.Parse(q.url)
		switch {
		case err != nil:
			t.Errorf("unparsable request URL %q: %v", q.url, err)
		case u.Scheme == "data" || u.Scheme == "blob":
		case u.Scheme+"://"+u.Host == origin:
			ours++
		case q.blocked != "":
			t.Errorf("page asked for another host: %s %s (from %s); the browser blocked it (%s), so it did not leave the machine", q.method, q.url, q.document, q.blocked)
		default:
			t.Errorf("request left authd: %s %s (from %s)", q.method, q.url, q.document)
		}
	}
	if ours == 0 {
		t.Errorf("no request to %s recorded: is the network listener working?", origin)
	}
	for _, p := range r.problems {
		t.Errorf("page error: %s", p)
	}
	for _, w := range r.warnings {
		t.Logf("page warning: %s", w)
	}
	t.Logf("the pages sent %d requests, %d of them to authd", len(r.requests), ours)
}

// egressGuard is the browser's HTTP proxy, so that nothing the browser does
// leaves the machine, even in a failing run. Chromium never sends loopback
// through a proxy, so requests to authd go straight to it; anything else
// comes here and is refused. That includes Chromium's own background
// requests (account checks, component and optimization-hint updates), which
// no flag fully turns off and whose timing varies from run to run. The proxy
// cannot tell them from a page's (for https it sees only CONNECT host:port),
// so it only logs; what the pages request is judged by pageRecord.check.
type egressGuard struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hosts map[string]int // refused requests by host
}

func newEgressGuard(t *testing.T) *egressGuard {
	t.Helper()
	g := &egressGuard{hosts: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.hosts[r.Host]++ // CONNECT host:port for https, the URL's host for http
		g.mu.Unlock()
		http.Error(w, "authd's browser test: no request may leave the machine", http.StatusForbidden)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// log reports what the proxy refused.
func (g *egressGuard) log(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.hosts) == 0 {
		return
	}
	refused := make([]string, 0, len(g.hosts))
	for host, n := range g.hosts {
		refused = append(refused, fmt.Sprintf("%s (%d)", host, n))
	}
	sort.Strings(refused)
	t.Logf("the test's proxy refused these requests of the browser: %s", strings.Join(refused, ", "))
}

// newBrowser starts headless Chromium, bound to ctx, and returns the
// context of its tab. rec sees every event of the tab from the first one.
func newBrowser(t *testing.T, ctx context.Context, exe, proxy string, rec *pageRecord) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		// The sandbox cannot start as root (CI) nor without user
		// namespaces (most containers); the pages are our own.
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.NoFirstRun,
		// As little traffic of the browser's own as it allows: no QUIC
		// probes, background, update, sync or default-app requests.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.ProxyServer(proxy),
		// Fresh, so no token that Swagger UI persisted in an earlier run.
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1024),
	)
	actx, cancelBrowser := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(rec.listen))
	// Cleanups run last first: close the tab, then stop the browser and wait
	// for it to exit, and only then does t.TempDir remove the profile.
	t.Cleanup(cancelBrowser)
	t.Cleanup(cancelTab)
	return tab
}
