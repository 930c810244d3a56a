package cmd

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// simFlags are `malipo sim`'s options.
type simFlags struct {
	addr           string
	devices        []string
	seed           int64
	noSeed         bool
	noGenerator    bool
	faults         string
	secretKey      string
	publishableKey string
	failureRate    float64
	webhook        string
	challenge      string
	webhookSecret  string
	controlToken   string
	clock          string

	// secretFrom is where a pinned secret key came from (--secret-key or
	// the environment variable), so the banner can say how to reuse it.
	secretFrom string
}

// envSimSecret holds a pinned secret key. The banner's curl lines read it
// from there rather than printing it.
const envSimSecret = "MALIPO_SIM_SECRET_KEY"

// simGeneratorGap is how often, on average, a payment arrives on its own in
// `malipo sim`: slower than the demo's, so an SDK user watching balances is
// not surprised too often, yet the account still looks alive.
const simGeneratorGap = 30 * time.Second

func newSimCmd(_ *globals) *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the IntaSend simulator over HTTP",
		Long: `Run a local IntaSend over HTTP: the same /api/v1/ paths, auth rules, validation,
error shapes and state machines as the sandbox, on your machine, with no network.

Point an SDK or malipo itself at the printed base URL (malipo --base-url URL).
Any well-formed test key works (ISPubKey_test_… / ISSecretKey_test_…) unless
--secret-key/--publishable-key (or MALIPO_SIM_SECRET_KEY/MALIPO_SIM_PUBLISHABLE_KEY)
pin one pair. Live keys are refused: this is a sandbox. Keys given as flags are
visible to other users of this machine in the process list; that is only
acceptable because they are test keys. Prefer the environment variables.

By default the account is seeded with demo data (wallets with history, banks,
plans, past payments) and a payment arrives on its own every ~30s; --no-seed
and --no-generator turn these off. Send-money batches complete in about 7s.

Devices (--device ID=PUBKEY.pem, repeatable): a send-money batch initiated with
that device_id approves only when "nonce" carries the lower-case hex RSA
PKCS#1 v1.5 SHA-256 signature of the nonce (IntaSend's legacy device scheme).

Magic accounts: 254708374149 (IntaSend's sandbox number) always succeeds,
254700000001 to 254700000004 always fail (each with its own reason); others
fail at --failure-rate.

Webhooks (--webhook URL --webhook-challenge STRING): every state change of a
collection, send-money batch and chargeback is posted to URL with IntaSend's
payload and "challenge"; send-money events also go to the batch's callback_url.
Failed posts are retried 5m, 20m, 1h20m, 5h20m and 21h20m later (IntaSend's
"five more times"); 20 failures in a row disable the webhook. --webhook-secret
adds X-IntaSend-Signature: the hex HMAC-SHA256 of the body. Prefer the
environment for both: MALIPO_SIM_WEBHOOK_CHALLENGE, MALIPO_SIM_WEBHOOK_SECRET.

Control API (http://ADDR/_sim/, loopback clients with "Authorization: Bearer
TOKEN" only; the token is --control-token or MALIPO_SIM_CONTROL_TOKEN, else
made up and printed): move the clock, trigger events, read counters and the
webhook delivery log. See the README. --clock offset (the default) follows
real time and can be moved forward; --clock manual stands still until moved.

Faults (--faults SPEC):
` + indent(sim.FaultSpecHelp, "  "),
		Example: `  malipo sim
  malipo sim --addr 127.0.0.1:9000 --no-generator --seed 42
  malipo sim --device 1=device-pub.pem --faults 'approve:drop-after=0.2,*:429=5%/2s'
  MALIPO_SIM_WEBHOOK_CHALLENGE=s3cret malipo sim --webhook http://127.0.0.1:3000/hooks/intasend`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmdContext(cmd), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8089", "address to listen on")
	fl.StringArrayVar(&f.devices, "device", nil, "register a device: `ID=PUBKEY.pem` (repeatable)")
	fl.Int64Var(&f.seed, "seed", 0, "random seed for ids and outcomes (0: pick one and print it)")
	fl.BoolVar(&f.noSeed, "no-seed", false, "start with an empty account instead of demo data")
	fl.BoolVar(&f.noGenerator, "no-generator", false, "no incoming payments on their own")
	fl.StringVar(&f.faults, "faults", "", "inject faults: `SPEC` (see above)")
	fl.StringVar(&f.secretKey, "secret-key", "", "accept only this test secret key (env MALIPO_SIM_SECRET_KEY)")
	fl.StringVar(&f.publishableKey, "publishable-key", "", "accept only this test publishable key (env MALIPO_SIM_PUBLISHABLE_KEY)")
	fl.Float64Var(&f.failureRate, "failure-rate", 0.1, "share of STK pushes and payouts that fail (0: none)")
	fl.StringVar(&f.webhook, "webhook", "", "post IntaSend's webhook events to `URL`")
	fl.StringVar(&f.challenge, "webhook-challenge", "", "the challenge put in every webhook payload (env MALIPO_SIM_WEBHOOK_CHALLENGE)")
	fl.StringVar(&f.webhookSecret, "webhook-secret", "", "sign webhook bodies with HMAC-SHA256 (env MALIPO_SIM_WEBHOOK_SECRET)")
	fl.StringVar(&f.controlToken, "control-token", "", "the control API's bearer token (env MALIPO_SIM_CONTROL_TOKEN; default: random)")
	fl.StringVar(&f.clock, "clock", "offset", "offset (real time, can be moved forward) or manual (moves only when told)")
	return cmd
}

