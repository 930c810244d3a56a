package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/malipo/malipo/client"
)

// Validation of send-money/initiate/ (docs/intasend-api.md §2.4, OAS
// SendMoneyInitiateCreate). Messages and codes follow DRF's wording
// ("This field is required.", "\"X\" is not a valid choice.") in the
// drf-standardized-errors shape; details add what a person needs to fix it.

var (
	payTextRe    = regexp.MustCompile(`^[a-zA-Z0-9-_ ]+$`) // name, narrative
	payAccountRe = regexp.MustCompile(`^[\s\d]+$`)
	payMobileRe  = regexp.MustCompile(`^254[17]\d{8}$`)
	payShortRe   = regexp.MustCompile(`^\d{4,8}$`) // PayBill / till numbers
)

var (
	payProviders  = []string{"MPESA-B2C", "MPESA-B2B", "PESALINK", "INTASEND", "AIRTIME"}
	payCurrencies = []string{"KES", "USD", "EUR", "GBP"}
	// payKESOnly rails pay out in shillings only.
	payKESOnly = map[string]bool{"MPESA-B2C": true, "MPESA-B2B": true, "PESALINK": true, "AIRTIME": true}
	// oasBankCodes is the OAS bank_code enum, used only if the bank list is empty.
	oasBankCodes = []string{"1", "2", "3", "7", "10", "11", "12", "14", "16", "17", "18", "19", "23", "25", "31", "35",
		"43", "49", "50", "51", "53", "54", "55", "57", "63", "66", "68", "70", "72", "74", "76", "78", "61", "65", "89", "97"}
)

// initiateReq is a validated initiate body.
type initiateReq struct {
	provider, currency                    string
	requiresApproval                      bool
	callbackURL, batchReference, deviceID string
	wallet                                *wallet
	tx                                    []*payTx
}

// validateInitiate checks the body and returns every problem at once, as
// DRF does. Call with s.mu held (it looks up wallets and banks).
func (s *Server) validateInitiate(top map[string]json.RawMessage) (*initiateReq, []ErrorItem) {
	var errs []ErrorItem
	req := &initiateReq{requiresApproval: true}
	req.provider = choiceField(top, "provider", payProviders, true, &errs)
	req.currency = choiceField(top, "currency", payCurrencies, true, &errs)
	if ra := choiceField(top, "requires_approval", []string{"YES", "NO"}, false, &errs); ra == "NO" {
		req.requiresApproval = false
	}
	req.deviceID = flexField(top, "device_id", "device_id", false, &errs)
	req.batchReference = flexField(top, "batch_reference", "batch_reference", false, &errs)
	maxLen(&errs, "batch_reference", req.batchReference, 70)
	req.callbackURL = flexField(top, "callback_url", "callback_url", false, &errs)
	if u := req.callbackURL; u != "" {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			errs = append(errs, fieldErr("callback_url", "invalid", "Enter a valid URL."))
		}
		maxLen(&errs, "callback_url", u, 400)
	}
	if req.provider != "" && req.currency != "" && payKESOnly[req.provider] && req.currency != "KES" {
		errs = append(errs, fieldErr("currency", "invalid",
			fmt.Sprintf("%s payouts are sent in KES; use INTASEND to pay out %s.", req.provider, req.currency)))
	}
	items := listField(top, "transactions", &errs)
	for i, raw := range items {
		if t := s.validateItem(req.provider, fmt.Sprintf("transactions.%d", i), raw, &errs); t != nil {
			req.tx = append(req.tx, t)
		}
	}
	walletID := flexField(top, "wallet_id", "wallet_id", false, &errs)
	if len(errs) == 0 {
		req.wallet = s.payoutWallet(walletID, req.currency, &errs)
	}
	return req, errs
}

