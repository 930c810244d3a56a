package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Send money (docs/intasend-api.md §2.4, §3, §4): initiate → approve → BP104…BP110 →
// BC100, each transaction TP101 → TP102 → TS100 | TF106, wallets moving as
// they settle. Validation of initiate bodies is in payouts_validate.go; the
// state machine is startBatch and settlePayout below.
//
// Decisions where the contract is silent (documented for the client and
// the tests that rely on them):
//   - A batch waiting approval has status_code BP103 "Preview and approve"
//     (BP103 is "waiting approval" in the status reference; the 2022 GB
//     sample's BP101 means "new batch, reading in progress").
//   - Validation errors name items as "transactions.3.account", the
//     dotted form drf-standardized-errors produces for nested lists.
//   - Approval holds total+charges on the wallet at once (so two batches
//     cannot spend the same float); if Available is short, the batch moves
//     to BF105 "Failed Processing" one BatchStep later and nothing moves.
//   - Timeline after approval (or initiate with requires_approval NO):
//     BP104 now, BP106 +1 step, BP108 +2, BP109 +3 (transactions TP102),
//     BP110 +4, transactions settle in up to 20 groups between
//     +4 steps+TxStep and +5 steps+TxStep, then BC100. Defaults: ~6.8 s.
//   - M-Pesa, PesaLink and airtime are KES rails; INTASEND takes any of the
//     four currencies.
//   - MPESA-B2C and AIRTIME accounts must already be 2547…/2541… (the API
//     wants 254 without '+'); 07… is refused with the 254 form in the
//     detail. Spaces in accounts are allowed (OAS) and removed.
//   - Approve refusals are 400 validation errors with attr null and codes
//     already_approved ("Batch already approved"), batch_cancelled,
//     approval_not_required; a wrong nonce or signature is attr "nonce",
//     code "invalid" ("Invalid nonce", "Invalid nonce signature", "Nonce
//     must be signed with the key of device N"); unknown tracking_id is 404
//     {"detail":"Not found."}. A refused approval changes nothing.
//   - An unregistered device_id at initiate (while devices are registered)
//     is 400 {"details":"Device id not found"}, the GB sample's shape.
//   - The nonce is shown while the batch waits for approval, not after.
//   - A failed transaction is not charged (charge "0.00"); its amount and
//     charge are released back to the wallet.

// Magic accounts: these outcomes ignore Options.FailureRate. They are the
// same numbers collections.go uses for STK pushes.
const (
	// MagicFailAccount always fails (TF106) with the rail's first reason
	// ("Recipient is not registered for M-Pesa" on MPESA-B2C).
	MagicFailAccount = "254700000002"
	// SandboxTestAccount is IntaSend's sandbox send-money test number
	// (GB sandbox-and-live-environments.md); it always succeeds.
	SandboxTestAccount = "254708374149"
)

// magicPayoutFailures: 254700000001…4 always fail, each with its own
// reason (index into the rail's reasons, wrapping).
var magicPayoutFailures = map[string]int{
	"254700000002": 0, "254700000001": 1, "254700000003": 2, "254700000004": 3,
}

// magicTxScenarios: a transaction to one of these accounts ends in the
// state named (issue 12 §5), whatever FailureRate says; the last three
// digits are the code's. See payout_scenarios.go for each timeline.
var magicTxScenarios = map[string]string{
	"254700000104": "TF104", // results processing, then TS100
	"254700000105": "TF105", // status cannot be determined: stays so, money held
	"254700000107": "TH107", // under observation, then TS100
	"254700000109": "TR109", // queued for retry, then TP102, then TS100
}

// magicBatchScenarios: a batch with a transaction to one of these accounts
// takes the batch path named (2547000002NN for BxNNN).
var magicBatchScenarios = map[string]string{
	"254700000201": "BP101", // reading the file for one BatchStep before BP103
	"254700000202": "BF102", // batch failed at validation; nothing sent
	"254700000207": "BF107", // advance float check issue; nothing sent
	"254700000211": "BE111", // ended early at that row: it and later rows TC108
}