func indent(s, pad string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// simOptions turns the flags into simulator options, refusing anything
// that would make the run misleading (live keys, unreadable devices).
func simOptions(f *simFlags) (sim.Options, error) {
	opts := sim.Options{Seed: !f.noSeed, Generator: !f.noGenerator, Rand: f.seed}
	opts.Timing.Generator = simGeneratorGap
	switch {
	case f.failureRate < 0 || f.failureRate > 1:
		return opts, fmt.Errorf("--failure-rate %v: want 0..1", f.failureRate)
	case f.failureRate == 0:
		opts.FailureRate = -1 // the simulator reads 0 as "default"
	default:
		opts.FailureRate = f.failureRate
	}
	var err error
	if opts.SecretKey, f.secretFrom, err = pinnedKey("secret-key", f.secretKey, envSimSecret, client.SecretKey); err != nil {
		return opts, err
	}
	if opts.PublishableKey, _, err = pinnedKey("publishable-key", f.publishableKey, "MALIPO_SIM_PUBLISHABLE_KEY", client.PublishableKey); err != nil {
		return opts, err
	}
	if f.faults != "" {
		if opts.Faults, err = sim.ParseFaults(f.faults); err != nil {
			return opts, err
		}
	}
	if err := simWebhookOptions(f, &opts); err != nil {
		return opts, err
	}
	for _, d := range f.devices {
		id, pub, err := sim.ParseDeviceFlag(d)
		if err != nil {
			return opts, err
		}
		if opts.Devices == nil {
			opts.Devices = map[string]*rsa.PublicKey{}
		}
		opts.Devices[id] = pub
	}
	return opts, nil
}

// simWebhookOptions reads the webhook, control and clock flags. The
// challenge, secret and token may come from the environment instead, which
// keeps them out of the process list; errors never echo them.
func simWebhookOptions(f *simFlags, opts *sim.Options) error {
	fromEnv := func(v, env string) string {
		if v == "" {
			v = os.Getenv(env)
		}
		return strings.TrimSpace(v)
	}
	opts.Webhook = sim.WebhookOptions{
		URL:       strings.TrimSpace(f.webhook),
		Challenge: fromEnv(f.challenge, "MALIPO_SIM_WEBHOOK_CHALLENGE"),
		Secret:    fromEnv(f.webhookSecret, "MALIPO_SIM_WEBHOOK_SECRET"),
	}
	if u := opts.Webhook.URL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("--webhook: want an absolute http:// or https:// URL")
		}
		if opts.Webhook.Challenge == "" {
			return fmt.Errorf("--webhook needs --webhook-challenge (or MALIPO_SIM_WEBHOOK_CHALLENGE): IntaSend puts it in every payload")
		}
	}
	opts.Control.Token = fromEnv(f.controlToken, "MALIPO_SIM_CONTROL_TOKEN")
	if opts.Control.Token == "" {
		opts.Control.Token = "simctl_" + strings.ReplaceAll(randomUUID(), "-", "")
	}
	switch f.clock {
	case "offset", "":
		opts.Clock = sim.NewOffsetClock()
	case "manual":
		opts.Clock = sim.NewManualClock(time.Now())
	default:
		return fmt.Errorf("--clock %q: want offset or manual", f.clock)
	}
	return nil
}

