package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
)

// `malipo mcp` serves the Model Context Protocol over stdio (issue 15,
// "Agents, with a human gate"). The official Go SDK (modelcontextprotocol/
// go-sdk) speaks the protocol; every tool runs the matching malipo command
// in process with --json, so an agent gets exactly the command line's
// reads, checks, exit statuses and guards, and no second code path can
// drift from them. Arguments an agent sends become flag values
// (--flag=value) and positionals after "--", so no value can pass for a
// flag.

type mcpFlags struct{ allowMoney bool }

func newMCPCmd(g *globals) *cobra.Command {
	f := &mcpFlags{}
	c := &cobra.Command{
		Use:   "mcp",
		Short: "Serve read tools to AI agents over the Model Context Protocol (stdio)",
		Long: "Serve the Model Context Protocol on stdin/stdout for an agent (Claude Desktop, an IDE):\n" +
			"tools to read wallets, statements, collections, invoices, payout batches, refunds and\n" +
			"banks, to explain IntaSend codes, to validate a payout CSV and to save one as a draft\n" +
			"for a person to review in the console. With the profile's keys, as the other commands.\n\n" +
			"No tool moves money unless --allow-money is given, and even then each money tool\n" +
			"(stk_push, refund, payout_approve) needs a confirm argument equal to the amount, as\n" +
			"--confirm does on the command line: the person who starts the server decides.",
		Example: "  malipo mcp\n  malipo mcp --profile sandbox --base-url http://127.0.0.1:8089/api/v1/",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s := newMCPServer(g, f)
			t := &mcp.IOTransport{Reader: io.NopCloser(cmd.InOrStdin()), Writer: nopWriteCloser{cmd.OutOrStdout()}}
			return s.Run(cmdContext(cmd), t)
		},
	}
	c.Flags().BoolVar(&f.allowMoney, "allow-money", false, "also serve stk_push, refund and payout_approve (each still needs confirm = the amount)")
	return c
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// mcpRunner runs malipo commands for the tools, with the server's own
// profile, base URL and live-key setting.
type mcpRunner struct{ g *globals }

// argv is a command line: the command's words, its flags, then the
// positionals after "--".
type argv struct {
	cmd, flags, pos []string
	stdin           string
	// verdict: exit 1 with JSON on stdout is an answer, not a failure
	// (payouts check of a file with bad rows).
	verdict bool
}

func (r *mcpRunner) run(ctx context.Context, a argv) *mcp.CallToolResult {
	root := newRootCmd()
	var out, errw bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetIn(strings.NewReader(a.stdin))
	args := append(append([]string{}, a.cmd...), a.flags...)
	args = append(args, "--profile="+r.g.profile)
	if r.g.baseURL != "" {
		args = append(args, "--base-url="+r.g.baseURL)
	}
	if r.g.allowLiveEnv {
		args = append(args, "--allow-live-env")
	}
	root.SetArgs(append(append(args, "--"), a.pos...))
	err := root.ExecuteContext(ctx)
	code := 0
	if err != nil {
		code = exitCode(err)
	}
	if err == nil || a.verdict && code == exitRefused && out.Len() > 0 {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: out.String()}}}
	}
	msg := strings.TrimSpace(errw.String() + "\n" + err.Error())
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("%s\n(exit %d: %s)", msg, code, exitMeaning(code))}}}
	res.IsError = true
	return res
}

// exitMeaning is the README's word for an exit status.
func exitMeaning(code int) string {
	switch code {
	case exitRefused:
		return "IntaSend or a check said no"
	case exitUsage:
		return "the arguments are wrong"
	case exitUnreachable:
		return "IntaSend could not be reached, or the outcome is unknown: read the status before anything else"
	}
	return "failed"
}

// flag is --name=value, or nothing when value is empty.
func flag(name, value string) []string {
	if value == "" {
		return nil
	}
	return []string{"--" + name + "=" + value}
}

