package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
)

// ---- helpers shared by this package's send-money, device and fault tests ----

const testSecretKey = "ISSecretKey_test_3f1c2b9a-58d1-4c8e-9a7e-0d6f1b2c8181"

var testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, nairobi)

type payEnv struct {
	t     testing.TB
	s     *Server
	ts    *httptest.Server
	clock *ManualClock
	hc    *http.Client
}

// newPayEnv serves a simulator on loopback with a manual clock, no random
// payout failures unless opts says otherwise, and a funded KES settlement
// wallet when float > 0.
func newPayEnv(t testing.TB, opts Options, float client.Amount) *payEnv {
	t.Helper()
	clock := NewManualClock(testStart)
	opts.Clock = clock
	if opts.FailureRate == 0 {
		opts.FailureRate = -1
	}
	if opts.Rand == 0 {
		opts.Rand = 7
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	e := &payEnv{t: t, s: s, ts: ts, clock: clock, hc: ts.Client()}
	if float > 0 {
		e.deposit(e.settlement().ID, float)
	}
	return e
}

func (e *payEnv) settlement() *wallet {
	e.s.lock()
	defer e.s.mu.Unlock()
	return e.s.settlementWallet("KES")
}

// deposit puts money on a wallet the way a cleared collection would.
func (e *payEnv) deposit(walletID string, amount client.Amount) {
	e.s.lock()
	defer e.s.mu.Unlock()
	if _, err := e.s.post(e.s.wallets[walletID], amount, "DEPOSIT", "AVAILABLE", "test float", "", e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *payEnv) addWallet(currency string, canDisburse bool) string {
	e.s.lock()
	defer e.s.mu.Unlock()
	return e.s.addWallet("test "+currency, currency, "WORKING", canDisburse, e.clock.Now()).ID
}

// balances returns a wallet's current and available balances.
func (e *payEnv) balances(walletID string) (current, available client.Amount) {
	e.s.lock()
	defer e.s.mu.Unlock()
	w := e.s.wallets[walletID]
	return w.Current, w.Available
}

// statement returns a wallet's lines as "TYPE value" strings.
func (e *payEnv) statement(walletID string) []string {
	e.s.lock()
	defer e.s.mu.Unlock()
	var out []string
	for _, t := range e.s.wallets[walletID].Tx {
		out = append(out, t.TransType+" "+t.Value.Decimal())
	}
	return out
}

// do sends a raw JSON body with the Bearer secret key.
func (e *payEnv) do(path, body string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/"+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testSecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// batchOK posts and decodes a 200 batch answer.
func (e *payEnv) batchOK(path, body string) (batchJSON, []byte) {
	e.t.Helper()
	status, raw := e.do(path, body)
	if status != http.StatusOK {
		e.t.Fatalf("POST %s: status %d, body %s", path, status, raw)
	}
	var b batchJSON
	if err := json.Unmarshal(raw, &b); err != nil {
		e.t.Fatalf("decode %s: %v", raw, err)
	}
	return b, raw
}

func (e *payEnv) status(tracking string) batchJSON {
	e.t.Helper()
	b, _ := e.batchOK("send-money/status/", fmt.Sprintf(`{"tracking_id":%q}`, tracking))
	return b
}

type errBody struct {
	Type    string `json:"type"`
	Detail  string `json:"detail"`
	Details string `json:"details"`
	Errors  []struct {
		Code   string  `json:"code"`
		Detail string  `json:"detail"`
		Attr   *string `json:"attr"`
	} `json:"errors"`
}

// wantErr checks status and that one entry has attr and code (attr "" means
// a non-field error); it returns that entry's detail.
func (e *payEnv) wantErr(status int, raw []byte, gotStatus int, attr, code string) string {
	e.t.Helper()
	var b errBody
	if err := json.Unmarshal(raw, &b); err != nil {
		e.t.Fatalf("error body %s: %v", raw, err)
	}
	if gotStatus != status {
		e.t.Fatalf("status %d, want %d; body %s", gotStatus, status, raw)
	}
	for _, it := range b.Errors {
		a := ""
		if it.Attr != nil {
			a = *it.Attr
		}
		if a == attr && it.Code == code {
			if b.Type != "validation_error" {
				e.t.Errorf("type %q, want validation_error", b.Type)
			}
			if it.Detail == "" {
				e.t.Errorf("empty detail for %s", attr)
			}
			return it.Detail
		}
	}
	e.t.Fatalf("no error {attr %q, code %q} in %s", attr, code, raw)
	return ""
}

// ---- initiate: validation ----

func b2c(items string) string {
	return `{"provider":"MPESA-B2C","currency":"KES","transactions":[` + items + `],"requires_approval":"YES"}`
}

func TestInitiateValidation(t *testing.T) {
	e := newPayEnv(t, Options{}, 0)
	usd := e.addWallet("USD", true)
	noDisburse := e.addWallet("KES", false)
	long := strings.Repeat("a", 241)
	tests := []struct {
		name, body, attr, code string
		detailHas              string
	}{
		{"provider missing", `{"currency":"KES","transactions":[{"account":"254712345678","amount":"10"}]}`, "provider", "required", "required"},
		{"provider unknown", `{"provider":"MPESA","currency":"KES","transactions":[{"account":"254712345678","amount":"10"}]}`, "provider", "invalid_choice", "MPESA-B2C"},
		{"provider lower case", `{"provider":"mpesa-b2c","currency":"KES","transactions":[{"account":"254712345678","amount":"10"}]}`, "provider", "invalid_choice", ""},
		{"currency unknown", `{"provider":"INTASEND","currency":"UGX","transactions":[{"account":"1234","amount":"10"}]}`, "currency", "invalid_choice", ""},
		{"currency missing", `{"provider":"INTASEND","transactions":[{"account":"1234","amount":"10"}]}`, "currency", "required", ""},
		{"b2c in USD", `{"provider":"MPESA-B2C","currency":"USD","transactions":[{"account":"254712345678","amount":"10"}]}`, "currency", "invalid", "KES"},
		{"transactions missing", `{"provider":"MPESA-B2C","currency":"KES"}`, "transactions", "required", ""},
		{"transactions empty", `{"provider":"MPESA-B2C","currency":"KES","transactions":[]}`, "transactions", "empty", ""},
		{"transactions not a list", `{"provider":"MPESA-B2C","currency":"KES","transactions":"x"}`, "transactions", "not_a_list", ""},
		{"item not an object", b2c(`"254712345678"`), "transactions.0", "invalid", "dictionary"},
		{"requires_approval yes", `{"provider":"MPESA-B2C","currency":"KES","requires_approval":"yes","transactions":[{"account":"254712345678","amount":"10"}]}`, "requires_approval", "invalid_choice", ""},
		{"requires_approval bool", `{"provider":"MPESA-B2C","currency":"KES","requires_approval":true,"transactions":[{"account":"254712345678","amount":"10"}]}`, "requires_approval", "invalid_choice", ""},
		{"account missing", b2c(`{"name":"Jane","amount":"10"}`), "transactions.0.account", "required", ""},
		{"account blank", b2c(`{"account":" ","amount":"10"}`), "transactions.0.account", "blank", ""},
		{"account 07", b2c(`{"account":"0712345678","amount":"10"}`), "transactions.0.account", "invalid", "254712345678"},
		{"account plus", b2c(`{"account":"+254712345678","amount":"10"}`), "transactions.0.account", "invalid", "digits and spaces"},
		{"account too long", b2c(`{"account":"2547123456781234567890123","amount":"10"}`), "transactions.0.account", "max_length", ""},
		{"account landline", b2c(`{"account":"254201234567","amount":"10"}`), "transactions.0.account", "invalid", "mobile"},
		{"account object", b2c(`{"account":{"n":1},"amount":"10"}`), "transactions.0.account", "invalid", ""},
		{"airtime 07", `{"provider":"AIRTIME","currency":"KES","transactions":[{"account":"0712345678","amount":"50"}]}`, "transactions.0.account", "invalid", "254"},
		{"b2b Paybill", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"247247","account_type":"Paybill","account_reference":"A1","amount":"100"}]}`, "transactions.0.account_type", "invalid_choice", "case-sensitive"},
		{"b2b no type", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"247247","amount":"100"}]}`, "transactions.0.account_type", "required", ""},
		{"b2b paybill no ref", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"247247","account_type":"PayBill","amount":"100"}]}`, "transactions.0.account_reference", "required", ""},
		{"b2b ref too long", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"247247","account_type":"PayBill","account_reference":"123456789012345678901","amount":"100"}]}`, "transactions.0.account_reference", "max_length", ""},
		{"b2b phone as till", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"254712345678","account_type":"TillNumber","amount":"100"}]}`, "transactions.0.account", "invalid", "till"},
		{"pesalink no bank", `{"provider":"PESALINK","currency":"KES","transactions":[{"account":"0123456789","amount":"500"}]}`, "transactions.0.bank_code", "required", ""},
		{"pesalink unknown bank", `{"provider":"PESALINK","currency":"KES","transactions":[{"account":"0123456789","bank_code":"999","amount":"500"}]}`, "transactions.0.bank_code", "invalid_choice", ""},
		{"amount missing", b2c(`{"account":"254712345678"}`), "transactions.0.amount", "required", ""},
		{"amount null", b2c(`{"account":"254712345678","amount":null}`), "transactions.0.amount", "null", ""},
		{"amount text", b2c(`{"account":"254712345678","amount":"ten"}`), "transactions.0.amount", "invalid", ""},
		{"amount 3 decimals", b2c(`{"account":"254712345678","amount":"10.005"}`), "transactions.0.amount", "invalid", ""},
		{"amount zero", `{"provider":"INTASEND","currency":"KES","transactions":[{"account":"1234","amount":0}]}`, "transactions.0.amount", "min_value", ""},
		{"amount negative", b2c(`{"account":"254712345678","amount":-50}`), "transactions.0.amount", "min_value", ""},
		{"b2c below 10", b2c(`{"account":"254712345678","amount":9.99}`), "transactions.0.amount", "min_value", "10.00"},
		{"b2c above 150k", b2c(`{"account":"254712345678","amount":"150000.01"}`), "transactions.0.amount", "max_value", "150000.00"},
		{"b2b above 250k", `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"account":"247247","account_type":"TillNumber","amount":250001}]}`, "transactions.0.amount", "max_value", ""},
		{"pesalink below 100", `{"provider":"PESALINK","currency":"KES","transactions":[{"account":"0123456789","bank_code":"2","amount":99}]}`, "transactions.0.amount", "min_value", ""},
		{"pesalink above 999999", `{"provider":"PESALINK","currency":"KES","transactions":[{"account":"0123456789","bank_code":"2","amount":1000000}]}`, "transactions.0.amount", "max_value", ""},
		{"airtime above 10k", `{"provider":"AIRTIME","currency":"KES","transactions":[{"account":"254712345678","amount":10001}]}`, "transactions.0.amount", "max_value", ""},
		{"name apostrophe", b2c(`{"name":"Jane O'Brien","account":"254712345678","amount":"10"}`), "transactions.0.name", "invalid", ""},
		{"name too long", b2c(`{"name":"` + long + `","account":"254712345678","amount":"10"}`), "transactions.0.name", "max_length", ""},
		{"narrative dot", b2c(`{"account":"254712345678","amount":"10","narrative":"Salary Nov."}`), "transactions.0.narrative", "invalid", ""},
		{"id_number too long", b2c(`{"account":"254712345678","amount":"10","id_number":"123456789012345678901"}`), "transactions.0.id_number", "max_length", ""},
		{"third item named", b2c(`{"account":"254712345678","amount":"10"},{"account":"254712345679","amount":"10"},{"account":"254712345670","amount":"10"},{"account":"254712345671","amount":"x"}`), "transactions.3.amount", "invalid", ""},
		{"wallet unknown", `{"provider":"MPESA-B2C","currency":"KES","wallet_id":"NOPE123","transactions":[{"account":"254712345678","amount":"10"}]}`, "wallet_id", "does_not_exist", ""},
		{"wallet currency", `{"provider":"INTASEND","currency":"KES","wallet_id":"` + usd + `","transactions":[{"account":"1234","amount":"10"}]}`, "wallet_id", "invalid", "USD"},
		{"wallet cannot disburse", `{"provider":"MPESA-B2C","currency":"KES","wallet_id":"` + noDisburse + `","transactions":[{"account":"254712345678","amount":"10"}]}`, "wallet_id", "invalid", "can_disburse"},
		{"no EUR settlement wallet", `{"provider":"INTASEND","currency":"EUR","transactions":[{"account":"1234","amount":"10"}]}`, "wallet_id", "required", "EUR"},
		{"callback not a url", `{"provider":"MPESA-B2C","currency":"KES","callback_url":"example.com/hook","transactions":[{"account":"254712345678","amount":"10"}]}`, "callback_url", "invalid", ""},
		{"batch_reference too long", `{"provider":"MPESA-B2C","currency":"KES","batch_reference":"` + strings.Repeat("r", 71) + `","transactions":[{"account":"254712345678","amount":"10"}]}`, "batch_reference", "max_length", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			status, raw := e.do("send-money/initiate/", tt.body)
			detail := e.wantErr(http.StatusBadRequest, raw, status, tt.attr, tt.code)
			if !strings.Contains(detail, tt.detailHas) {
				t.Errorf("detail %q does not mention %q", detail, tt.detailHas)
			}
		})
	}
	if n := e.s.Counters().Initiated; n != 0 {
		t.Errorf("Initiated = %d after only invalid requests", n)
	}
}

func TestInitiateNotJSON(t *testing.T) {
	e := newPayEnv(t, Options{}, 0)
	status, raw := e.do("send-money/initiate/", `{"provider":`)
	var b errBody
	if err := json.Unmarshal(raw, &b); err != nil || status != 400 || b.Type != "client_error" || len(b.Errors) != 1 || b.Errors[0].Code != "parse_error" {
		t.Fatalf("status %d body %s", status, raw)
	}
}

func TestInitiateNeedsBearer(t *testing.T) {
	e := newPayEnv(t, Options{}, 0)
	resp, err := e.hc.Post(e.ts.URL+"/api/v1/send-money/initiate/", "application/json", strings.NewReader(b2c(`{"account":"254712345678","amount":"10"}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b errBody
	_ = json.NewDecoder(resp.Body).Decode(&b)
	if resp.StatusCode != 401 || b.Detail != "Authentication credentials were not provided." {
		t.Fatalf("status %d detail %q", resp.StatusCode, b.Detail)
	}
}