// MaxBatchTransactions is IntaSend's tested batch ceiling (GB send-payments).
const MaxBatchTransactions = 5000

// Batch status texts (docs/intasend-api.md §4, DOCS send-money-events).
var batchStatusText = map[string]string{
	// BP101 "new batch, reading in progress": the GB sample pairs it with
	// "Preview and approve" and a nonce, so it is approvable (below).
	"BP101": "Preview and approve",
	"BF102": "Failed Processing",
	"BF107": "Failed Processing",
	"BP103": "Preview and approve",
	"BP104": "Confirming balance",
	"BP106": "Processing (FLT)",
	"BP108": "Processing (FLTRSLT)",
	"BP109": "Sending payment",
	"BP110": "Processing payment",
	"BC100": "Completed",
	"BF105": "Failed Processing",
	"BE111": "Cancelled",
}

var txStatusText = map[string]string{
	"TP101": "Pending",
	"TP102": "Processing",
	"TS100": "Successful",
	"TF103": "Unsuccessful",
	"TF106": "Unsuccessful",
	"TC108": "Cancelled",
	// The contract documents only Pending, Successful and Unsuccessful;
	// these four codes get texts that say what they mean, never
	// "Unsuccessful": TF104, TF105 and TH107 may yet pay.
	"TF104": "Processing results",
	"TF105": "Status undetermined",
	"TH107": "Under observation",
	"TR109": "Queued for retry",
}

type payState struct {
	byTracking map[string]*batch
	byFile     map[string]*batch
	order      []*batch
}

func (st *payState) init() {
	st.byTracking = map[string]*batch{}
	st.byFile = map[string]*batch{}
}

// batch is one send-money file.
type batch struct {
	FileID, TrackingID, BatchReference string
	DeviceID, Nonce, CallbackURL       string
	Provider, Currency                 string
	RequiresApproval                   bool
	Wallet                             *wallet
	StatusCode                         string
	Scenario                           string // a magicBatchScenarios code, or ""
	Tx                                 []*payTx
	Total, Charges                     client.Amount // sum of amounts; estimated charges
	Paid, Failed, ActualCharges        client.Amount
	held                               client.Amount // still held on the wallet
	approvals                          int
	CreatedAt, UpdatedAt               time.Time
}

// payTx is one transaction of a batch.
type payTx struct {
	ID, RequestReferenceID                   string
	StatusCode, StatusDescription            string
	Name, Account, IDNumber, BankCode        string
	AccountType, AccountReference, Narrative string
	ProviderReference, ProviderAccountName   string
	Amount, Charge                           client.Amount
	CreatedAt, UpdatedAt                     time.Time
}

func (s *Server) routesPayouts() {
	s.handle("POST", "send-money/initiate/", authSecret, s.handleInitiate)
	s.handle("POST", "send-money/approve/", authSecret, s.handleApprove)
	s.handle("POST", "send-money/status/", authSecret, s.handlePayoutStatus)
	s.handle("POST", "send-money/cancel/", authSecret, s.handleCancel)
}

// ---- initiate ----

func (s *Server) handleInitiate(c *reqCtx) {
	var top map[string]json.RawMessage
	if !c.decode(&top) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	req, errs := s.validateInitiate(top)
	if len(errs) > 0 {
		c.invalidAll(errs)
		return
	}
	if _, err := s.deviceKey(req.deviceID); err != nil {
		// The GB sample's shape for this one error: {"details": "..."}.
		c.json(http.StatusBadRequest, map[string]string{"details": noDeviceDetail})
		return
	}
	now := s.clock.Now()
	b := &batch{
		FileID: s.newID(7), TrackingID: s.newUUID(), BatchReference: req.batchReference,
		DeviceID: req.deviceID, Nonce: s.newNonce(), CallbackURL: req.callbackURL,
		Provider: req.provider, Currency: req.currency, RequiresApproval: req.requiresApproval,
		Wallet: req.wallet, StatusCode: "BP103", Tx: req.tx, CreatedAt: now, UpdatedAt: now,
	}
	for _, t := range b.Tx {
		t.ID, t.RequestReferenceID = s.newID(7), s.newUUID()
		t.StatusCode, t.CreatedAt, t.UpdatedAt = "TP101", now, now
		t.Charge = payoutCharge(b.Provider, t.Amount)
		b.Total += t.Amount
		b.Charges += t.Charge
	}
	s.pay.byTracking[b.TrackingID] = b
	s.pay.byFile[b.FileID] = b
	s.pay.order = append(s.pay.order, b)
	s.counters.initiated()
	s.openBatch(b, now)
	c.json(http.StatusOK, s.batchAnswer(b.snapshot(), true)) // the answer is written after unlocking
}

