package cmd

// malipo listen, events and trigger: the webhook loop for developers
// (issue 15, "Events"). listen receives what IntaSend (or `malipo sim`)
// posts, checks it, prints it, keeps it in the profile's event log and
// forwards it to the developer's own handler; events lists and replays the
// log; trigger asks a running `malipo sim` to produce an event.
//
// The challenge (and the optional signing secret) are secrets: they come
// from flags or, better, the environment (flags show in ps), and they are
// never printed or written down. The event log keeps each body with its
// challenge redacted; a replay puts back the challenge it is given.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/webhook"
)

// Environment variables that keep the webhook's secrets out of argv.
const (
	envWebhookChallenge = "MALIPO_WEBHOOK_CHALLENGE"
	envWebhookSecret    = "MALIPO_WEBHOOK_SECRET"
)

// eventLogName is the event log's file in the profile's state directory.
const eventLogName = "events-webhooks.jsonl"

// redactedChallenge replaces the challenge in everything malipo keeps or prints.
const redactedChallenge = "[redacted]"

// maxWebhookBody bounds one webhook (webhook.MaxBody).
const maxWebhookBody = webhook.MaxBody

// loggedEvent is one line of the event log and of `malipo events --jsonl`.
type loggedEvent struct {
	ID         string            `json:"id"`
	ReceivedAt time.Time         `json:"received_at"`
	Type       string            `json:"type"`   // collection, send_money or chargeback
	Object     string            `json:"object"` // invoice_id, tracking_id or chargeback_id
	State      string            `json:"state"`
	Amount     string            `json:"amount,omitempty"` // decimal string, as IntaSend sends it
	Currency   string            `json:"currency,omitempty"`
	Signed     bool              `json:"signed"` // the signature was present and checked
	Headers    map[string]string `json:"headers"`
	Body       json.RawMessage   `json:"body"` // challenge redacted
}

// storedHeaders are the request headers the log keeps and a replay sends.
// The signature is not among them: it signs the unredacted body, and a
// replay signs again with the secret it is given.
var storedHeaders = []string{"Content-Type", "User-Agent", sim.HeaderEventID, sim.HeaderEventType, sim.HeaderAttempt}

// ---- the event log ----

// eventLog is the append-only JSONL file of received events.
type eventLog struct {
	mu   sync.Mutex
	path string
}

func eventLogPath(profile string) (string, error) {
	dir, err := payout.StateDir(profile)
	if err != nil {
		return "", usageError(err)
	}
	return filepath.Join(dir, eventLogName), nil
}

// append writes e as one line in one write and fsyncs it, so a crash
// leaves at most a torn last line, which read skips. 0600: bodies hold
// phone numbers and names.
func (l *eventLog) append(e loggedEvent) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil { // a file made looser by hand
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return err
	}
	return f.Sync()
}

