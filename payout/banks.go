package payout

import (
	"sort"
	"strconv"
	"sync"

	"github.com/malipo/malipo/client"
)

// BankSet answers which PesaLink bank codes are valid. Build one from
// client.BankCodes with NewBankSet, or use DefaultBanks offline.
type BankSet interface {
	Known(code string) bool
	Name(code string) string
}

// Banks is a BankSet over a fixed list.
type Banks struct {
	list   []client.Bank
	byCode map[string]string
}

// NewBankSet indexes a bank list (as client.BankCodes returns it).
func NewBankSet(list []client.Bank) *Banks {
	b := &Banks{list: append([]client.Bank(nil), list...), byCode: make(map[string]string, len(list))}
	for _, x := range list {
		b.byCode[x.Code] = x.Name
	}
	return b
}

// Known reports whether code is on the list.
func (b *Banks) Known(code string) bool { _, ok := b.byCode[code]; return ok }

// Name is the bank's name, or "" for an unknown code.
func (b *Banks) Name(code string) string { return b.byCode[code] }

// List returns the banks sorted by numeric code.
func (b *Banks) List() []client.Bank {
	out := append([]client.Bank(nil), b.list...)
	sort.SliceStable(out, func(i, j int) bool {
		x, _ := strconv.Atoi(out[i].Code)
		y, _ := strconv.Atoi(out[j].Code)
		return x < y
	})
	return out
}

// DefaultBanks is the built-in list used when IntaSend's cannot be fetched:
// the OpenAPI schema's bank_code enum (docs/intasend-api.md §2.5) with the names
// IntaSend's bank-codes endpoint gives them (the simulator serves the same
// list; a test keeps the two in step).
// It is built once and never changes, so it is shared.
func DefaultBanks() *Banks { return defaultBanks() }

var defaultBanks = sync.OnceValue(func() *Banks { return NewBankSet(builtinBanks) })

var builtinBanks = []client.Bank{
	{Name: "KCB", Code: "1"},
	{Name: "Standard Charted Bank KE", Code: "2"},
	{Name: "Barclays Bank", Code: "3"},
	{Name: "NCBA", Code: "7"},
	{Name: "Prime Bank", Code: "10"},
	{Name: "Cooperative Bank", Code: "11"},
	{Name: "National Bank", Code: "12"},
	{Name: "M-Oriental Bank", Code: "14"},
	{Name: "Citibank", Code: "16"},
	{Name: "Habib Bank AG Zurich", Code: "17"},
	{Name: "Middle East Bank", Code: "18"},
	{Name: "Bank of Africa", Code: "19"},
	{Name: "Consolidated Bank", Code: "23"},
	{Name: "Credit Bank Ltd", Code: "25"},
	{Name: "Stanbic Bank", Code: "31"},
	{Name: "ABC Bank", Code: "35"},
	{Name: "Ecobank", Code: "43"},
	{Name: "Spire Bank", Code: "49"},
	{Name: "Paramount Universal Bank", Code: "50"},
	{Name: "Jamii Bora Bank", Code: "51"},
	{Name: "Guaranty Bank", Code: "53"},
	{Name: "Victoria Commercial Bank", Code: "54"},
	{Name: "Guardian Bank", Code: "55"},
	{Name: "I&M Bank", Code: "57"},
	{Name: "DTB", Code: "63"},
	{Name: "Sidian Bank", Code: "66"},
	{Name: "Equity Bank", Code: "68"},
	{Name: "Family Bank", Code: "70"},
	{Name: "Gulf African Bank", Code: "72"},
	{Name: "First Community Bank", Code: "74"},
	{Name: "UBA Kenya Bank", Code: "76"},
	{Name: "KWFT Bank", Code: "78"},
	{Name: "Housing Finance Company Limited (HFCK)", Code: "61"},
	{Name: "Mayfair Bank Limited", Code: "65"},
	{Name: "Stima Sacco", Code: "89"},
	{Name: "Safaricom M-Pesa", Code: "97"},
}