// ---- approve ----

func (s *Server) handleApprove(c *reqCtx) {
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		s.counters.refused("")
		return
	}
	var errs []ErrorItem
	tracking := flexField(body, "tracking_id", "tracking_id", true, &errs)
	nonce := flexField(body, "nonce", "nonce", true, &errs)
	if len(errs) > 0 {
		s.counters.refused(tracking)
		c.invalidAll(errs)
		return
	}
	s.lock()
	defer s.mu.Unlock()
	b := s.pay.byTracking[tracking]
	if b == nil {
		s.counters.refused(tracking)
		c.notFound()
		return
	}
	if code, detail := approvable(b); code != "" {
		s.counters.refused(tracking)
		c.invalidAll([]ErrorItem{{Code: code, Detail: detail}})
		return
	}
	if detail := s.checkApprovalNonce(b, nonce); detail != "" {
		s.counters.refused(tracking)
		c.invalid("nonce", "invalid", detail)
		return
	}
	b.approvals++
	s.counters.approved(tracking)
	s.startBatch(b, s.clock.Now())
	c.json(http.StatusOK, s.batchAnswer(b.snapshot(), false))
}

// approvable says why a batch cannot be approved now ("" when it can).
func approvable(b *batch) (code, detail string) {
	switch {
	case !b.RequiresApproval:
		return "approval_not_required", "Batch does not require approval (it was initiated with requires_approval NO)"
	case waitingApproval(b):
		return "", ""
	case b.StatusCode == "BE111":
		return "batch_cancelled", "Batch was cancelled"
	}
	return "already_approved", "Batch already approved"
}

// ---- status and cancel ----

func (s *Server) handlePayoutStatus(c *reqCtx) {
	tracking, errs, ok := payoutStatusTracking(c)
	if !ok {
		return
	}
	if tracking == "" && len(errs) == 0 {
		tracking = c.query().Get("tracking_id") // GB called it a query parameter
	}
	if tracking == "" && len(errs) == 0 {
		errs = append(errs, ErrorItem{Code: "required", Detail: "This field is required.", Attr: strPtr("tracking_id")})
	}
	if len(errs) > 0 {
		c.invalidAll(errs)
		return
	}
	// A hot route (every open batch is polled): answered from the answer
	// cache (answercache.go) while no state has changed; else the lock is
	// held only to copy the batch, and the view is built and encoded
	// without it.
	s.lock()
	gen := s.mu.gen
	if e := s.answers.payouts.get(gen, tracking); e != nil {
		s.mu.unlockUnchanged()
		c.json(http.StatusOK, e)
		return
	}
	var cp *batch
	if b := s.pay.byTracking[tracking]; b != nil {
		cp = b.snapshot()
	}
	s.mu.unlockUnchanged()
	switch {
	case cp == nil:
		c.notFound()
	case len(cp.Tx) <= maxCachedTx:
		c.answerCached(s.answers.payouts, gen, tracking, s.batchAnswer(cp, false))
	default:
		c.json(http.StatusOK, s.batchAnswer(cp, false))
	}
}

// maxCachedTx is the most transactions a batch status kept in the answer
// cache has: about 700 bytes each, within maxCachedAnswer. Larger batches
// are streamed (batchStream) as before.
const maxCachedTx = 16