// readEventLog returns the log's events, oldest first. A missing log is
// empty; a line that does not parse (a torn write) is skipped.
func readEventLog(path string) ([]loggedEvent, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return []loggedEvent{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := []loggedEvent{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4*maxWebhookBody)
	for sc.Scan() {
		var e loggedEvent
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.ID != "" {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// ---- reading a body ----

// withChallenge returns body with its "challenge" set to v (re-encoded:
// key order is not kept, which no receiver depends on). It reports false
// when body is not a JSON object.
func withChallenge(body []byte, v string) ([]byte, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return nil, false
	}
	if _, ok := m["challenge"]; !ok && v == redactedChallenge {
		return body, true
	}
	enc, _ := json.Marshal(v)
	m["challenge"] = enc
	out, err := json.Marshal(m)
	return out, err == nil
}

// describe fills the event's type, object, state and amount from an
// IntaSend body (webhook.Describe, shared with serve --webhooks).
func describe(e *loggedEvent, body []byte) {
	d := webhook.Describe(body)
	e.Type, e.Object, e.State, e.Amount, e.Currency = d.Type, d.Object, d.State, d.Amount, d.Currency
}

// eventIDFor is the simulator's X-Sim-Event-Id when it sent a sane one,
// else a fresh id (IntaSend sends none).
func eventIDFor(h http.Header) string { return webhook.EventID(h) }

// eventLine is listen's (and events') one-line view of an event.
func eventLine(e loggedEvent) string {
	amount := "—"
	if a, err := client.ParseAmount(e.Amount); err == nil && e.Amount != "" {
		amount = a.Format(e.Currency)
	}
	return printable(fmt.Sprintf("%s  %-10s  %-12s  %-16s  %14s  %s",
		e.ReceivedAt.Local().Format("15:04:05"), e.Type, orDash(e.Object), orDash(e.State), amount, e.ID))
}

// ---- forwarding ----

// hopHeaders are not forwarded: they describe the connection, not the event.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade",
	"Te", "Trailer", "Content-Length", "Host", "Accept-Encoding"}

// forwardAttempts and forwardBackoff bound a forward: a local handler that
// is restarting gets a few seconds, a dead one does not hold the event.
const forwardAttempts = 3

var forwardBackoff = []time.Duration{500 * time.Millisecond, 2 * time.Second}

// forwardResult is how a forward ended.
type forwardResult struct {
	status   int // 0: no answer
	attempts int
	err      error
}

func (r forwardResult) String() string {
	if r.err != nil && r.status == 0 {
		return fmt.Sprintf("no answer after %d attempt(s): %v", r.attempts, r.err)
	}
	s := fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
	if r.attempts > 1 {
		s += fmt.Sprintf(" (attempt %d)", r.attempts)
	}
	return s
}

// forward posts body with headers to target, retrying a failure to answer,
// a 5xx or a 429 with backoff; any other answer is final.
func forward(ctx context.Context, hc *http.Client, target string, body []byte, h http.Header) forwardResult {
	var r forwardResult
	for r.attempts < forwardAttempts {
		if r.attempts > 0 {
			select {
			case <-ctx.Done():
				return r
			case <-time.After(forwardBackoff[min(r.attempts-1, len(forwardBackoff)-1)]):
			}
		}
		r.attempts++
		r.status, r.err = postOnce(ctx, hc, target, body, h)
		if r.err == nil && r.status < 500 && r.status != http.StatusTooManyRequests {
			return r
		}
	}
	return r
}

func postOnce(ctx context.Context, hc *http.Client, target string, body []byte, h http.Header) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = h.Clone()
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	return res.StatusCode, nil
}

// forwardHeaders is what arrived minus the connection's own headers.
func forwardHeaders(in http.Header) http.Header {
	h := in.Clone()
	for _, k := range hopHeaders {
		h.Del(k)
	}
	return h
}

// webhookTarget checks a --forward-to or --to URL.
func webhookTarget(flag, u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", usageError(fmt.Errorf("%s %q: want an absolute http:// or https:// URL", flag, redactedURL(u)))
	}
	return u, nil
}

// noRedirects: a webhook is not followed elsewhere, as IntaSend does not.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// ---- the receiver ----

// listener is `malipo listen`'s HTTP handler.
type listener struct {
	path      string
	challenge string
	secret    string
	forwardTo []string
	jsonl     bool
	log       *eventLog
	hc        *http.Client
	out, info io.Writer // events; everything else (stderr with --jsonl)

	ctx      context.Context // ends forwards when listen stops
	wg       sync.WaitGroup  // forwards in flight
	printMu  sync.Mutex
	mu       sync.Mutex
	accepted int
	rejected int
}