// payoutWallet resolves wallet_id (default: the settlement wallet for the
// currency) and checks that it can pay out in that currency.
func (s *Server) payoutWallet(id, currency string, errs *[]ErrorItem) *wallet {
	var w *wallet
	if id == "" {
		if w = s.settlementWallet(currency); w == nil {
			*errs = append(*errs, fieldErr("wallet_id", "required",
				fmt.Sprintf("There is no %s settlement wallet; pass the wallet_id of a %s wallet.", currency, currency)))
			return nil
		}
	} else if w = s.wallets[id]; w == nil {
		*errs = append(*errs, fieldErr("wallet_id", "does_not_exist", fmt.Sprintf("Wallet %q does not exist.", id)))
		return nil
	}
	switch {
	case w.Currency != currency:
		*errs = append(*errs, fieldErr("wallet_id", "invalid",
			fmt.Sprintf("Wallet %s holds %s; this batch is in %s.", w.ID, w.Currency, currency)))
	case !w.CanDisburse:
		*errs = append(*errs, fieldErr("wallet_id", "invalid",
			fmt.Sprintf("Wallet %s cannot send money (can_disburse is false).", w.ID)))
	default:
		return w
	}
	return nil
}

// validateItem checks one transaction; attr names it ("transactions.3").
func (s *Server) validateItem(provider, attr string, raw json.RawMessage, errs *[]ErrorItem) *payTx {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		*errs = append(*errs, fieldErr(attr, "invalid",
			fmt.Sprintf("Expected a dictionary of items but got type %q.", jsonKind(raw))))
		return nil
	}
	before := len(*errs)
	a := func(f string) string { return attr + "." + f }
	t := &payTx{
		Name:             flexField(m, "name", a("name"), false, errs),
		IDNumber:         flexField(m, "id_number", a("id_number"), false, errs),
		BankCode:         flexField(m, "bank_code", a("bank_code"), false, errs),
		AccountType:      flexField(m, "account_type", a("account_type"), false, errs),
		AccountReference: flexField(m, "account_reference", a("account_reference"), false, errs),
		Narrative:        flexField(m, "narrative", a("narrative"), false, errs),
	}
	textField(errs, a("name"), t.Name, 240)
	textField(errs, a("narrative"), t.Narrative, 240)
	maxLen(errs, a("id_number"), t.IDNumber, 20)
	maxLen(errs, a("account_reference"), t.AccountReference, 20)
	if t.AccountType != "" && t.AccountType != "PayBill" && t.AccountType != "TillNumber" {
		*errs = append(*errs, fieldErr(a("account_type"), "invalid_choice",
			fmt.Sprintf("%q is not a valid choice. Use PayBill or TillNumber (case-sensitive).", t.AccountType)))
	}
	t.Account = s.validateAccount(provider, a("account"), m, errs)
	t.Amount = validateAmount(provider, a("amount"), m, errs)
	switch provider {
	case "MPESA-B2B":
		if t.AccountType == "" {
			*errs = append(*errs, fieldErr(a("account_type"), "required",
				"This field is required. MPESA-B2B needs PayBill or TillNumber."))
		}
		if t.AccountType == "PayBill" && t.AccountReference == "" {
			*errs = append(*errs, fieldErr(a("account_reference"), "required",
				"This field is required. A PayBill payment needs the account number at the business."))
		}
	case "PESALINK":
		switch {
		case t.BankCode == "":
			*errs = append(*errs, fieldErr(a("bank_code"), "required",
				"This field is required. PESALINK needs the bank_code from send-money/bank-codes/ke/."))
		case !s.knownBank(t.BankCode):
			*errs = append(*errs, fieldErr(a("bank_code"), "invalid_choice",
				fmt.Sprintf("%q is not a valid choice. See send-money/bank-codes/ke/ for the bank codes.", t.BankCode)))
		}
	}
	if len(*errs) > before {
		return nil
	}
	return t
}

