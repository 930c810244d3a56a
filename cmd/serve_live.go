package cmd

// malipo serve's shared IntaSend side (issue 14): one read cache under the
// client every session shares, and --webhooks, the receiver that keeps
// every open console live.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/readcache"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// Live polling while webhooks flow: a safety net every safetyNet, for as
// long as an event came within flowingFor (a quiet account's consoles go
// back to their own pace after that).
const (
	safetyNet  = 30 * time.Second
	flowingFor = 30 * time.Minute
)

// webhookFlags are serve's --webhooks options.
type webhookFlags struct {
	addr, path        string
	challenge, secret string
	cert, key         string
}

func addWebhookFlags(fl *pflag.FlagSet, f *webhookFlags) {
	fl.StringVar(&f.addr, "webhooks", "", "receive IntaSend's webhooks on this address (e.g. :8443) and push each event to every open console")
	fl.StringVar(&f.path, "webhooks-path", "/intasend", "path the webhooks are posted to")
	fl.StringVar(&f.challenge, "webhooks-challenge", "", "the challenge every webhook must carry (prefer env "+envWebhookChallenge+")")
	fl.StringVar(&f.secret, "webhooks-secret", "", "also check "+sim.HeaderSignature+" with this secret (prefer env "+envWebhookSecret+")")
	fl.StringVar(&f.cert, "webhooks-cert", "", "TLS certificate (PEM) for --webhooks; without it, plain HTTP for a TLS proxy in front")
	fl.StringVar(&f.key, "webhooks-key", "", "TLS private key (PEM) for --webhooks-cert")
}

// check reads the secrets from the environment when the flags are empty
// and refuses what cannot work; errors never echo a secret.
func (f *webhookFlags) check(demo bool) error {
	if f.addr == "" {
		return nil
	}
	f.challenge, f.secret = envOr(f.challenge, envWebhookChallenge), envOr(f.secret, envWebhookSecret)
	switch {
	case !strings.HasPrefix(f.path, "/"):
		return fmt.Errorf("--webhooks-path %q: want a path starting with /", f.path)
	case (f.cert == "") != (f.key == ""):
		return errors.New("--webhooks-cert and --webhooks-key go together")
	case f.challenge == "" && demo:
		f.challenge = "demo-" + randomUUID() // both ends are this process
	case f.challenge == "":
		return errors.New("--webhooks needs the challenge IntaSend puts in every webhook: set " + envWebhookChallenge + " (or --webhooks-challenge)")
	}
	return nil
}

// live is the shared read layer and, with --webhooks, the receiver.
type live struct {
	cache *readcache.Cache
	rcv   *webhook.Receiver
	ln    net.Listener
	url   string // where the receiver listens, for the banner and the demo's simulator
	// stopSim ends the demo simulator's webhook deliveries.
	stopSim func()
	// db, with --store, stores the events and carries them between hosts
	// (relay); host names this one in what it stores.
	db    *store.Store
	host  string
	relay *relay
	// onListenDown, when set, runs when the listener's connection drops,
	// before it reconnects (tests hold the reconnect with it).
	onListenDown func()
}

// newLive makes the cache and listens for webhooks (before the demo starts,
// so its simulator can be told where to post).
func newLive(f *webhookFlags, demo bool) (*live, error) {
	if err := f.check(demo); err != nil {
		return nil, err
	}
	l := &live{cache: readcache.New(nil, readcache.Options{})}
	if f.addr == "" {
		return l, nil
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return nil, fmt.Errorf("--webhooks: %w", err)
	}
	scheme := "http"
	if f.cert != "" {
		cert, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("--webhooks-cert: %w", err)
		}
		ln, scheme = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), "https"
	}
	l.ln, l.url = ln, scheme+"://"+ln.Addr().String()+f.path
	l.rcv = &webhook.Receiver{Path: f.path, Challenge: f.challenge, Secret: f.secret}
	return l, nil
}

// pace is every console's polling: a safety net while events flow, and
// each wait spread by up to a tenth either way. Sessions that logged in
// together (a restart, a failover moving everyone at once) would
// otherwise poll in step for as long as they stay: measured at 100
// sessions, those bursts of one read, decode and frame per session were
// what kept a keypress waiting past 30 ms (docs/performance.md).
func (l *live) pace(d time.Duration) time.Duration {
	if l.rcv != nil && (l.rcv.Flowing(flowingFor) || l.relay.flowing(flowingFor)) {
		d = max(d, safetyNet)
	}
	return spread(d)
}

// spread is d moved at random by up to a tenth of it either way.
func spread(d time.Duration) time.Duration {
	if d < 10 {
		return d
	}
	return d - d/10 + rand.N(d/5+1)
}

// start runs serve in the background; the func it returns stops it.
func (l *live) start(ctx context.Context, profile string, srv *sshd.Server, stderr io.Writer) func() {
	ctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := l.serve(ctx, profile, srv, stderr); err != nil {
			fmt.Fprintf(stderr, "malipo serve: webhooks stopped: %v\n", err)
		}
	}()
	return func() { stop(); <-done }
}