// ---- initiate: what each official SDK sends ----

var (
	uuidRe  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	fileRe  = regexp.MustCompile(`^[A-Z0-9]{7}$`)
	nonceRe = regexp.MustCompile(`^[a-z0-9]{6}$`)
	tsRe    = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+03:00$`)
)

func TestInitiateSDKBodies(t *testing.T) {
	tests := []struct {
		name, body         string
		wantCode           string
		total, charges     client.Amount
		accounts           []string
		provider, currency string
	}{
		{
			// PY transfers.py:send_money: strings from the caller, YES, nulls.
			name:     "python mpesa",
			body:     `{"provider": "MPESA-B2C", "currency": "KES", "transactions": [{"name": "test-name", "account": "254723890353", "amount": "10", "narrative": "Reason for payment"}, {"name": "Jane Doe", "account": "254712345678", "amount": "1500.50"}], "requires_approval": "YES", "callback_url": null, "wallet_id": null}`,
			wantCode: "BP103", total: client.MustAmount("1510.50"), charges: client.Units(30),
			accounts: []string{"254723890353", "254712345678"}, provider: "MPESA-B2C", currency: "KES",
		},
		{
			// NODE passes the caller's payload through, numbers and all, with
			// public_key added to every body and no requires_approval.
			name:     "node numbers",
			body:     `{"public_key":"ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f","provider":"MPESA-B2C","currency":"KES","transactions":[{"name":"Joe","account":254723890353,"amount":10,"narrative":"Reason for payment"}]}`,
			wantCode: "BP103", total: client.Units(10), charges: client.Units(10),
			accounts: []string{"254723890353"}, provider: "MPESA-B2C", currency: "KES",
		},
		{
			// PHP Transfer::mpesa_b2b with strings.
			name:     "php b2b",
			body:     `{"provider":"MPESA-B2B","currency":"KES","transactions":[{"name":"Power","account":"888880","account_type":"PayBill","account_reference":"12345678","amount":"2500","narrative":"Bill"},{"name":"Shop","account":"5123 45","account_type":"TillNumber","amount":"60000"}],"requires_approval":"YES","callback_url":"https://example.com/hooks/intasend","wallet_id":null}`,
			wantCode: "BP103", total: client.Units(62500), charges: client.Units(60 + 200),
			accounts: []string{"888880", "512345"}, provider: "MPESA-B2B", currency: "KES",
		},
		{
			name:     "pesalink bank",
			body:     `{"provider":"PESALINK","currency":"KES","transactions":[{"name":"Acme Ltd","account":"0123456789","bank_code":"2","amount":"20000","narrative":"Invoice 42"},{"name":"B","account":1234567,"bank_code":11,"amount":100}],"requires_approval":"YES"}`,
			wantCode: "BP103", total: client.Units(20100), charges: client.Units(70 + 40),
			accounts: []string{"0123456789", "1234567"}, provider: "PESALINK", currency: "KES",
		},
		{
			name:     "airtime and intasend are free",
			body:     `{"provider":"AIRTIME","currency":"KES","transactions":[{"account":"254712345678","amount":"50","narrative":"airtime needed"}]}`,
			wantCode: "BP103", total: client.Units(50), charges: 0,
			accounts: []string{"254712345678"}, provider: "AIRTIME", currency: "KES",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newPayEnv(t, Options{}, 0)
			b, raw := e.batchOK("send-money/initiate/", tt.body)
			C := testcheck.C
			testcheck.Check(t, "status", b.StatusCode+" "+b.Status,
				C("code "+tt.wantCode, b.StatusCode == tt.wantCode), C("Preview and approve", b.Status == "Preview and approve"))
			testcheck.Check(t, "ids (file, tracking, nonce)", []string{b.FileID, b.TrackingID, b.Nonce},
				C("file id", fileRe.MatchString(b.FileID)), C("tracking uuid", uuidRe.MatchString(b.TrackingID)),
				C("nonce", nonceRe.MatchString(b.Nonce)))
			testcheck.Check(t, "total, charges, estimate", []string{b.TotalAmount.Decimal(), b.ChargeEstimate.Decimal(), b.TotalAmountEstimate.Decimal()},
				C("total", b.TotalAmount == tt.total), C("charges", b.ChargeEstimate == tt.charges),
				C("estimate", b.TotalAmountEstimate == tt.total+tt.charges))
			testcheck.Expect(t, "count, transactions", []int{b.TransactionsCount, len(b.Transactions)},
				C("count", b.TransactionsCount == len(tt.accounts)), C("transactions", len(b.Transactions) == len(tt.accounts)))
			for i, tx := range b.Transactions {
				checkInitiatedTx(t, i, tx, tt.accounts[i], tt.provider, tt.currency)
			}
			testcheck.Check(t, "wallet and created_at", fmt.Sprintf("%+v %q", b.Wallet, b.CreatedAt),
				C("settlement wallet", b.Wallet.WalletID == e.settlement().ID), C("type SETTLEMENT", b.Wallet.WalletType == "SETTLEMENT"),
				C("created_at format", tsRe.MatchString(b.CreatedAt)))
			// Amounts go out as decimal strings, as IntaSend sends them.
			testcheck.Contains(t, "initiate answer (total_amount a decimal string)", string(raw), `"total_amount":"`+tt.total.Decimal()+`"`)
			c := e.s.Counters()
			testcheck.Check(t, "Initiated", c.Initiated, C("one", c.Initiated == 1))
		})
	}
}

// checkInitiatedTx checks one transaction of an initiate answer.
func checkInitiatedTx(t *testing.T, i int, tx payTxJSON, account, provider, currency string) {
	t.Helper()
	C := testcheck.C
	testcheck.Check(t, fmt.Sprint("tx ", i), tx,
		C("account "+account, tx.Account == account), C("TP101", tx.StatusCode == "TP101"), C("Pending", tx.Status == "Pending"),
		C("reference uuid", uuidRe.MatchString(tx.RequestReferenceID)), C("provider "+provider, tx.Provider == provider),
		C("currency "+currency, tx.Currency == currency))
}

// ---- approve → status through BC100 ----

func TestPayoutLifecycle(t *testing.T) {
	float := client.Units(10_000)
	e := newPayEnv(t, Options{}, float)
	w := e.settlement().ID
	tracking := approveLifecycleBatch(t, e, w, float)
	step := DefaultTiming.BatchStep
	for _, want := range []struct{ code, text, tx string }{
		{"BP106", "Processing (FLT)", "TP101"},
		{"BP108", "Processing (FLTRSLT)", "TP101"},
		{"BP109", "Sending payment", "TP102"},
		{"BP110", "Processing payment", "TP102"},
	} {
		e.clock.Advance(step)
		st := e.status(tracking)
		testcheck.Expect(t, "step", fmt.Sprintf("%s %q tx %s", st.StatusCode, st.Status, st.Transactions[0].StatusCode),
			testcheck.C(want.code, st.StatusCode == want.code), testcheck.C(want.text, st.Status == want.text),
			testcheck.C("tx "+want.tx, st.Transactions[0].StatusCode == want.tx))
	}
	e.clock.Advance(step + DefaultTiming.TxStep)
	st := e.status(tracking)
	testcheck.Expect(t, "final", st.StatusCode+" "+st.Status,
		testcheck.C("BC100", st.StatusCode == "BC100"), testcheck.C("Completed", st.Status == "Completed"))
	checkLifecycleTransactions(t, st)
	checkLifecycleMoney(t, e, w, float, st)
	paid := client.Units(1300)
	info, found := e.s.Batch(tracking)
	testcheck.Check(t, "Batch()", info, testcheck.C("found", found), testcheck.C("BC100", info.StatusCode == "BC100"),
		testcheck.C("one approval", info.Approvals == 1),
		testcheck.C("tx codes [TS100 TF106 TS100]", fmt.Sprint(info.TxStatusCodes) == "[TS100 TF106 TS100]"),
		testcheck.C("paid 1300", info.Paid == paid))
	c := e.s.Counters()
	testcheck.Check(t, "counters", c, testcheck.C("approved once", c.Approved[tracking] == 1),
		testcheck.C("none refused", c.ApprovalsRefused == 0))
}

// approveLifecycleBatch initiates the three-payment lifecycle batch and
// approves it, checking that only the approval holds money.
func approveLifecycleBatch(t *testing.T, e *payEnv, w string, float client.Amount) string {
	t.Helper()
	body := b2c(`{"name":"Sandbox","account":"254708374149","amount":"100"},{"name":"Ghost","account":"254700000002","amount":"200"},{"name":"Jane Doe","account":"254712345678","amount":"1200"}`)
	init, raw := e.batchOK("send-money/initiate/", body)
	cur, avail := e.balances(w)
	testcheck.Expect(t, "after initiate (current, available)", []client.Amount{cur, avail},
		testcheck.C("current untouched", cur == float), testcheck.C("available untouched", avail == float))
	// Approve the way every SDK does: echo the whole initiate answer.
	appr, _ := e.batchOK("send-money/approve/", string(raw))
	need := client.Units(1500 + 10 + 10 + 20)
	testcheck.Expect(t, "after approve", fmt.Sprintf("%s %q nonce %q", appr.StatusCode, appr.Status, appr.Nonce),
		testcheck.C("BP104", appr.StatusCode == "BP104"), testcheck.C("Confirming balance", appr.Status == "Confirming balance"),
		testcheck.C("no nonce", appr.Nonce == ""))
	cur, avail = e.balances(w)
	testcheck.Expect(t, "after approve (current, available), held "+need.String(), []client.Amount{cur, avail},
		testcheck.C("current untouched", cur == float), testcheck.C("need held", avail == float-need))
	return init.TrackingID
}

// deref is *p, "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkLifecycleTransactions: the sandbox number and Jane are paid, the
// unregistered number fails, each with its description.
func checkLifecycleTransactions(t *testing.T, st batchJSON) {
	t.Helper()
	wantTx := []struct {
		code, text string
		charge     client.Amount
	}{{"TS100", "Successful", client.Units(10)}, {"TF106", "Unsuccessful", 0}, {"TS100", "Successful", client.Units(20)}}
	for i, want := range wantTx {
		tx := st.Transactions[i]
		testcheck.Check(t, fmt.Sprint("tx ", i), fmt.Sprintf("%s %q charge %s", tx.StatusCode, tx.Status, tx.Charge),
			testcheck.C(want.code, tx.StatusCode == want.code), testcheck.C(want.text, tx.Status == want.text),
			testcheck.C("charge "+want.charge.String(), tx.Charge == want.charge), testcheck.C("has a description", tx.StatusDescription != nil))
	}
	ok := st.Transactions[0]
	testcheck.Check(t, "successful tx", ok,
		testcheck.C("provider reference", regexp.MustCompile(`^[A-Z0-9]{10}$`).MatchString(deref(ok.ProviderReference))),
		testcheck.C("success description", deref(ok.StatusDescription) == "The service request is processed successfully."),
		testcheck.C("account name", deref(ok.ProviderAccountName) == " Sandbox"))
	d := deref(st.Transactions[1].StatusDescription)
	testcheck.Check(t, "failed tx description", d, testcheck.C("not registered", d == "Recipient is not registered for M-Pesa"))
}

// checkLifecycleMoney: what was paid, failed and charged, the balances and
// the statement agree.
func checkLifecycleMoney(t *testing.T, e *payEnv, w string, float client.Amount, st batchJSON) {
	t.Helper()
	paid, charges := client.Units(1300), client.Units(30)
	testcheck.Check(t, "paid, failed, charges", []client.Amount{st.PaidAmount, st.FailedAmount, st.ActualCharges},
		testcheck.C("paid", st.PaidAmount == paid), testcheck.C("failed", st.FailedAmount == client.Units(200)),
		testcheck.C("charges", st.ActualCharges == charges))
	cur, avail := e.balances(w)
	want := float - paid - charges
	testcheck.Check(t, "final balances, want "+want.String(), []client.Amount{cur, avail},
		testcheck.C("current", cur == want), testcheck.C("available", avail == want))
	testcheck.Check(t, "status wallet", st.Wallet,
		testcheck.C("current", st.Wallet.CurrentBalance == cur), testcheck.C("available", st.Wallet.AvailableBalance == avail))
	wantLines := []string{"DEPOSIT 10000.00", "PAYOUT -100.00", "CHARGE -10.00", "PAYOUT -1200.00", "CHARGE -20.00"}
	got := e.statement(w)
	testcheck.Check(t, "statement", got, testcheck.C(fmt.Sprint(wantLines), fmt.Sprint(got) == fmt.Sprint(wantLines)))
}

func TestPayoutRails(t *testing.T) {
	tests := []struct {
		provider, item, transType string
		amount, charge            client.Amount
	}{
		{"MPESA-B2B", `{"account":"247247","account_type":"PayBill","account_reference":"ACC1","amount":"5000"}`, "PAYOUT", client.Units(5000), client.Units(60)},
		{"PESALINK", `{"account":"0123456789","bank_code":"68","amount":"150000"}`, "PAYOUT", client.Units(150000), client.Units(100)},
		{"INTASEND", `{"account":"254712345678","amount":"0.50"}`, "PAYOUT", client.Cents(50), 0},
		{"AIRTIME", `{"account":"254712345678","amount":"100"}`, "AIRTIME", client.Units(100), 0},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			float := client.Units(200_000)
			e := newPayEnv(t, Options{}, float)
			body := fmt.Sprintf(`{"provider":%q,"currency":"KES","requires_approval":"NO","transactions":[%s]}`, tt.provider, tt.item)
			b, _ := e.batchOK("send-money/initiate/", body)
			e.clock.Advance(10 * DefaultTiming.BatchStep)
			st := e.status(b.TrackingID)
			if st.StatusCode != "BC100" || st.Transactions[0].StatusCode != "TS100" || st.ActualCharges != tt.charge {
				t.Fatalf("%s tx %s charges %s", st.StatusCode, st.Transactions[0].StatusCode, st.ActualCharges)
			}
			lines := e.statement(e.settlement().ID)
			if lines[1] != tt.transType+" -"+tt.amount.Decimal() {
				t.Errorf("statement %v", lines)
			}
			if cur, _ := e.balances(e.settlement().ID); cur != float-tt.amount-tt.charge {
				t.Errorf("balance %s", cur)
			}
		})
	}
}

func TestPayoutFromWorkingWallet(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	usd := e.addWallet("USD", true)
	e.deposit(usd, client.Units(50))
	b, _ := e.batchOK("send-money/initiate/", `{"provider":"INTASEND","currency":"USD","wallet_id":"`+usd+`","requires_approval":"NO","transactions":[{"account":"254712345678","amount":20}]}`)
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	if st := e.status(b.TrackingID); st.StatusCode != "BC100" || st.Wallet.WalletID != usd || st.Wallet.Currency != "USD" {
		t.Fatalf("%s wallet %+v", st.StatusCode, st.Wallet)
	}
	if cur, _ := e.balances(usd); cur != client.Units(30) {
		t.Errorf("USD wallet %s", cur)
	}
	if cur, _ := e.balances(e.settlement().ID); cur != client.Units(1000) {
		t.Errorf("settlement wallet moved: %s", cur)
	}
}

func TestPayoutRandomFailures(t *testing.T) {
	e := newPayEnv(t, Options{FailureRate: 0.5, Rand: 42}, client.Units(100_000))
	items := make([]string, 200)
	for i := range items {
		items[i] = fmt.Sprintf(`{"account":"2547%08d","amount":"100"}`, 10_000_000+i)
	}
	items[0] = `{"account":"254708374149","amount":"100"}`
	b, _ := e.batchOK("send-money/initiate/", strings.Replace(b2c(strings.Join(items, ",")), `"YES"`, `"NO"`, 1))
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	st := e.status(b.TrackingID)
	failed := 0
	for _, tx := range st.Transactions {
		if tx.StatusCode == "TF106" {
			failed++
		}
	}
	if st.Transactions[0].StatusCode != "TS100" || failed < 60 || failed > 140 {
		t.Fatalf("sandbox number %s, %d of 200 failed at rate 0.5", st.Transactions[0].StatusCode, failed)
	}
	if st.FailedAmount != client.Units(int64(failed)*100) || st.PaidAmount != client.Units(int64(200-failed)*100) {
		t.Errorf("paid %s failed %s", st.PaidAmount, st.FailedAmount)
	}
	cur, avail := e.balances(e.settlement().ID)
	if want := client.Units(100_000) - st.PaidAmount - st.ActualCharges; cur != want || avail != want {
		t.Errorf("balances %s / %s want %s", cur, avail, want)
	}
}

// ---- approval rules ----

func TestApproveRules(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	b, raw := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"100"}`))
	wrongNonce := strings.Replace(string(raw), `"nonce":"`+b.Nonce+`"`, `"nonce":"zzzzzz"`, 1)
	status, body := e.do("send-money/approve/", wrongNonce)
	e.wantErr(400, body, status, "nonce", "invalid")
	status, body = e.do("send-money/approve/", `{"nonce":"abc"}`)
	e.wantErr(400, body, status, "tracking_id", "required")
	status, body = e.do("send-money/approve/", `{"tracking_id":"`+b.TrackingID+`"}`)
	e.wantErr(400, body, status, "nonce", "required")
	status, body = e.do("send-money/approve/", `{"tracking_id":"00000000-0000-4000-8000-000000000000","nonce":"abcdef"}`)
	if status != 404 || !bytes.Contains(body, []byte(`"detail":"Not found."`)) {
		t.Fatalf("unknown tracking: %d %s", status, body)
	}
	// Community code sends only {tracking_id, nonce}.
	ok, _ := e.batchOK("send-money/approve/", fmt.Sprintf(`{"tracking_id":%q,"nonce":%q}`, b.TrackingID, b.Nonce))
	if ok.StatusCode != "BP104" {
		t.Fatalf("approve: %s", ok.StatusCode)
	}
	// A batch approves once: the echoed answer again is refused and counted.
	status, body = e.do("send-money/approve/", string(raw))
	if d := e.wantErr(400, body, status, "", "already_approved"); d != "Batch already approved" {
		t.Errorf("detail %q", d)
	}
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	status, body = e.do("send-money/approve/", string(raw))
	e.wantErr(400, body, status, "", "already_approved")
	c := e.s.Counters()
	if c.Approved[b.TrackingID] != 1 || c.ApprovalsRefused != 6 || c.RefusedByTracking[b.TrackingID] != 4 {
		t.Errorf("counters: approved %v refused %d by tracking %v", c.Approved, c.ApprovalsRefused, c.RefusedByTracking)
	}
	if cur, _ := e.balances(e.settlement().ID); cur != client.Units(1000-100-10) {
		t.Errorf("paid more than once: balance %s", cur)
	}
}

