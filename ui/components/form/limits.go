package form

// What IntaSend accepts in each field, in characters. A field never holds
// more than its limit: typing stops there and a longer paste is cut with a
// note under the field ("cut to N characters"), so nothing is cut silently
// and nothing is sent that IntaSend would refuse for its length.
//
// Sources: intasend-api.md (the OAS serializers it quotes) and the
// simulator's checks in client/sim, which follow them; where the two
// differ the simulator's number is the one a request is judged by here.
const (
	// LabelMax: a wallet's label (OAS §5 "label ≤40"; client/sim/wallets.go
	// createWallet).
	LabelMax = 40
	// TransferNarrativeMax: an intra-wallet transfer's narrative
	// (client/sim/wallets.go intraTransfer, 255).
	TransferNarrativeMax = 255
	// STKRefMax and STKNarrativeMax: an M-Pesa STK push's api_ref and
	// narrative (OAS invoice api_ref ≤140; client/sim/collections.go
	// stkPush).
	STKRefMax       = 140
	STKNarrativeMax = 255
	// CheckoutRefMax, NameMax, EmailMax: a checkout's api_ref, each of
	// first_name/last_name, and email (OAS CheckoutCreate;
	// client/sim/collections.go checkCheckout). NameMax is also a
	// subscription customer's first and last name (client/sim/subscriptions.go).
	CheckoutRefMax = 70
	NameMax        = 45
	EmailMax       = 254
	// PhoneMax: a phone number as typed, spaces and "+" included (OAS
	// CheckoutCreate phone_number ≤30).
	PhoneMax = 30
	// ReasonDetailsMax: a refund's reason_details (client/sim/chargebacks.go,
	// IntaSend's serializer, 255).
	ReasonDetailsMax = 255
	// PlanNameMax and ReferenceMax: a subscription plan's name and a
	// customer's or subscription's reference (client/sim/subscriptions.go).
	PlanNameMax  = 32
	ReferenceMax = 100
	// PayoutNameMax, PayoutNarrativeMax, AccountMax, AccountRefMax: a send-money
	// transaction's name, narrative, account (digits and spaces) and
	// account_reference (OAS SendMoneyInitiateCreate, intasend-api.md §2.5;
	// client/sim/payouts_validate.go).
	PayoutNameMax      = 240
	PayoutNarrativeMax = 240
	AccountMax         = 24
	AccountRefMax      = 20
	// BankCodeMax: the longest code of the OAS bank_code enum is two digits;
	// four leaves room for a new bank without letting a pasted account
	// number through.
	BankCodeMax = 4
	// MoneyMax is not IntaSend's: an amount is a decimal string there. It
	// holds any amount a rail takes ("999,999,999.00") with a currency
	// and spaces, and stops a paste of a whole line.
	MoneyMax = 20
	// CountMax: a small whole number (a plan's frequency or billing cycles).
	CountMax = 4
	// DateMax: a date as YYYY-MM-DD.
	DateMax = 10
)