// validateAccount checks the account for its rail and returns it without
// spaces.
func (s *Server) validateAccount(provider, attr string, m map[string]json.RawMessage, errs *[]ErrorItem) string {
	acct := flexField(m, "account", attr, true, errs)
	if acct == "" {
		return ""
	}
	switch {
	case len(acct) > 24:
		*errs = append(*errs, fieldErr(attr, "max_length", "Ensure this field has no more than 24 characters."))
		return ""
	case !payAccountRe.MatchString(acct):
		*errs = append(*errs, fieldErr(attr, "invalid",
			fmt.Sprintf("Enter a valid value: an account has only digits and spaces, got %q.", acct)))
		return ""
	}
	acct = strings.Join(strings.Fields(acct), "")
	switch provider {
	case "MPESA-B2C", "AIRTIME":
		if payMobileRe.MatchString(acct) {
			return acct
		}
		detail := ""
		if p, err := client.ParsePhone(acct); err == nil {
			detail = fmt.Sprintf("Write the phone number as %s: 254 and 9 digits, no leading 0 or '+'.", p)
		} else {
			detail = "Enter a Kenyan mobile number as 2547XXXXXXXX or 2541XXXXXXXX: " + strings.TrimPrefix(err.Error(), client.ErrPhone.Error()+" ")
		}
		*errs = append(*errs, fieldErr(attr, "invalid", detail))
		return ""
	case "MPESA-B2B":
		if !payShortRe.MatchString(acct) {
			*errs = append(*errs, fieldErr(attr, "invalid",
				fmt.Sprintf("Enter a PayBill or till number (4 to 8 digits), got %q.", acct)))
			return ""
		}
	}
	return acct
}

// validateAmount reads amount (a JSON number or decimal string) and checks
// the rail's per-transaction limits.
func validateAmount(provider, attr string, m map[string]json.RawMessage, errs *[]ErrorItem) client.Amount {
	raw, ok := m["amount"]
	if !ok {
		*errs = append(*errs, fieldErr(attr, "required", "This field is required."))
		return 0
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		*errs = append(*errs, fieldErr(attr, "null", "This field may not be null."))
		return 0
	}
	var v client.Amount
	if err := v.UnmarshalJSON(raw); err != nil || (len(raw) > 0 && raw[0] != '"' && !isJSONNumber(raw)) {
		*errs = append(*errs, fieldErr(attr, "invalid", "A valid number is required."))
		return 0
	}
	lim, known := payoutLimits[provider]
	if !known {
		lim = payLimit{Min: client.Cents(1)}
	}
	switch {
	case v <= 0:
		*errs = append(*errs, fieldErr(attr, "min_value", "Ensure this value is greater than 0."))
	case v < lim.Min:
		*errs = append(*errs, fieldErr(attr, "min_value",
			fmt.Sprintf("Ensure this value is greater than or equal to %s (the %s minimum).", lim.Min.Decimal(), provider)))
	case lim.Max > 0 && v > lim.Max:
		*errs = append(*errs, fieldErr(attr, "max_value",
			fmt.Sprintf("Ensure this value is less than or equal to %s (the %s maximum per transaction).", lim.Max.Decimal(), provider)))
	default:
		return v
	}
	return 0
}

func (s *Server) knownBank(code string) bool {
	if len(s.banks) == 0 {
		return slices.Contains(oasBankCodes, code)
	}
	for _, b := range s.banks {
		if b.Code == code {
			return true
		}
	}
	return false
}

// ---- field helpers ----

func fieldErr(attr, code, detail string) ErrorItem {
	return ErrorItem{Code: code, Detail: detail, Attr: strPtr(attr)}
}