func TestApproveNotRequired(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	b, raw := e.batchOK("send-money/initiate/", strings.Replace(b2c(`{"account":"254712345678","amount":"100"}`), "YES", "NO", 1))
	if b.StatusCode != "BP104" || b.Status != "Confirming balance" {
		t.Fatalf("requires_approval NO starts at once: %s", b.StatusCode)
	}
	if _, avail := e.balances(e.settlement().ID); avail != client.Units(890) {
		t.Errorf("not held: %s", avail)
	}
	status, body := e.do("send-money/approve/", string(raw))
	e.wantErr(400, body, status, "", "approval_not_required")
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	if st := e.status(b.TrackingID); st.StatusCode != "BC100" || st.PaidAmount != client.Units(100) {
		t.Errorf("final %s paid %s", st.StatusCode, st.PaidAmount)
	}
	if c := e.s.Counters(); len(c.Approved) != 0 || c.ApprovalsRefused != 1 || c.Initiated != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestInsufficientFloat(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(105))
	w := e.settlement().ID
	// 100 + 10 charge > 105: the float check fails and nothing moves.
	b, raw := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"100"}`))
	appr, _ := e.batchOK("send-money/approve/", string(raw))
	if appr.StatusCode != "BP104" {
		t.Fatalf("approve: %s", appr.StatusCode)
	}
	e.clock.Advance(DefaultTiming.BatchStep)
	st := e.status(b.TrackingID)
	if st.StatusCode != "BF105" || st.Status != "Failed Processing" || st.Transactions[0].StatusCode != "TF103" ||
		st.Transactions[0].StatusDescription == nil || !strings.Contains(*st.Transactions[0].StatusDescription, "Insufficient float") {
		t.Fatalf("%s %q %+v", st.StatusCode, st.Status, st.Transactions[0])
	}
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	if st := e.status(b.TrackingID); st.StatusCode != "BF105" || st.PaidAmount != 0 {
		t.Fatalf("later: %s paid %s", st.StatusCode, st.PaidAmount)
	}
	if cur, avail := e.balances(w); cur != client.Units(105) || avail != client.Units(105) {
		t.Errorf("money moved: %s / %s", cur, avail)
	}
	if got := e.statement(w); len(got) != 1 {
		t.Errorf("statement %v", got)
	}
	status, body := e.do("send-money/approve/", string(raw))
	e.wantErr(400, body, status, "", "already_approved")
}

// A second batch cannot spend float the first one holds.
func TestFloatHeldAcrossBatches(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(200))
	_, raw1 := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"150"}`))
	b2, raw2 := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345679","amount":"150"}`))
	e.batchOK("send-money/approve/", string(raw1))
	e.batchOK("send-money/approve/", string(raw2))
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	if st := e.status(b2.TrackingID); st.StatusCode != "BF105" {
		t.Errorf("second batch %s", st.StatusCode)
	}
	if cur, _ := e.balances(e.settlement().ID); cur != client.Units(200-160) {
		t.Errorf("balance %s", cur)
	}
}