func (l *listener) println(w io.Writer, s string) {
	l.printMu.Lock()
	defer l.printMu.Unlock()
	fmt.Fprintln(w, s)
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, ok := webhook.ReadPost(w, r, l.path)
	if !ok {
		return
	}
	if status, why := l.verify(r.Header, raw); status != http.StatusOK {
		l.reject(w, r, status, why)
		return
	}
	e, err := l.record(r.Header, raw)
	if err != nil {
		// Not 2xx: the sender retries, and the event is not lost.
		l.println(l.info, "✖ cannot write the event log: "+err.Error())
		http.Error(w, "cannot record the event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	l.show(e)
	l.forwardAll(raw, forwardHeaders(r.Header))
}

// verify checks the challenge in the body and, with a secret, the
// signature (webhook.Verify, shared with serve --webhooks); the reason
// never contains either.
func (l *listener) verify(h http.Header, raw []byte) (int, string) {
	return webhook.Verify(l.challenge, l.secret, h, raw)
}

func (l *listener) reject(w http.ResponseWriter, r *http.Request, status int, why string) {
	l.mu.Lock()
	l.rejected++
	n := l.rejected
	l.mu.Unlock()
	http.Error(w, why, status)
	l.println(l.info, printable(fmt.Sprintf("✖ %d from %s: %s (rejected so far: %d)", status, r.RemoteAddr, why, n)))
}

// record logs the event before it is acknowledged.
func (l *listener) record(h http.Header, raw []byte) (loggedEvent, error) {
	e := newLoggedEvent(eventIDFor(h), h, raw, l.secret != "")
	if err := l.log.append(e); err != nil {
		return e, err
	}
	l.mu.Lock()
	l.accepted++
	l.mu.Unlock()
	return e, nil
}

// newLoggedEvent is the event log's line for a body received now, with
// its challenge redacted (listen and serve --webhooks write the same).
func newLoggedEvent(id string, h http.Header, raw []byte, signed bool) loggedEvent {
	e := loggedEvent{ID: id, ReceivedAt: time.Now().UTC(), Signed: signed, Headers: map[string]string{}}
	describe(&e, raw)
	body, _ := withChallenge(raw, redactedChallenge)
	e.Body = body
	for _, k := range storedHeaders {
		if v := h.Get(k); v != "" {
			e.Headers[k] = v
		}
	}
	return e
}

func (l *listener) show(e loggedEvent) {
	if !l.jsonl {
		l.println(l.out, eventLine(e))
		return
	}
	var buf bytes.Buffer
	if json.Compact(&buf, e.Body) == nil {
		l.println(l.out, buf.String())
	}
}

// forwardAll sends the body as received (challenge and signature intact:
// the developer's handler checks them) to every --forward-to, in the
// background so the sender gets its 200 at once.
func (l *listener) forwardAll(raw []byte, h http.Header) {
	for _, target := range l.forwardTo {
		l.wg.Go(func() {
			r := forward(l.ctx, l.hc, target, raw, h)
			l.println(l.info, printable(fmt.Sprintf("  → %s  %s", redactedURL(target), r)))
		})
	}
}

// counts returns how many events were accepted and rejected.
func (l *listener) counts() (accepted, rejected int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accepted, l.rejected
}

// maxStoreEvents bounds what `events` reads from a store: the newest
// ones (a store keeps every host's events for as long as it lives).
const maxStoreEvents = 10000

// profileEvents is the profile's event log, newest first: what `events`
// lists and `events resend` looks an id up in. It is the store's when one
// is named (--store, MALIPO_STORE or config.toml: what every serve host
// received), else the profile's file.
func profileEvents(ctx context.Context, profile, storeFlag string) ([]loggedEvent, error) {
	u, err := storeURL(storeFlag)
	if err != nil {
		return nil, err
	}
	if u != "" {
		return storeEvents(ctx, u, profile)
	}
	path, err := eventLogPath(profile)
	if err != nil {
		return nil, err
	}
	es, err := readEventLog(path)
	if err != nil {
		return nil, err
	}
	return newestFirst(es), nil
}

// storeEvents are the store's newest events of the profile, as the event
// log's lines.
func storeEvents(ctx context.Context, u, profile string) ([]loggedEvent, error) {
	db, err := openStore(ctx, u, false, io.Discard)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ws, err := db.RecentWebhooks(ctx, profile, maxStoreEvents)
	if err != nil {
		return nil, err
	}
	out := make([]loggedEvent, 0, len(ws))
	for _, w := range ws {
		out = append(out, loggedEvent{ID: w.ID, ReceivedAt: w.Received.UTC(), Type: w.Type, Object: w.Object, State: w.State,
			Amount: w.Amount, Currency: w.Currency, Signed: w.Signed, Headers: w.Headers, Body: json.RawMessage(w.Body)})
	}
	return out, nil
}

// newestFirst sorts a copy of es, most recent first.
func newestFirst(es []loggedEvent) []loggedEvent {
	out := slices.Clone(es)
	slices.Reverse(out) // the log is in order of arrival
	return out
}

// ---- commands ----

// newEventCmds are listen, events and trigger.
func newEventCmds(g *globals) []*cobra.Command {
	return []*cobra.Command{newListenCmd(g), newEventsCmd(g), newTriggerCmd(g)}
}

// listenFlags are `malipo listen`'s options.
type listenFlags struct {
	addr, path        string
	challenge, secret string
	forwardTo         []string
	jsonl             bool
}

func newListenCmd(g *globals) *cobra.Command {
	f := &listenFlags{}
	c := &cobra.Command{
		Use:   "listen",
		Short: "Receive IntaSend webhooks locally: check, print, log and forward them",
		Long: "An IntaSend webhook receiver for development. Each POST to --path must carry the\n" +
			"challenge (--challenge or " + envWebhookChallenge + ") and, with --secret (or\n" +
			envWebhookSecret + "), a valid " + sim.HeaderSignature + "; otherwise it is answered 401\n" +
			"or 403 and counted. An accepted event is written to the profile's event log\n" +
			"(" + eventLogName + " in its state directory; the challenge redacted), answered\n" +
			"200, printed, and forwarded as received to each --forward-to URL (a few\n" +
			"retries with backoff; the answer is shown). Prefer the environment variables to\n" +
			"the flags, which ps shows.",
		Example: "  export " + envWebhookChallenge + "=testnet\n" +
			"  malipo listen --addr 127.0.0.1:4242 --forward-to http://127.0.0.1:3000/hooks/intasend\n" +
			"  malipo sim --webhook http://127.0.0.1:4242/intasend   # with MALIPO_SIM_WEBHOOK_CHALLENGE=testnet\n" +
			"  malipo listen --jsonl | jq -r .state",
		Args: usageArgs(cobra.NoArgs),
	}
	fl := c.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:4242", "address to listen on")
	fl.StringVar(&f.path, "path", "/intasend", "path the webhooks are posted to")
	fl.StringVar(&f.challenge, "challenge", "", "the challenge every body must carry (env "+envWebhookChallenge+")")
	fl.StringVar(&f.secret, "secret", "", "check "+sim.HeaderSignature+" with this secret (env "+envWebhookSecret+")")
	fl.StringArrayVar(&f.forwardTo, "forward-to", nil, "forward each event to this URL (repeatable)")
	fl.BoolVar(&f.jsonl, "jsonl", false, "print each event's body as one JSON line (notes go to stderr)")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	c.RunE = func(cmd *cobra.Command, _ []string) error { return runListen(cmd, g, f) }
	return c
}

// envOr is the flag's value, else the environment's, trimmed.
func envOr(v, env string) string {
	if v == "" {
		v = os.Getenv(env)
	}
	return strings.TrimSpace(v)
}

// newListener checks the flags and builds the handler.
func newListener(cmd *cobra.Command, g *globals, f *listenFlags) (*listener, error) {
	if !strings.HasPrefix(f.path, "/") {
		return nil, usageError(fmt.Errorf("--path %q: want a path starting with /", f.path))
	}
	logPath, err := eventLogPath(g.profile)
	if err != nil {
		return nil, err
	}
	l := &listener{path: f.path, challenge: envOr(f.challenge, envWebhookChallenge),
		secret: envOr(f.secret, envWebhookSecret), jsonl: f.jsonl, log: &eventLog{path: logPath},
		hc: noRedirects(), out: cmd.OutOrStdout(), info: cmd.OutOrStdout()}
	if f.jsonl {
		l.info = cmd.ErrOrStderr()
	}
	for _, u := range f.forwardTo {
		t, err := webhookTarget("--forward-to", u)
		if err != nil {
			return nil, err
		}
		l.forwardTo = append(l.forwardTo, t)
	}
	return l, nil
}

func runListen(cmd *cobra.Command, g *globals, f *listenFlags) error {
	l, err := newListener(cmd, g, f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fwdCtx, stopForwards := context.WithCancel(context.Background())
	l.ctx = fwdCtx
	printListenBanner(l, ln.Addr())
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = srv.Shutdown(shutCtx)
		cancel()
	}
	stopForwards() // a forward still retrying is abandoned; the event is in the log
	l.wg.Wait()
	a, r := l.counts()
	l.println(l.info, fmt.Sprintf("malipo listen: stopped (%d accepted, %d rejected)", a, r))
	return err
}

// printListenBanner says where to point the sender, never the secrets.
func printListenBanner(l *listener, addr net.Addr) {
	check := "challenge checked"
	if l.challenge == "" {
		check = "NO challenge check (set " + envWebhookChallenge + ")"
	}
	if l.secret != "" {
		check += ", " + sim.HeaderSignature + " checked"
	}
	l.println(l.info, fmt.Sprintf("malipo listen: webhooks at http://%s%s (%s)", addr, l.path, check))
	for _, t := range l.forwardTo {
		l.println(l.info, "  forwarding to "+redactedURL(t))
	}
	l.println(l.info, "  event log "+l.log.path+"; Ctrl-C stops")
}

func newEventsCmd(g *globals) *cobra.Command {
	f := &outFlags{}
	storeFlag := new(string)
	c := &cobra.Command{
		Use:   "events",
		Short: "Webhook events `malipo listen` or `malipo serve --webhooks` received, newest first",
		Long: "The profile's event log: every webhook `malipo listen` or `malipo serve --webhooks`\n" +
			"accepted, newest first, with the challenge redacted. It makes no call to IntaSend.\n" +
			"With a store (--store,\n" +
			EnvStore + " or store in config.toml) it is the store's log instead: every event\n" +
			"any `malipo serve --webhooks` host on it accepted, once (the newest 10,000);\n" +
			"--store file reads the file whatever the environment says (`malipo listen` writes it).",
		Example: "  malipo events\n  malipo events --jsonl | jq -r 'select(.type==\"collection\") | .object'\n" +
			"  malipo events resend evt_1a2b3c4d_000003 --to http://127.0.0.1:3000/hooks/intasend",
		Args: usageArgs(cobra.NoArgs),
	}
	addOutputFlags(c, f)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		m, err := f.mode()
		if err != nil {
			return err
		}
		es, err := profileEvents(cmdContext(cmd), g.profile, *storeFlag)
		if err != nil {
			return err
		}
		return eventsReport(es).write(cmd.OutOrStdout(), m)
	}
	c.PersistentFlags().StringVar(storeFlag, "store", "", "read the shared store's event log (postgres:// URL, no password) instead of the file")
	c.AddCommand(newEventsResendCmd(g, storeFlag))
	return c
}

func eventsReport(es []loggedEvent) *report {
	r := &report{doc: es, items: jsonItems(es), empty: "no events yet: run malipo listen",
		head: []string{"RECEIVED", "ID", "TYPE", "OBJECT", "STATE", "AMOUNT"}}
	for _, e := range es {
		amount := txt("—")
		if a, err := client.ParseAmount(e.Amount); err == nil && e.Amount != "" {
			amount = money(a, e.Currency)
		}
		r.rows = append(r.rows, []cell{txt(e.ReceivedAt.Local().Format("2006-01-02 15:04:05")), txt(e.ID),
			txt(e.Type), txt(orDash(e.Object)), txt(orDash(e.State)), amount})
	}
	return r
}

type resendFlags struct{ to, challenge, secret string }

func newEventsResendCmd(g *globals, storeFlag *string) *cobra.Command {
	f := &resendFlags{}
	c := &cobra.Command{
		Use:   "resend ID --to URL",
		Short: "Post one logged event again",
		Long: "Posts the event's body and headers again to --to, with the challenge put back\n" +
			"(--challenge or " + envWebhookChallenge + "; without it the body says \"" + redactedChallenge + "\")\n" +
			"and, with --secret or " + envWebhookSecret + ", signed again. Exit 1 if the\n" +
			"target does not answer 2xx, 3 if it does not answer at all.",
		Example: "  malipo events resend evt_1a2b3c4d_000003 --to http://127.0.0.1:3000/hooks/intasend",
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	c.Flags().StringVar(&f.to, "to", "", "the URL to post to (required)")
	c.Flags().StringVar(&f.challenge, "challenge", "", "the challenge to put back (env "+envWebhookChallenge+")")
	c.Flags().StringVar(&f.secret, "secret", "", "sign with this secret (env "+envWebhookSecret+")")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	c.RunE = func(cmd *cobra.Command, args []string) error { return runResend(cmd, g, f, *storeFlag, args[0]) }
	return c
}

func runResend(cmd *cobra.Command, g *globals, f *resendFlags, storeFlag, id string) error {
	target, err := webhookTarget("--to", f.to)
	if err != nil {
		return err
	}
	es, err := profileEvents(cmdContext(cmd), g.profile, storeFlag)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(es, func(e loggedEvent) bool { return e.ID == id })
	if i < 0 {
		return &exitError{code: exitRefused, err: fmt.Errorf("no event %q in the event log (malipo events lists them)", printable(id))}
	}
	e := es[i]
	body, h := replay(e, envOr(f.challenge, envWebhookChallenge), envOr(f.secret, envWebhookSecret))
	r := forward(cmd.Context(), noRedirects(), target, body, h)
	fmt.Fprintln(cmd.OutOrStdout(), printable(fmt.Sprintf("%s → %s  %s", e.ID, redactedURL(target), r)))
	switch {
	case r.status == 0:
		return &exitError{code: exitUnreachable, err: errors.New("the target did not answer")}
	case r.status < 200 || r.status > 299:
		return &exitError{code: exitRefused, err: fmt.Errorf("the target answered %d", r.status)}
	}
	return nil
}

// replay rebuilds what was received: the body with its challenge, the
// stored headers, a fresh signature when a secret is given.
func replay(e loggedEvent, challenge, secret string) ([]byte, http.Header) {
	body := []byte(e.Body)
	if challenge != "" {
		if b, ok := withChallenge(body, challenge); ok {
			body = b
		}
	}
	h := http.Header{}
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if secret != "" {
		h.Set(sim.HeaderSignature, sim.SignWebhook(secret, body))
	}
	return body, h
}
