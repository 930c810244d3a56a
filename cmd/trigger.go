package cmd

// malipo trigger: asks a running `malipo sim` to produce a webhook event
// through its control API (/_sim/), so a developer can exercise a webhook
// handler without clicking through a checkout.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client/sim"
)

const envSimControlToken = "MALIPO_SIM_CONTROL_TOKEN"

type triggerFlags struct {
	token, amount, account, callbackURL, invoiceID, chargebackID string
	advance, json                                                bool
}

func newTriggerCmd(g *globals) *cobra.Command {
	f := &triggerFlags{}
	c := &cobra.Command{
		Use:   "trigger EVENT --base-url SIM",
		Short: "Make a running malipo sim produce a webhook event",
		Long: "Asks the simulator at --base-url (POST /_sim/trigger, with --control-token or\n" +
			envSimControlToken + ") to start a scenario, and prints what it started. With\n" +
			"--advance it then moves the simulator's clock until the scenario settles and\n" +
			"delivers the due webhooks. Events:\n  " + strings.Join(sim.Triggers, "\n  "),
		Example: "  export " + envSimControlToken + "=simctl_…\n" +
			"  malipo trigger collection.complete --base-url http://127.0.0.1:8089 --advance\n" +
			"  malipo trigger send_money.failed --base-url http://127.0.0.1:8089 --amount 250 --json",
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	fl := c.Flags()
	fl.StringVar(&f.token, "control-token", "", "the simulator's control token (env "+envSimControlToken+")")
	fl.StringVar(&f.amount, "amount", "", "amount in KES (default 100)")
	fl.StringVar(&f.account, "account", "", "*.failed: which failing test number (the reason)")
	fl.StringVar(&f.callbackURL, "callback-url", "", "send_money.*: the batch's callback_url")
	fl.StringVar(&f.invoiceID, "invoice-id", "", "chargeback.new: refund this invoice")
	fl.StringVar(&f.chargebackID, "chargeback-id", "", "chargeback.disputed: this chargeback")
	fl.BoolVar(&f.advance, "advance", false, "move the simulator's clock until the scenario settles, then deliver")
	fl.BoolVar(&f.json, "json", false, "print the control API's answer")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	c.RunE = func(cmd *cobra.Command, args []string) error { return runTrigger(cmd, g, f, args[0]) }
	return c
}

// simControl calls one running simulator's control API.
type simControl struct {
	base  *url.URL // http://host:port/_sim/
	token string
	hc    *http.Client
}

// newSimControl finds the control API of the simulator serving baseURL
// (with or without its /api/v1/ path).
func newSimControl(baseURL, token string) (*simControl, error) {
	p, err := url.Parse(strings.TrimSpace(baseURL))
	if baseURL == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return nil, usageError(errors.New("--base-url: want the simulator's URL, e.g. http://127.0.0.1:8089"))
	}
	if token == "" {
		return nil, usageError(errors.New("the control token: --control-token or " + envSimControlToken + " (malipo sim prints it)"))
	}
	return &simControl{base: &url.URL{Scheme: p.Scheme, Host: p.Host, Path: "/_sim/"}, token: token,
		hc: &http.Client{Timeout: 30 * time.Second}}, nil
}

// call sends a JSON body (nil: GET) and decodes the answer into out. A
// refusal exits 1 with the simulator's detail, no answer exits 3.
func (c *simControl) call(ctx context.Context, path string, body, out any) error {
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		method, rd = http.MethodPost, bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.hc.Do(req)
	if err != nil {
		return &exitError{code: exitUnreachable, err: fmt.Errorf("the simulator's control API: %w", err)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return &exitError{code: exitUnreachable, err: err}
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Detail string `json:"detail"`
		}
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &e) == nil && e.Detail != "" {
			msg = e.Detail
		}
		return &exitError{code: exitRefused, err: fmt.Errorf("%s %s: %d: %s", method, path, res.StatusCode, printable(msg))}
	}
	return json.Unmarshal(raw, out)
}

// triggerAnswer is POST /_sim/trigger's answer.
type triggerAnswer struct {
	Event     string          `json:"event"`
	Object    json.RawMessage `json:"object"`
	SettledBy time.Time       `json:"settled_by"`
}

func runTrigger(cmd *cobra.Command, g *globals, f *triggerFlags, event string) error {
	if names := triggerNames(); !slices.Contains(names, event) {
		return usageError(fmt.Errorf("unknown event %q; one of: %s", printable(event), strings.Join(names, ", ")))
	}
	ctl, err := newSimControl(g.baseURL, envOr(f.token, envSimControlToken))
	if err != nil {
		return err
	}
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	req := map[string]string{"event": event, "amount": f.amount, "account": f.account,
		"callback_url": f.callbackURL, "invoice_id": f.invoiceID, "chargeback_id": f.chargebackID}
	for k, v := range req {
		if v == "" {
			delete(req, k) // the simulator's defaults
		}
	}
	var ans triggerAnswer
	if err := ctl.call(ctx, "trigger", req, &ans); err != nil {
		return err
	}
	if f.json {
		if err := writeJSON(out, ans); err != nil {
			return err
		}
	} else {
		id, state := objectSummary(ans.Object)
		fmt.Fprintln(out, printable(fmt.Sprintf("%s started: %s %s, settles by %s", event, id, state,
			ans.SettledBy.Local().Format(time.RFC3339))))
	}
	if !f.advance {
		return nil
	}
	return advanceUntil(ctx, ctl, ans.SettledBy, out, f.json)
}

// triggerNames are the events the simulator knows, from its own list.
func triggerNames() []string {
	names := make([]string, 0, len(sim.Triggers))
	for _, t := range sim.Triggers {
		name, _, _ := strings.Cut(t, ":")
		names = append(names, name)
	}
	return names
}

// objectSummary finds the started object's id and state in the API's
// answer (an STK push wraps its invoice; a batch and a chargeback do not).
func objectSummary(raw json.RawMessage) (id, state string) {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	if inv, ok := m["invoice"]; ok && m["chargeback_id"] == nil {
		_ = json.Unmarshal(inv, &m)
	}
	var e loggedEvent
	describe(&e, mustMarshal(m))
	return e.Type + " " + orDash(e.Object), orDash(e.State)
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// advanceUntil moves the simulator's clock past settledBy (whole seconds,
// rounded up) and makes the webhook deliveries that fell due.
func advanceUntil(ctx context.Context, ctl *simControl, settledBy time.Time, out io.Writer, quiet bool) error {
	var info struct {
		Now        time.Time `json:"now"`
		CanAdvance bool      `json:"can_advance"`
	}
	if err := ctl.call(ctx, "", nil, &info); err != nil {
		return err
	}
	if !info.CanAdvance {
		return &exitError{code: exitRefused, err: errors.New("--advance: this simulator runs on the real clock; start it with --clock offset or manual")}
	}
	if d := settledBy.Sub(info.Now); d > 0 {
		by := d.Truncate(time.Second) + time.Second
		if err := ctl.call(ctx, "clock/advance", map[string]string{"by": by.String()}, &struct{}{}); err != nil {
			return err
		}
		if !quiet {
			fmt.Fprintf(out, "advanced the simulator's clock by %s\n", by)
		}
	}
	var dv struct {
		Attempted int `json:"attempted"`
	}
	if err := ctl.call(ctx, "webhooks/deliver", map[string]string{}, &dv); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(out, "made %d webhook delivery attempt(s)\n", dv.Attempted)
	}
	return nil
}