// pinnedKey takes a key from its flag or environment variable and accepts
// only a well-formed test key of the right kind; it says which it was.
// Errors never echo the key.
func pinnedKey(flagName, flagVal, envVar string, want client.KeyKind) (key, from string, err error) {
	key, from = flagVal, "--"+flagName
	if key == "" {
		key, from = os.Getenv(envVar), envVar
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return "", "", nil
	}
	kind, env, err := client.ParseKey(key)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("%s: %w", from, err)
	case kind != want:
		return "", "", fmt.Errorf("%s: that is a %s key, want %s", from, kind, want)
	case env == client.Live:
		return "", "", fmt.Errorf("%s: live keys are refused; the simulator is a sandbox and takes test keys only", from)
	}
	return key, from, nil
}

func runSim(ctx context.Context, out io.Writer, f *simFlags) error {
	if f.seed == 0 {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<31-1))
		if err != nil {
			return err
		}
		f.seed = n.Int64() + 1
	}
	opts, err := simOptions(f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	s := sim.New(opts)
	srv := sim.NewHTTPServer(s)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	printSimBanner(out, ln.Addr(), f, opts)
	served := make(chan error, 1)
	// sim.Serve, not srv.Serve: its connections tolerate the official Node
	// SDK's framing-less GET bodies and answer framing errors in JSON.
	go func() { served <- sim.Serve(srv, ln) }()
	// The webhook sender; it also moves the state machines on the clock
	// when no request arrives, so events go out on time.
	hooksCtx, stopHooks := context.WithCancel(ctx)
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); s.RunWebhooks(hooksCtx, 250*time.Millisecond) }()
	defer func() { stopHooks(); <-hooksDone }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Let requests in flight finish; a stalled (timeout-fault) one is cut.
	shutCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
	}
	fmt.Fprintln(out, "malipo sim: stopped")
	return nil
}