// opt is a positional that may be left out.
func opt(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// Tool inputs. Field descriptions are what the agent reads.
type (
	mcpWalletsIn struct {
		WalletID string `json:"wallet_id,omitempty" jsonschema:"one wallet's id; leave out for every wallet"`
	}
	mcpWalletIn struct {
		WalletID string `json:"wallet_id" jsonschema:"the wallet's id"`
	}
	mcpCollectionsIn struct {
		State string `json:"state,omitempty" jsonschema:"only invoices in this state: PENDING, PROCESSING, COMPLETE, FAILED, RETRY, CANCELED or PARTIAL"`
		Since string `json:"since,omitempty" jsonschema:"only invoices created since: a duration (90m, 24h, 7d), a date (2026-01-31) or an RFC 3339 time"`
	}
	mcpInvoiceIn struct {
		InvoiceID string `json:"invoice_id" jsonschema:"IntaSend's invoice id (7 letters and digits)"`
	}
	mcpTrackingIn struct {
		TrackingID string `json:"tracking_id" jsonschema:"the payout batch's tracking id"`
	}
	mcpRefundsIn struct {
		RefundID string `json:"refund_id,omitempty" jsonschema:"one refund's chargeback id; leave out for every refund"`
	}
	mcpSubscriptionsIn struct {
		What string `json:"what" jsonschema:"plans, customers or list"`
	}
	mcpExplainIn struct {
		Code string `json:"code" jsonschema:"an IntaSend status or error code (BF105, TF105, TH107, BE111) or an M-Pesa result code (1032)"`
	}
	mcpCSVIn struct {
		CSV  string `json:"csv" jsonschema:"the payout file's text: a header line (name, phone or account, amount, …) and one row a line"`
		Rail string `json:"rail" jsonschema:"MPESA-B2C, MPESA-B2B, PESALINK, INTASEND or AIRTIME"`
	}
	mcpDraftIn struct {
		CSV      string `json:"csv" jsonschema:"the payout file's text, as for validate_payout_csv"`
		Rail     string `json:"rail" jsonschema:"MPESA-B2C, MPESA-B2B, PESALINK, INTASEND or AIRTIME"`
		WalletID string `json:"wallet_id,omitempty" jsonschema:"the wallet the batch will pay from"`
	}
	mcpSTKIn struct {
		Phone     string `json:"phone" jsonschema:"the customer's Kenyan mobile number"`
		Amount    string `json:"amount" jsonschema:"KES, as a decimal string"`
		APIRef    string `json:"api_ref,omitempty" jsonschema:"your reference for the payment"`
		Narrative string `json:"narrative,omitempty"`
		Confirm   string `json:"confirm" jsonschema:"the amount again, confirmed by the person you act for"`
	}
	mcpRefundIn struct {
		InvoiceID string `json:"invoice_id"`
		Amount    string `json:"amount" jsonschema:"KES to refund, as a decimal string"`
		Reason    string `json:"reason,omitempty" jsonschema:"unavailable, delayed, wrong, duplicate or other"`
		Details   string `json:"details,omitempty"`
		Confirm   string `json:"confirm" jsonschema:"the amount again, confirmed by the person you act for"`
	}
	mcpApproveIn struct {
		TrackingID string `json:"tracking_id"`
		Confirm    string `json:"confirm" jsonschema:"the batch total, confirmed by the person you act for"`
	}
)

// cliTool serves one tool by running the command that to builds from its input.
func cliTool[In any](s *mcp.Server, r *mcpRunner, name, desc string, to func(In) argv) {
	mcp.AddTool(s, &mcp.Tool{Name: name, Description: desc}, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
		return r.run(ctx, to(in)), nil, nil
	})
}

// readJSON is a read command with --json: what an agent may call freely.
func readJSON(words ...string) argv { return argv{cmd: words, flags: []string{"--json"}} }