func TestCancel(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	b, raw := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"100"},{"account":"254712345679","amount":"100"}`))
	st, _ := e.batchOK("send-money/cancel/", fmt.Sprintf(`{"file_id":%q}`, b.FileID))
	if st.StatusCode != "BE111" || st.Status != "Cancelled" || st.Transactions[1].StatusCode != "TC108" || st.Transactions[1].Status != "Cancelled" {
		t.Fatalf("cancel: %s %q %s", st.StatusCode, st.Status, st.Transactions[1].StatusCode)
	}
	status, body := e.do("send-money/approve/", string(raw))
	e.wantErr(400, body, status, "", "batch_cancelled")
	status, body = e.do("send-money/cancel/", fmt.Sprintf(`{"tracking_id":%q}`, b.TrackingID))
	e.wantErr(400, body, status, "", "not_cancellable")

	b2, raw2 := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"100"}`))
	e.batchOK("send-money/approve/", string(raw2))
	status, body = e.do("send-money/cancel/", fmt.Sprintf(`{"file_id":%q}`, b2.FileID))
	if d := e.wantErr(400, body, status, "", "not_cancellable"); !strings.Contains(d, "BP104") {
		t.Errorf("detail %q", d)
	}
	status, body = e.do("send-money/cancel/", `{"file_id":"NOPE000"}`)
	if status != 404 {
		t.Errorf("unknown file: %d %s", status, body)
	}
	status, body = e.do("send-money/cancel/", `{}`)
	e.wantErr(400, body, status, "file_id", "required")
	if c := e.s.Counters(); c.Cancelled != 1 {
		t.Errorf("Cancelled = %d", c.Cancelled)
	}
	if cur, avail := e.balances(e.settlement().ID); cur != client.Units(1000) || avail != client.Units(890) {
		t.Errorf("balances %s / %s", cur, avail)
	}
}

