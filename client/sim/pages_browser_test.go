package sim_test

// The hosted pages in a real browser: headless Chromium (Debian's chromium),
// driven through the DevTools protocol by chromedp, against the simulator on
// loopback. The simulator runs on a ManualClock: the test advances it and
// the page, polling the payment's state, moves on by itself; every wait is
// a chromedp wait or a channel read under a context deadline.
//
// Without chromium the test skips, except under CI=true, where it fails:
// .ci/run installs chromium. MALIPO_PAGES_SHOTS=DIR saves a screenshot of
// each step there, to look at the pages.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// pgChromium finds the browser, or skips (fails under CI) without one.
func pgChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: .ci/run installs it (apt-get install chromium chromium-driver)")
	}
	t.Skip("chromium is not installed (apt-get install chromium chromium-driver): skipping the hosted pages' browser test")
	return ""
}

// pgBrowser starts one headless Chromium for the test, on a fresh profile,
// with the background services that would reach for the network turned off.
func pgBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := pgChromium(t)
	profile := t.TempDir() // made before the browser, so removed after it exits
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(profile), chromedp.WindowSize(900, 1100),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	}
	deadline, cancelDeadline := context.WithTimeout(context.Background(), 90*time.Second)
	alloc, cancelAlloc := chromedp.NewExecAllocator(deadline, opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelDeadline()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return browser
}

// pgShop is the merchant's site: it records every visit of its pages (the
// customer coming back at redirect_url).
type pgShop struct {
	*httptest.Server
	visits chan *url.URL
}