// payoutStatusTracking reads tracking_id from the body as flexField does
// from the decoded map. A flat body (flatjson.go: every value a plain
// string) needs no map: the last member named exactly tracking_id, trimmed.
// ok is false when decode has answered.
func payoutStatusTracking(c *reqCtx) (string, []ErrorItem, bool) {
	if kvs, flat := c.flatBody(); flat {
		tracking := ""
		for _, kv := range kvs {
			if string(kv.key) == "tracking_id" {
				tracking = strings.TrimSpace(string(kv.val))
			}
		}
		return tracking, nil, true
	}
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return "", nil, false
	}
	var errs []ErrorItem
	return flexField(body, "tracking_id", "tracking_id", false, &errs), errs, true
}

// snapshot copies b with its wallet and transactions, so batchJSON can
// render it with the state lock released. Call with s.mu held.
func (b *batch) snapshot() *batch {
	cp := *b
	w := *b.Wallet
	cp.Wallet = &w
	txs := make([]payTx, len(b.Tx))
	cp.Tx = make([]*payTx, len(b.Tx))
	for i, t := range b.Tx {
		txs[i] = *t
		cp.Tx[i] = &txs[i]
	}
	return &cp
}

func (s *Server) handleCancel(c *reqCtx) {
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return
	}
	var errs []ErrorItem
	fileID := flexField(body, "file_id", "file_id", false, &errs)
	tracking := flexField(body, "tracking_id", "tracking_id", false, &errs)
	if fileID == "" && tracking == "" && len(errs) == 0 {
		errs = append(errs, ErrorItem{Code: "required", Detail: "This field is required.", Attr: strPtr("file_id")})
	}
	if len(errs) > 0 {
		c.invalidAll(errs)
		return
	}
	s.lock()
	defer s.mu.Unlock()
	b := s.pay.byFile[fileID]
	if b == nil {
		b = s.pay.byTracking[tracking]
	}
	if b == nil {
		c.notFound()
		return
	}
	if !waitingApproval(b) {
		c.invalidAll([]ErrorItem{{Code: "not_cancellable", Detail: fmt.Sprintf(
			"Only a batch waiting approval can be cancelled; this one is %s (%s)", batchStatusText[b.StatusCode], b.StatusCode)}})
		return
	}
	now := s.clock.Now()
	b.StatusCode, b.UpdatedAt = "BE111", now
	for _, t := range b.Tx {
		t.StatusCode, t.StatusDescription, t.UpdatedAt = "TC108", "Batch cancelled before approval", now
	}
	s.counters.cancelled()
	c.json(http.StatusOK, s.batchAnswer(b.snapshot(), false))
}

// ---- the state machine ----

// startBatch runs an approved batch (or one initiated with requires_approval
// NO). Call with s.mu held.
func (s *Server) startBatch(b *batch, now time.Time) {
	b.StatusCode, b.UpdatedAt = "BP104", now
	step := s.opts.Timing.BatchStep
	need := b.Total + b.Charges
	if err := s.hold(b.Wallet, need, now); err != nil {
		detail := fmt.Sprintf("Insufficient float: the wallet's available balance %s is below the batch total plus charges %s",
			b.Wallet.Available.Format(b.Currency), need.Format(b.Currency))
		s.after(step, func(at time.Time) { s.failBatch(b, "BF105", detail, at) })
		return
	}
	b.held = need
	s.after(step, func(at time.Time) { b.StatusCode, b.UpdatedAt = "BP106", at })
	if s.failScenario(b, step) {
		return
	}
	s.after(2*step, func(at time.Time) { b.StatusCode, b.UpdatedAt = "BP108", at })
	s.after(3*step, func(at time.Time) {
		b.StatusCode, b.UpdatedAt = "BP109", at
		for _, t := range b.Tx {
			t.StatusCode, t.UpdatedAt = "TP102", at
		}
	})
	s.after(4*step, func(at time.Time) { b.StatusCode, b.UpdatedAt = "BP110", at })
	// Transactions settle in at most payGroups events, spread over one step,
	// so a 5,000-line batch costs 20 events, not 5,000.
	const payGroups = 20
	n := len(b.Tx)
	per := (n + payGroups - 1) / payGroups
	groups := (n + per - 1) / per
	base := 4*step + s.opts.Timing.TxStep
	for g := range groups {
		lo, hi := g*per, min((g+1)*per, n)
		s.after(base+step*time.Duration(g)/time.Duration(groups), func(at time.Time) {
			for _, t := range b.Tx[lo:hi] {
				s.settlePayout(b, t, at)
			}
			b.UpdatedAt = at
		})
	}
	s.after(base+step, func(at time.Time) { s.finishBatch(b, at) })
}