func TestPayoutStatusRequests(t *testing.T) {
	e := newPayEnv(t, Options{}, 0)
	b, _ := e.batchOK("send-money/initiate/", b2c(`{"account":"254712345678","amount":"100"}`))
	// GB documented tracking_id as a query parameter.
	st, _ := e.batchOK("send-money/status/?tracking_id="+b.TrackingID, ``)
	if st.TrackingID != b.TrackingID || st.Nonce != b.Nonce {
		t.Errorf("query status: %+v", st)
	}
	// The slash-less path is served too.
	st, _ = e.batchOK("send-money/status", fmt.Sprintf(`{"tracking_id":%q}`, b.TrackingID))
	if st.FileID != b.FileID {
		t.Errorf("slash-less: %+v", st)
	}
	status, body := e.do("send-money/status/", `{}`)
	e.wantErr(400, body, status, "tracking_id", "required")
	status, body = e.do("send-money/status/", `{"tracking_id":"nope"}`)
	if status != 404 {
		t.Errorf("unknown: %d %s", status, body)
	}
	if _, ok := e.s.Batch("nope"); ok {
		t.Error("Batch(nope) found")
	}
}

// ---- the 5,000 ceiling ----

func bigBatch(n int, requiresApproval string) string {
	var sb strings.Builder
	sb.WriteString(`{"provider":"MPESA-B2C","currency":"KES","requires_approval":"` + requiresApproval + `","transactions":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"name":"Worker %d","account":"2547%08d","amount":"%d","narrative":"Wages"}`, i, 10_000_000+i, 10+i%500)
	}
	sb.WriteString(`]}`)
	return sb.String()
}