// flexField reads a string field that SDKs may send as a string, a number
// or null; absent and null read as "". Objects, arrays and booleans are
// refused.
func flexField(m map[string]json.RawMessage, key, attr string, required bool, errs *[]ErrorItem) string {
	raw, ok := m[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if required {
			*errs = append(*errs, fieldErr(attr, "required", "This field is required."))
		}
		return ""
	}
	var v client.FlexString
	if plain, ok := plainRaw(raw); ok { // a plain string: no nested decode
		v = client.FlexString(plain)
	} else if err := json.Unmarshal(raw, &v); err != nil || (len(raw) > 0 && raw[0] != '"' && !isJSONNumber(raw)) {
		*errs = append(*errs, fieldErr(attr, "invalid", "Not a valid string."))
		return ""
	}
	str := strings.TrimSpace(string(v))
	if str == "" && required {
		*errs = append(*errs, fieldErr(attr, "blank", "This field may not be blank."))
	}
	return str
}

// plainRaw is the value of raw when it is a JSON string of printable
// ASCII without escapes, which is what decoding it would give.
func plainRaw(raw []byte) (string, bool) {
	s, end, ok := plainString(raw, 0)
	if !ok || end != len(raw) {
		return "", false
	}
	return string(s[1 : len(s)-1]), true
}

// choiceField reads an enum; DRF compares the text exactly, so "Yes" or a
// JSON true are not valid choices.
func choiceField(m map[string]json.RawMessage, key string, choices []string, required bool, errs *[]ErrorItem) string {
	raw, ok := m[key]
	if ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) && len(raw) > 0 && raw[0] != '"' {
		*errs = append(*errs, fieldErr(key, "invalid_choice", fmt.Sprintf("%q is not a valid choice.", string(raw))))
		return ""
	}
	v := flexField(m, key, key, required, errs)
	if v == "" {
		return ""
	}
	if !slices.Contains(choices, v) {
		*errs = append(*errs, fieldErr(key, "invalid_choice",
			fmt.Sprintf("%q is not a valid choice. Choose one of %s.", v, strings.Join(choices, ", "))))
		return ""
	}
	return v
}

// listField reads the transactions list: required, 1..MaxBatchTransactions.
func listField(m map[string]json.RawMessage, key string, errs *[]ErrorItem) []json.RawMessage {
	raw, ok := m[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		*errs = append(*errs, fieldErr(key, "required", "This field is required."))
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		*errs = append(*errs, fieldErr(key, "not_a_list",
			fmt.Sprintf("Expected a list of items but got type %q.", jsonKind(raw))))
		return nil
	}
	switch {
	case len(items) == 0:
		*errs = append(*errs, fieldErr(key, "empty", "This list may not be empty."))
		return nil
	case len(items) > MaxBatchTransactions:
		*errs = append(*errs, fieldErr(key, "max_length", fmt.Sprintf(
			"Ensure this field has no more than %d elements (got %d); split the batch.", MaxBatchTransactions, len(items))))
		return nil
	}
	return items
}

func maxLen(errs *[]ErrorItem, attr, v string, n int) {
	if len([]rune(v)) > n {
		*errs = append(*errs, fieldErr(attr, "max_length", "Ensure this field has no more than "+strconv.Itoa(n)+" characters."))
	}
}

// textField applies OAS's name/narrative rule: ≤n of letters, digits, '-',
// '_' and spaces.
func textField(errs *[]ErrorItem, attr, v string, n int) {
	if v == "" {
		return
	}
	if len([]rune(v)) > n {
		maxLen(errs, attr, v, n)
		return
	}
	if !payTextRe.MatchString(v) {
		*errs = append(*errs, fieldErr(attr, "invalid",
			fmt.Sprintf("Enter a valid value: only letters, digits, '-', '_' and spaces, got %q.", v)))
	}
}

func isJSONNumber(raw json.RawMessage) bool {
	var n json.Number
	return json.Unmarshal(raw, &n) == nil
}

// jsonKind names a JSON value's type the way DRF's messages do.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "NoneType"
	}
	switch b[0] {
	case '"':
		return "str"
	case '[':
		return "list"
	case '{':
		return "dict"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	return "int"
}