// failBatch ends a batch before any payment: every transaction TF103 with
// detail, and whatever was held goes back to the wallet.
func (s *Server) failBatch(b *batch, code, detail string, at time.Time) {
	b.StatusCode, b.UpdatedAt = code, at
	for _, t := range b.Tx {
		t.StatusCode, t.StatusDescription, t.UpdatedAt = "TF103", detail, at
	}
	if b.held > 0 {
		s.release(b.Wallet, b.held, at)
		b.held = 0
	}
}

// settlePayout decides one transaction's outcome: a magic scenario, or
// success or failure now.
func (s *Server) settlePayout(b *batch, t *payTx, at time.Time) {
	if b.StatusCode == "BE111" {
		return // ended early: endEarly has already cancelled this row
	}
	if b.Scenario == "BE111" && magicBatchScenarios[t.Account] == "BE111" {
		s.endEarly(b, t, at)
		return
	}
	if code, ok := magicTxScenarios[t.Account]; ok {
		s.txScenario(b, t, code, at)
		return
	}
	s.resolvePayout(b, t, s.payoutFailure(b.Provider, t.Account), at)
}

// resolvePayout ends one transaction: TF106 with reason (its money goes
// back to the wallet) or, when reason is "", TS100 and its money leaves.
func (s *Server) resolvePayout(b *batch, t *payTx, reason string, at time.Time) {
	w := b.Wallet
	t.UpdatedAt = at
	b.held -= t.Amount + t.Charge
	if reason != "" {
		t.StatusCode, t.StatusDescription = "TF106", reason
		s.release(w, t.Amount+t.Charge, at)
		t.Charge = 0
		b.Failed += t.Amount
		return
	}
	t.StatusCode, t.StatusDescription = "TS100", "The service request is processed successfully."
	// An M-Pesa-style receipt: ten upper-case alphanumerics, a letter first.
	t.ProviderReference = string(rune('A'+s.rng.IntN(26))) + s.newID(9)
	t.ProviderAccountName = t.Name
	if t.ProviderAccountName == "" {
		t.ProviderAccountName = payeeNames[s.rng.IntN(len(payeeNames))]
	}
	if b.Provider == "MPESA-B2C" {
		t.ProviderAccountName = " " + t.ProviderAccountName // as M-Pesa returns it (A.2)
	}
	transType := "PAYOUT"
	if b.Provider == "AIRTIME" {
		transType = "AIRTIME"
	}
	label := fmt.Sprintf("%s to %s (file %s)", b.Provider, t.Account, b.FileID)
	s.settleHeld(w, t.Amount, transType, label, "", at)
	if t.Charge > 0 {
		s.settleHeld(w, t.Charge, "CHARGE", "Charge: "+label, "", at)
	}
	b.Paid += t.Amount
	b.ActualCharges += t.Charge
}

// payoutFailure returns why a transaction fails, or "" when it succeeds.
func (s *Server) payoutFailure(provider, account string) string {
	reasons := payFailReasons[provider]
	if account == SandboxTestAccount {
		return ""
	}
	if i, magic := magicPayoutFailures[account]; magic {
		return reasons[i%len(reasons)]
	}
	if s.opts.FailureRate <= 0 || s.rng.Float64() >= s.opts.FailureRate {
		return ""
	}
	return reasons[s.rng.IntN(len(reasons))]
}