func TestBatchCeiling(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(10_000_000))
	status, body := e.do("send-money/initiate/", bigBatch(MaxBatchTransactions+1, "YES"))
	if d := e.wantErr(400, body, status, "transactions", "max_length"); !strings.Contains(d, "5000") {
		t.Errorf("detail %q", d)
	}
	b, raw := e.batchOK("send-money/initiate/", bigBatch(MaxBatchTransactions, "YES"))
	if b.TransactionsCount != MaxBatchTransactions {
		t.Fatalf("count %d", b.TransactionsCount)
	}
	e.batchOK("send-money/approve/", string(raw))
	// The whole batch finishes within 8 batch steps of sim time.
	e.clock.Advance(8 * DefaultTiming.BatchStep)
	st := e.status(b.TrackingID)
	if st.StatusCode != "BC100" || st.PaidAmount != b.TotalAmount || st.ActualCharges != b.ChargeEstimate {
		t.Fatalf("%s paid %s of %s", st.StatusCode, st.PaidAmount, b.TotalAmount)
	}
	for i, tx := range st.Transactions {
		if tx.StatusCode != "TS100" {
			t.Fatalf("tx %d: %s", i, tx.StatusCode)
		}
	}
	if cur, _ := e.balances(e.settlement().ID); cur != client.Units(10_000_000)-b.TotalAmountEstimate {
		t.Errorf("balance %s", cur)
	}
}