// serve records each event in the profile's event log (what `malipo
// events` lists: the store's with --store, else a file), then empties the
// read cache and tells every console. It runs until ctx ends.
func (l *live) serve(ctx context.Context, profile string, srv *sshd.Server, stderr io.Writer) error {
	if l.rcv == nil {
		return nil
	}
	if l.host == "" {
		l.host = hostLabel(l.ln.Addr())
	}
	record, where, err := l.recorder(profile)
	if err != nil {
		return err
	}
	logf := func(s string) { fmt.Fprintln(stderr, "malipo serve: "+printable(s)) }
	defer l.wire(ctx, profile, record, func(m common.WebhookMsg) { srv.Broadcast(m) }, logf)()
	hs := &http.Server{Handler: l.rcv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "malipo serve: webhooks at %s (challenge checked%s), event log %s\n", l.url, signedNote(l.rcv.Secret), where)
	if strings.HasPrefix(l.url, "http:") && !isLoopback(l.ln.Addr()) {
		// The challenge travels in every body: in clear, anyone on the path reads it.
		fmt.Fprintln(stderr, "malipo serve: webhooks over plain HTTP: put a TLS proxy in front, or give --webhooks-cert and --webhooks-key")
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// recorder is how the receiver records an event, and where: in the
// store with one (once for every host: a retry that reached another host
// first is a duplicate), else in the profile's event log file. Either way
// the body is kept with its challenge redacted and without the signature.
func (l *live) recorder(profile string) (func(webhook.Event) (webhook.Recorded, error), string, error) {
	signed := l.rcv.Secret != ""
	if l.db != nil {
		return func(e webhook.Event) (webhook.Recorded, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			seq, fresh, err := l.db.RecordWebhook(ctx, storedEvent(e, profile, l.host, signed))
			return webhook.Recorded{Seq: seq, Duplicate: !fresh}, err
		}, "on the store " + l.db.String(), nil
	}
	path, err := eventLogPath(profile)
	if err != nil {
		return nil, "", err
	}
	log := &eventLog{path: path}
	return func(e webhook.Event) (webhook.Recorded, error) {
		return webhook.Recorded{}, log.append(newLoggedEvent(e.ID, e.Header, e.Body, signed))
	}, path, nil
}

// storedEvent is the store's row for e: the event log's line (challenge
// redacted, the stored headers only) with its key and host.
func storedEvent(e webhook.Event, profile, host string, signed bool) store.WebhookEvent {
	le := newLoggedEvent(e.ID, e.Header, e.Body, signed)
	return store.WebhookEvent{Profile: profile, Key: e.Key, ID: le.ID, Type: le.Type, Object: le.Object, State: le.State,
		Amount: le.Amount, Currency: le.Currency, Signed: signed, Headers: le.Headers, Body: le.Body,
		Received: e.Received, Host: host}
}

// wire has the receiver record each event, then show it on this host's
// consoles and, with a store, on every host's (relay): each host LISTENs,
// and reads the events it has not shown from the store. The func it
// returns waits for the listener to end (after ctx).
func (l *live) wire(ctx context.Context, profile string, record func(webhook.Event) (webhook.Recorded, error), show func(common.WebhookMsg), logf func(string)) (wait func()) {
	l.rcv.Store, l.rcv.Log = record, logf
	show = l.invalidating(show)
	if l.db == nil {
		l.rcv.Publish = func(e webhook.Event) { show(webhookMsg(e.Summary)) }
		return func() {}
	}
	r := newRelay(ctx, l.db, profile, l.host, show, logf)
	l.relay, l.rcv.Publish = r, func(e webhook.Event) { r.local(ctx, e) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.db.Listen(ctx, store.EventsChannel, store.ListenOptions{
			Notify: func(p string) { r.remote(ctx, p) },
			Up:     func() { r.up(ctx) },
			Down: func(err error) {
				logf("webhook events from the other hosts paused, reconnecting (the missed ones are read back then): " + err.Error())
				if l.onListenDown != nil {
					l.onListenDown()
				}
			}})
	}()
	return func() { <-done }
}

// invalidating empties the read cache before each event is shown: the
// consoles' next reads must see what the event announced.
func (l *live) invalidating(show func(common.WebhookMsg)) func(common.WebhookMsg) {
	return func(m common.WebhookMsg) {
		l.cache.Invalidate()
		show(m)
	}
}

func webhookMsg(s webhook.Summary) common.WebhookMsg {
	return common.WebhookMsg{Type: s.Type, Object: s.Object, State: s.State}
}

// stopDemo ends the demo simulator's webhook deliveries, if any.
func (l *live) stopDemo() {
	if l.stopSim != nil {
		l.stopSim()
	}
}

// hostLabel names this host in the events it stores: its name and the
// receiver's address (two serve on one machine are two hosts).
func hostLabel(a net.Addr) string {
	name, err := os.Hostname()
	if err != nil {
		name = "unknown"
	}
	return name + " " + a.String()
}

// isLoopback says whether a listener only answers this host.
func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

func signedNote(secret string) string {
	if secret == "" {
		return ""
	}
	return ", " + sim.HeaderSignature + " checked"
}

// startServeDemo starts the embedded simulator (posting its webhooks to
// serve's own receiver with --webhooks) and a client over the read cache.
func startServeDemo(lv *live) (*demo.Backend, *client.Client, error) {
	so := sim.Options{Seed: true, Generator: true, Rand: time.Now().UnixNano()}
	if lv.rcv != nil {
		so.Webhook = sim.WebhookOptions{URL: lv.url, Challenge: lv.rcv.Challenge, Secret: lv.rcv.Secret,
			Client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // our own receiver on this host, maybe with a self-signed cert
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	d, err := demo.Start(demo.Options{Sim: &so})
	if err != nil {
		return nil, nil, err
	}
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL(d.URL), client.WithHTTPClient(lv.cache.HTTPClient()))
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	if lv.rcv != nil {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); d.Sim.RunWebhooks(ctx, 250*time.Millisecond) }()
		lv.stopSim = func() { stop(); <-done }
	}
	return d, cl, nil
}

// parseServeFlags checks what serve's flags say before any key is loaded.
func parseServeFlags(f *serveFlags) (sshd.MaxStartups, error) {
	if err := f.hooks.check(f.demo); err != nil {
		return sshd.MaxStartups{}, err
	}
	return sshd.ParseMaxStartups(f.startups)
}