// printSimBanner tells the user where the simulator is and which keys to
// use. Generated test keys are printed in full (they are throw-away, any
// well-formed test key works, and the user needs one); keys the user
// pinned are masked everywhere, the curl lines included, which read the
// pinned secret from $MALIPO_SIM_SECRET_KEY instead.
func printSimBanner(out io.Writer, addr net.Addr, f *simFlags, opts sim.Options) {
	base := "http://" + addr.String() + "/api/v1/"
	w := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	w("malipo sim: a local IntaSend sandbox at %s", base)
	w("")
	bearer := printSimKeys(w, f, opts)
	data := "demo data (wallets with history, banks, plans, past payments)"
	if f.noSeed {
		data = "empty account (one KES settlement wallet)"
	}
	w("  account          %s", data)
	if !f.noGenerator {
		w("  incoming         a payment about every %s", simGeneratorGap)
	}
	if len(opts.Devices) > 0 {
		ids := make([]string, 0, len(opts.Devices))
		for id := range opts.Devices {
			ids = append(ids, id)
		}
		w("  devices          %s (approvals for their batches must be signed)", strings.Join(ids, ", "))
	}
	if f.faults != "" {
		w("  faults           %s", f.faults)
	}
	printWebhookBanner(w, addr, f, opts)
	w("  random seed      %d (--seed %d repeats ids and outcomes)", f.seed, f.seed)
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		w("")
		w("  warning: listening beyond loopback; anyone who can reach %s can use this simulator", addr)
	}
	w("")
	w("Try:")
	w("  curl -s -H %s %swallets/", bearer, base)
	w("  curl -s -X POST -H %s -H 'Content-Type: application/json' \\", bearer)
	w(`    -d '{"provider":"MPESA-B2C","currency":"KES","transactions":[{"name":"Jane Doe","account":"254708374149","amount":"100"}]}' \`)
	w("    %ssend-money/initiate/", base)
	w("  malipo --base-url %s", base)
	w("")
	w("Ctrl-C stops it.")
}

// printWebhookBanner shows where events go and how to reach the control
// API. The challenge and secret are never printed; a token the user chose
// is masked, a generated one is shown (the user needs it, and it guards a
// sandbox, not money).
func printWebhookBanner(w func(string, ...any), addr net.Addr, f *simFlags, opts sim.Options) {
	if opts.Webhook.URL != "" {
		signed := ""
		if opts.Webhook.Secret != "" {
			signed = ", signed (X-IntaSend-Signature)"
		}
		w("  webhook          %s (challenge set%s)", redactedURL(opts.Webhook.URL), signed)
	}
	token := opts.Control.Token
	if f.controlToken != "" || os.Getenv("MALIPO_SIM_CONTROL_TOKEN") != "" {
		token = maskToken(token)
	}
	w("  control API      http://%s/_sim/  (Authorization: Bearer %s)", addr, token)
	clock := "real time; POST /_sim/clock/advance moves it forward"
	if f.clock == "manual" {
		clock = "manual: stands still until POST /_sim/clock/advance"
	}
	w("  clock            %s", clock)
}

func redactedURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

// maskToken keeps the last four characters, as client.MaskKey does for keys.
func maskToken(t string) string {
	if len(t) <= 8 {
		return "••••"
	}
	return "••••" + t[len(t)-4:]
}

// printSimKeys writes the key lines and returns the curl lines' quoted
// Authorization header: a generated secret key in full, a pinned one as a
// reference to the environment variable, with a line on how to set it.
func printSimKeys(w func(string, ...any), f *simFlags, opts sim.Options) (bearer string) {
	pubShow := client.MaskKey(opts.PublishableKey)
	if opts.PublishableKey == "" {
		pubShow = "ISPubKey_test_" + randomUUID()
	}
	w("  publishable key  %s", pubShow)
	if opts.SecretKey == "" {
		sec := "ISSecretKey_test_" + randomUUID()
		w("  secret key       %s", sec)
		bearer = "'Authorization: Bearer " + sec + "'"
	} else {
		w("  secret key       %s (pinned with %s; not printed)", client.MaskKey(opts.SecretKey), f.secretFrom)
		bearer = `"Authorization: Bearer $` + envSimSecret + `"`
	}
	if opts.PublishableKey == "" || opts.SecretKey == "" {
		w("                   (any well-formed test key works: ISPubKey_test_… / ISSecretKey_test_…)")
	}
	switch f.secretFrom {
	case envSimSecret:
		w("                   (the curl lines below read it from $%s, as this simulator did)", envSimSecret)
	case "--secret-key":
		w("                   (the curl lines below read it from $%s: export it there; better, pin it", envSimSecret)
		w("                   that way next time: --secret-key shows it to anyone who runs ps)")
	}
	return bearer
}

// randomUUID makes a version-4 UUID for display keys.
func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("crypto/rand failed: " + err.Error()))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
