package sim

// Bank codes (docs/intasend-api.md §2.5): GET send-money/bank-codes/ke/, no Bearer.
//
// Names are IntaSend's own, as its Flutter SDK (IntaSend/intasend_flutter)
// lists them, typos and old names included ("Standard Charted Bank KE",
// "Barclays Bank", "Jamii Bora Bank"): an SDK user compares against those.
// Codes in the OAS bank_code enum that list lacks (14, 43, 76, 89, 97) carry
// the Kenyan bank clearing names; 89 and 97 are unverified.

import "net/http"

type bank struct {
	Name string `json:"bank_name"`
	Code string `json:"bank_code"`
}

func defaultBanks() []bank {
	return []bank{
		{"KCB", "1"},
		{"Standard Charted Bank KE", "2"},
		{"Barclays Bank", "3"},
		{"NCBA", "7"},
		{"Prime Bank", "10"},
		{"Cooperative Bank", "11"},
		{"National Bank", "12"},
		{"M-Oriental Bank", "14"},
		{"Citibank", "16"},
		{"Habib Bank AG Zurich", "17"},
		{"Middle East Bank", "18"},
		{"Bank of Africa", "19"},
		{"Consolidated Bank", "23"},
		{"Credit Bank Ltd", "25"},
		{"Stanbic Bank", "31"},
		{"ABC Bank", "35"},
		{"Ecobank", "43"},
		{"Spire Bank", "49"},
		{"Paramount Universal Bank", "50"},
		{"Jamii Bora Bank", "51"},
		{"Guaranty Bank", "53"},
		{"Victoria Commercial Bank", "54"},
		{"Guardian Bank", "55"},
		{"I&M Bank", "57"},
		{"DTB", "63"},
		{"Sidian Bank", "66"},
		{"Equity Bank", "68"},
		{"Family Bank", "70"},
		{"Gulf African Bank", "72"},
		{"First Community Bank", "74"},
		{"UBA Kenya Bank", "76"},
		{"KWFT Bank", "78"},
		{"Housing Finance Company Limited (HFCK)", "61"},
		{"Mayfair Bank Limited", "65"},
		{"Stima Sacco", "89"},
		{"Safaricom M-Pesa", "97"},
	}
}

func (s *Server) routesBanks() {
	s.handle("GET", "send-money/bank-codes/ke/", authOptional, s.listBanks)
}

// listBanks answers a bare array, as IntaSend does (not paginated).
func (s *Server) listBanks(c *reqCtx) {
	c.json(http.StatusOK, s.banks)
}

// BankName returns the bank a PESALINK bank_code names. The bank list never
// changes after New, so this takes no lock: it is safe to call from a
// handler that holds s.mu.
func (s *Server) BankName(code string) (string, bool) {
	for _, b := range s.banks {
		if b.Code == code {
			return b.Name, true
		}
	}
	return "", false
}

// BankCode reports whether code is a bank_code IntaSend accepts (OAS enum).
// Lock-free, like BankName.
func (s *Server) BankCode(code string) bool {
	_, ok := s.BankName(code)
	return ok
}