var payFailReasons = map[string][]string{
	"MPESA-B2C": {"Recipient is not registered for M-Pesa", "The receiver account is invalid", "Account frozen",
		"The recipient's M-Pesa account has reached its maximum balance"},
	"MPESA-B2B": {"The receiver account is invalid", "Invalid account reference for this PayBill", "Account frozen"},
	"PESALINK":  {"The receiver account is invalid", "Account frozen", "Beneficiary bank is unavailable, try again later"},
	"INTASEND":  {"The receiver account is invalid", "Account frozen"},
	"AIRTIME":   {"The receiver account is invalid", "Airtime top-up failed at the network"},
}

var payeeNames = []string{"JANE WANJIKU", "JOHN OTIENO", "MARY AKINYI", "PETER KAMAU", "GRACE NJERI", "DAVID KIPROTICH"}

// ---- charges and limits ----

// payoutCharge is the charge for one transaction of amount on provider:
// client.EstimatePayoutCharge, so the console's check before initiating
// and the simulator's charges are one table. Those figures approximate
// IntaSend's published send-money tariffs (business pays); they are not
// IntaSend's exact price list. The 2025 sample (B2C KES 38 → charge
// 10.00) fits the first B2C band; INTASEND P2P and airtime are free.
func payoutCharge(provider string, amount client.Amount) client.Amount {
	return client.EstimatePayoutCharge(provider, amount)
}

// payLimit is a rail's per-transaction range; Max 0 means no ceiling.
type payLimit struct{ Min, Max client.Amount }

// payoutLimits per transaction. B2C KES 10–150,000 are Safaricom's M-Pesa
// B2C limits; B2B up to 250,000 (Safaricom's B2B ceiling for business
// accounts, simplified); PesaLink KES 100–999,999 is an assumption (contract
// §5: the 999,999 ceiling is a generic PesaLink rule); airtime KES 10–10,000.
var payoutLimits = map[string]payLimit{
	"MPESA-B2C": {client.Units(10), client.Units(150000)},
	"MPESA-B2B": {client.Units(10), client.Units(250000)},
	"PESALINK":  {client.Units(100), client.Units(999999)},
	"AIRTIME":   {client.Units(10), client.Units(10000)},
	"INTASEND":  {client.Cents(1), 0},
}

// ---- rendering ----

type payWalletJSON struct {
	WalletID         string        `json:"wallet_id"`
	Label            string        `json:"label"`
	CanDisburse      bool          `json:"can_disburse"`
	Currency         string        `json:"currency"`
	WalletType       string        `json:"wallet_type"`
	CurrentBalance   client.Amount `json:"current_balance"`
	AvailableBalance client.Amount `json:"available_balance"`
	UpdatedAt        string        `json:"updated_at"`
}

type payTxJSON struct {
	TransactionID       string        `json:"transaction_id"`
	Status              string        `json:"status"`
	StatusCode          string        `json:"status_code"`
	StatusDescription   *string       `json:"status_description"`
	RequestReferenceID  string        `json:"request_reference_id"`
	Provider            string        `json:"provider"`
	BankCode            *string       `json:"bank_code"`
	Name                *string       `json:"name"`
	Account             string        `json:"account"`
	IDNumber            *string       `json:"id_number"`
	AccountType         *string       `json:"account_type"`
	AccountReference    *string       `json:"account_reference"`
	ProviderReference   *string       `json:"provider_reference"`
	ProviderAccountName *string       `json:"provider_account_name"`
	Amount              client.Amount `json:"amount"`
	Charge              client.Amount `json:"charge"`
	Narrative           *string       `json:"narrative"`
	FileID              string        `json:"file_id"`
	IdempotencyKey      *string       `json:"idempotency_key"`
	Currency            string        `json:"currency"`
	CreatedAt           string        `json:"created_at"`
	UpdatedAt           string        `json:"updated_at"`
}