// newMCPServer builds the server and its tools.
func newMCPServer(g *globals, f *mcpFlags) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "malipo", Version: "1"}, &mcp.ServerOptions{
		Instructions: "malipo reads an IntaSend merchant account. Money in answers is a decimal string in KES. " +
			"Rows or batches marked TF105/TH107 are in doubt: never resend them; use explain.",
	})
	r := &mcpRunner{g: g}
	cliTool(s, r, "wallets", "Wallets and their balances (malipo wallets --json)", func(in mcpWalletsIn) argv {
		a := readJSON("wallets")
		a.pos = opt(in.WalletID)
		return a
	})
	cliTool(s, r, "wallet_transactions", "A wallet's statement, newest first, with running balances", func(in mcpWalletIn) argv {
		a := readJSON("wallets", "transactions")
		a.pos = []string{in.WalletID}
		return a
	})
	cliTool(s, r, "collections", "Payments received, newest first (only payments that reached a wallet)", func(in mcpCollectionsIn) argv {
		a := readJSON("collections")
		a.flags = append(append(a.flags, flag("state", in.State)...), flag("since", in.Since)...)
		return a
	})
	cliTool(s, r, "invoice_status", "One payment's state, amounts, failure reason and payer", func(in mcpInvoiceIn) argv {
		a := readJSON("invoice")
		a.pos = []string{in.InvoiceID}
		return a
	})
	cliTool(s, r, "payout_status", "A payout batch's status and every row's result", func(in mcpTrackingIn) argv {
		a := readJSON("payouts", "status")
		a.pos = []string{in.TrackingID}
		return a
	})
	cliTool(s, r, "payouts_history", "Batches initiated from this profile (its local journal)", func(struct{}) argv {
		return readJSON("payouts", "history")
	})
	cliTool(s, r, "refunds", "Refunds, or one refund", func(in mcpRefundsIn) argv {
		a := readJSON("refunds")
		a.pos = opt(in.RefundID)
		return a
	})
	cliTool(s, r, "subscriptions", "Subscription plans, subscribers or subscriptions", func(in mcpSubscriptionsIn) argv {
		if !slices.Contains([]string{"plans", "customers", "list"}, in.What) {
			return argv{cmd: []string{"subscriptions"}, pos: []string{in.What}} // refused as usage, never a flag
		}
		return readJSON("subscriptions", in.What)
	})
	cliTool(s, r, "banks", "PesaLink bank codes", func(struct{}) argv { return readJSON("banks") })
	cliTool(s, r, "explain", "What an IntaSend status or error code means and what to do", func(in mcpExplainIn) argv {
		a := readJSON("explain")
		a.pos = []string{in.Code}
		return a
	})
	cliTool(s, r, "validate_payout_csv", "Check a payout CSV as the console imports it; sends nothing", func(in mcpCSVIn) argv {
		return argv{cmd: []string{"payouts", "check"}, flags: append([]string{"--json"}, flag("rail", in.Rail)...), pos: []string{"-"}, stdin: in.CSV, verdict: true}
	})
	cliTool(s, r, "draft_payout", "Save a payout CSV as a draft for a person to review and approve in the console; sends nothing", func(in mcpDraftIn) argv {
		return argv{cmd: []string{"payouts", "draft"}, flags: append(append([]string{"--json"}, flag("rail", in.Rail)...), flag("wallet", in.WalletID)...), pos: []string{"-"}, stdin: in.CSV}
	})
	if f.allowMoney {
		addMoneyTools(s, r)
	}
	return s
}

// addMoneyTools are served only with --allow-money; each runs the command
// with --confirm set to what the agent says the person confirmed, so a
// wrong or missing amount is refused as on the command line.
func addMoneyTools(s *mcp.Server, r *mcpRunner) {
	cliTool(s, r, "stk_push", "MOVES MONEY: send an M-Pesa payment prompt to a customer's phone. confirm must equal amount.", func(in mcpSTKIn) argv {
		return argv{cmd: []string{"stk-push"}, flags: append(append(append([]string{"--json"}, flag("ref", in.APIRef)...), flag("narrative", in.Narrative)...),
			"--confirm="+in.Confirm), pos: []string{in.Phone, in.Amount}}
	})
	cliTool(s, r, "refund", "MOVES MONEY: refund (part of) a COMPLETE payment. confirm must equal amount.", func(in mcpRefundIn) argv {
		return argv{cmd: []string{"refund"}, flags: append(append(append([]string{"--json"}, flag("reason", in.Reason)...), flag("details", in.Details)...),
			"--confirm="+in.Confirm), pos: []string{in.InvoiceID, in.Amount}}
	})
	cliTool(s, r, "payout_approve", "MOVES MONEY: approve a payout batch, which pays it. confirm must equal the batch total.", func(in mcpApproveIn) argv {
		return argv{cmd: []string{"payouts", "approve"}, flags: []string{"--json", "--confirm=" + in.Confirm}, pos: []string{in.TrackingID}}
	})
}