func BenchmarkInitiate5000(b *testing.B) {
	e := newPayEnv(b, Options{}, 0)
	body := bigBatch(MaxBatchTransactions, "YES")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		if status, raw := e.do("send-money/initiate/", body); status != 200 {
			b.Fatalf("%d %.200s", status, raw)
		}
	}
}

// Magic accounts decide the outcome whatever the failure rate.
func TestMagicAccounts(t *testing.T) {
	e := newPayEnv(t, Options{FailureRate: 1}, client.Units(10_000))
	b, _ := e.batchOK("send-money/initiate/", strings.Replace(b2c(`{"account":"254708374149","amount":"10"},`+
		`{"account":"254700000001","amount":"10"},{"account":"254700000002","amount":"10"},`+
		`{"account":"254700000003","amount":"10"},{"account":"254700000004","amount":"10"},{"account":"254712345678","amount":"10"}`), "YES", "NO", 1))
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	st := e.status(b.TrackingID)
	want := []string{"", "The receiver account is invalid", "Recipient is not registered for M-Pesa", "Account frozen",
		"The recipient's M-Pesa account has reached its maximum balance", "*"}
	for i, tx := range st.Transactions {
		switch {
		case want[i] == "" && tx.StatusCode != "TS100":
			t.Errorf("tx %d (%s): %s, want success", i, tx.Account, tx.StatusCode)
		case want[i] == "*" && tx.StatusCode != "TF106": // FailureRate 1
			t.Errorf("tx %d (%s): %s, want failure", i, tx.Account, tx.StatusCode)
		case want[i] != "" && want[i] != "*" && (tx.StatusCode != "TF106" || *tx.StatusDescription != want[i]):
			t.Errorf("tx %d (%s): %s %q, want %q", i, tx.Account, tx.StatusCode, *tx.StatusDescription, want[i])
		}
	}
}