type batchJSON struct {
	FileID              string        `json:"file_id"`
	DeviceID            *string       `json:"device_id"`
	TrackingID          string        `json:"tracking_id"`
	BatchReference      *string       `json:"batch_reference"`
	Status              string        `json:"status"`
	StatusCode          string        `json:"status_code"`
	Nonce               string        `json:"nonce,omitempty"`
	Wallet              payWalletJSON `json:"wallet"`
	Transactions        []payTxJSON   `json:"transactions"`
	ChargeEstimate      client.Amount `json:"charge_estimate"`
	TotalAmountEstimate client.Amount `json:"total_amount_estimate"`
	TotalAmount         client.Amount `json:"total_amount"`
	TransactionsCount   int           `json:"transactions_count"`
	ActualCharges       client.Amount `json:"actual_charges"`
	PaidAmount          client.Amount `json:"paid_amount"`
	FailedAmount        client.Amount `json:"failed_amount"`
	CreatedAt           string        `json:"created_at"`
	UpdatedAt           string        `json:"updated_at"`
}

// batchJSON renders a batch. The nonce is shown in the initiate answer and
// while the batch waits for approval, never after.
func (s *Server) batchJSON(b *batch, withNonce bool) batchJSON {
	w := b.Wallet
	out := batchJSON{
		FileID: b.FileID, DeviceID: strPtr(b.DeviceID), TrackingID: b.TrackingID,
		BatchReference: strPtr(b.BatchReference), Status: batchStatusText[b.StatusCode], StatusCode: b.StatusCode,
		Wallet: payWalletJSON{WalletID: w.ID, Label: w.Label, CanDisburse: w.CanDisburse, Currency: w.Currency,
			WalletType: w.Type, CurrentBalance: w.Current, AvailableBalance: w.Available, UpdatedAt: ts(w.UpdatedAt)},
		Transactions:   make([]payTxJSON, len(b.Tx)),
		ChargeEstimate: b.Charges, TotalAmountEstimate: b.Total + b.Charges, TotalAmount: b.Total,
		TransactionsCount: len(b.Tx), ActualCharges: b.ActualCharges, PaidAmount: b.Paid, FailedAmount: b.Failed,
		CreatedAt: ts(b.CreatedAt), UpdatedAt: ts(b.UpdatedAt),
	}
	if withNonce || waitingApproval(b) {
		out.Nonce = b.Nonce
	}
	for i, t := range b.Tx {
		out.Transactions[i] = payTxView(b, t)
	}
	return out
}

// payTxView renders one transaction of b.
func payTxView(b *batch, t *payTx) payTxJSON {
	var sl strSlab
	return payTxJSON{
		TransactionID: t.ID, Status: txStatusText[t.StatusCode], StatusCode: t.StatusCode,
		StatusDescription: sl.ptr(t.StatusDescription), RequestReferenceID: t.RequestReferenceID,
		Provider: b.Provider, BankCode: sl.ptr(t.BankCode), Name: sl.ptr(t.Name), Account: t.Account,
		IDNumber: sl.ptr(t.IDNumber), AccountType: sl.ptr(t.AccountType), AccountReference: sl.ptr(t.AccountReference),
		ProviderReference: sl.ptr(t.ProviderReference), ProviderAccountName: sl.ptr(t.ProviderAccountName),
		Amount: t.Amount, Charge: t.Charge, Narrative: sl.ptr(t.Narrative), FileID: b.FileID,
		Currency: b.Currency, CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt),
	}
}

// batchAnswer is what batchJSON(b, withNonce) encodes to, written with
// each transaction's view built just before it is written: a 5,000-line
// status answer no longer holds 5,000 views (megabytes of small strings)
// at once. b must be a snapshot: it is read after the lock is released.
func (s *Server) batchAnswer(b *batch, withNonce bool) batchStream {
	head := *b
	head.Tx = nil
	v := s.batchJSON(&head, withNonce) // all but the transactions
	v.TransactionsCount = len(b.Tx)
	return batchStream{head: v, b: b}
}