func pgNewShop(t *testing.T) *pgShop {
	s := &pgShop{visits: make(chan *url.URL, 16)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			http.NotFound(w, r)
			return
		}
		s.visits <- r.URL
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Shop</title><h1 id="thanks">Thank you</h1>`)
	}))
	t.Cleanup(s.Close)
	return s
}

// next waits for the customer to arrive at the shop.
func (s *pgShop) next(ctx context.Context, t *testing.T) *url.URL {
	t.Helper()
	select {
	case u := <-s.visits:
		return u
	case <-ctx.Done():
		t.Fatal("the customer never came back to the shop's redirect_url")
		return nil
	}
}

// pgTab is one browser tab on one simulator.
type pgTab struct {
	t     *testing.T
	ctx   context.Context
	e     *pgEnv
	cl    *client.Client
	shots string
	step  int
}

func pgNewTab(t *testing.T, browser context.Context) *pgTab {
	e := pgNew(t, sim.Options{})
	cl, err := client.New(aPub, aSecret, client.WithBaseURL(e.url))
	if err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(browser)
	ctx, cancel := context.WithTimeout(tab, 25*time.Second)
	t.Cleanup(func() {
		cancel()
		cancelTab()
	})
	return &pgTab{t: t, ctx: ctx, e: e, cl: cl, shots: os.Getenv("MALIPO_PAGES_SHOTS")}
}

// run runs browser actions, failing the test with what was being done.
func (b *pgTab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	b.shot(what)
}

// shot saves a screenshot when MALIPO_PAGES_SHOTS names a directory.
func (b *pgTab) shot(what string) {
	if b.shots == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %q: %v", what, err)
		return
	}
	b.step++
	name := fmt.Sprintf("%s-%02d-%s.png", strings.ReplaceAll(b.t.Name(), "/", "_"), b.step, strings.ReplaceAll(what, " ", "_"))
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Logf("screenshot: %v", err)
	}
}

// text reads an element's text once it is visible.
func (b *pgTab) text(sel string) string {
	b.t.Helper()
	b.run("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// submit fills the fields (selector, value pairs), presses the button and
// waits for the waiting page; it returns the attempt's invoice id.
func (b *pgTab) submit(button string, fields ...string) string {
	b.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		acts = append(acts, chromedp.SendKeys(chromedp.CSS(fields[i]), fields[i+1]))
	}
	acts = append(acts, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.ID("waiting")))
	b.run("pay", acts...)
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("invoice") == "" {
		b.t.Fatalf("waiting page at %q: no invoice", loc)
	}
	return u.Query().Get("invoice")
}

// settle moves the simulator's clock past the payment's last step. Nothing
// else runs the simulator's events: the page's own polling does.
func (b *pgTab) settle() {
	b.e.clock.Advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
}

// paid waits for the success page, then for the shop to be visited, and
// checks the visit as a shop would: with payment/status/ and the signature.
func (b *pgTab) paid(shop *pgShop, invoice, checkoutID string, amount client.Amount) *url.URL {
	b.t.Helper()
	if got := b.text("#paid #invoice"); got != invoice {
		b.t.Fatalf("success page shows invoice %q, want %q", got, invoice)
	}
	visit := shop.next(b.ctx, b.t)
	q := visit.Query()
	if q.Get("tracking_id") != invoice || (checkoutID != "" && q.Get("checkout_id") != checkoutID) {
		b.t.Fatalf("shop visited with %s, want tracking_id=%s checkout_id=%s", visit, invoice, checkoutID)
	}
	st, err := b.cl.CheckoutPaymentStatus(b.ctx, q.Get("tracking_id"), q.Get("checkout_id"), q.Get("signature"))
	if err != nil {
		b.t.Fatalf("payment status with the redirect's parameters: %v", err)
	}
	if st.Invoice.State != "COMPLETE" || st.Invoice.Value != amount {
		b.t.Fatalf("invoice %s is %s for %s, want COMPLETE for %s", invoice, st.Invoice.State, st.Invoice.Value.KES(), amount.KES())
	}
	b.run("at the shop", chromedp.WaitVisible(chromedp.ID("thanks")))
	return visit
}

func TestPagesInBrowser(t *testing.T) {
	browser := pgBrowser(t)
	shop := pgNewShop(t)
	amount := client.MustAmount("1234.50")
	newCheckout := func(b *pgTab) *client.Checkout {
		co, err := b.cl.Checkout(b.ctx, client.CheckoutRequest{Amount: amount, Comment: "Order 7", APIRef: "order-7",
			RedirectURL: shop.URL + "/done?order=7"})
		if err != nil {
			b.t.Fatal(err)
		}
		b.run("open the checkout", chromedp.Navigate(co.URL), chromedp.WaitVisible(chromedp.ID("pay-mpesa")))
		if got := b.text("#amount"); got != "KES 1,234.50" {
			b.t.Errorf("amount shown %q, want KES 1,234.50", got)
		}
		if got := b.text("#merchant"); !strings.EqualFold(got, "Malipo Demo Shop") { // shown in capitals
			b.t.Errorf("merchant shown %q", got)
		}
		return co
	}
	card := func(number string) []string {
		return []string{"#card-number", number, "#card-exp", "12/34", "#card-cvc", "123"}
	}

	t.Run("M-Pesa", func(t *testing.T) {
		b := pgNewTab(t, browser)
		co := newCheckout(b)
		inv := b.submit("#pay-mpesa-button", "#phone", "0708 374 149")
		b.settle()
		visit := b.paid(shop, inv, co.ID, amount)
		if visit.Path != "/done" || visit.Query().Get("order") != "7" || visit.Query().Get("signature") != co.Signature {
			t.Errorf("shop visited at %s", visit)
		}
	})
	t.Run("card", func(t *testing.T) {
		b := pgNewTab(t, browser)
		co := newCheckout(b)
		inv := b.submit("#pay-card-button", card("4242 4242 4242 4242")...)
		b.settle()
		b.paid(shop, inv, co.ID, amount)
	})
	t.Run("card fails 3-D Secure", func(t *testing.T) {
		b := pgNewTab(t, browser)
		newCheckout(b)
		inv := b.submit("#pay-card-button", card("4000 0000 0000 3063")...)
		b.settle()
		if got := b.text("#failed-reason"); got != "3-D Secure authentication failed" {
			t.Fatalf("failure shown %q", got)
		}
		b.run("the form again", chromedp.WaitVisible(chromedp.ID("pay-card-button")))
		if got, _ := b.e.sim.Invoice(inv); got.State != "FAILED" || got.FailedCode != "3DS" {
			t.Fatalf("invoice %s: %s %s", inv, got.State, got.FailedCode)
		}
		select {
		case u := <-shop.visits:
			t.Fatalf("a failed payment sent the customer to the shop: %s", u)
		default:
		}
	})
	t.Run("payment link without an amount", func(t *testing.T) {
		b := pgNewTab(t, browser)
		l, err := b.cl.CreatePaymentLink(b.ctx, client.PaymentLinkRequest{Title: "Harambee", RedirectURL: shop.URL + "/thanks"})
		if err != nil {
			t.Fatal(err)
		}
		b.run("open the link", chromedp.Navigate(l.URL), chromedp.WaitVisible(chromedp.ID("amount-mpesa")))
		if got := b.text("#purpose"); got != "Harambee" {
			t.Errorf("title shown %q", got)
		}
		inv := b.submit("#pay-mpesa-button", "#amount-mpesa", "250", "#phone", "254708374149")
		b.settle()
		visit := b.paid(shop, inv, "", client.Units(250))
		if visit.Path != "/thanks" {
			t.Errorf("shop visited at %s", visit)
		}
	})
}
