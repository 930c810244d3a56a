package client

import (
	"bytes"
	"encoding/json"
)

// A payment status poll is the call a console and a checkout make most,
// and decoding its answer was most of the client's CPU per call: even in
// one pass, encoding/json scans the whole answer for validity first, then
// walks it again by reflection. fastPaymentStatus reads the usual answer
// (plain ASCII strings, numbers, null; the fields PaymentStatus has) in
// one scan, handing each value to the same UnmarshalJSON methods
// encoding/json would call. Anything else (an escape, a key in another
// case, an unexpected nested value, a value a method refuses, a syntax
// error) makes it give up, and unmarshalWire decodes with encoding/json as
// before, so the result never depends on which path read it
// (TestPaymentStatusFastMatchesUnmarshal, FuzzPaymentStatusFast).

// wscan reads one JSON document; every method reports false when the
// input is not what the fast path takes.
type wscan struct {
	b []byte
	p int
}

func (s *wscan) ws() {
	for s.p < len(s.b) && (s.b[s.p] == ' ' || s.b[s.p] == '\t' || s.b[s.p] == '\n' || s.b[s.p] == '\r') {
		s.p++
	}
}

// object reads an object (or null, when nullOK), calling member with the
// scanner at each member's value; member must consume it.
func (s *wscan) object(nullOK bool, member func(key []byte) bool) bool {
	s.ws()
	if nullOK && s.literal("null") {
		return true
	}
	if s.p >= len(s.b) || s.b[s.p] != '{' {
		return false
	}
	s.p++
	s.ws()
	if s.p < len(s.b) && s.b[s.p] == '}' {
		s.p++
		return true
	}
	for {
		s.ws()
		key, ok := s.str()
		if !ok {
			return false
		}
		s.ws()
		if s.p >= len(s.b) || s.b[s.p] != ':' {
			return false
		}
		s.p++
		if !member(key[1 : len(key)-1]) {
			return false
		}
		s.ws()
		if s.p >= len(s.b) {
			return false
		}
		s.p++
		switch s.b[s.p-1] {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
}

// str reads a string of printable ASCII without escapes, quotes included.
func (s *wscan) str() ([]byte, bool) {
	if s.p >= len(s.b) || s.b[s.p] != '"' {
		return nil, false
	}
	for i := s.p + 1; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			v := s.b[s.p : i+1]
			s.p = i + 1
			return v, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (s *wscan) literal(lit string) bool {
	if bytes.HasPrefix(s.b[s.p:], []byte(lit)) {
		s.p += len(lit)
		return true
	}
	return false
}

// scalar reads a plain string, a number, true, false or null, returning
// its bytes as encoding/json would hand them to UnmarshalJSON.
func (s *wscan) scalar() ([]byte, bool) {
	s.ws()
	if s.p >= len(s.b) {
		return nil, false
	}
	start := s.p
	switch c := s.b[s.p]; {
	case c == '"':
		return s.str()
	case c == 't' && s.literal("true"), c == 'f' && s.literal("false"), c == 'n' && s.literal("null"):
		return s.b[start:s.p], true
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return nil, false
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *wscan) number() ([]byte, bool) {
	start := s.p
	if s.b[s.p] == '-' {
		s.p++
	}
	if s.p < len(s.b) && s.b[s.p] == '0' {
		s.p++
	} else if s.digits() == 0 {
		return nil, false
	}
	if s.p < len(s.b) && s.b[s.p] == '.' {
		s.p++
		if s.digits() == 0 {
			return nil, false
		}
	}
	if s.p < len(s.b) && (s.b[s.p] == 'e' || s.b[s.p] == 'E') {
		s.p++
		if s.p < len(s.b) && (s.b[s.p] == '+' || s.b[s.p] == '-') {
			s.p++
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.p], true
}

func (s *wscan) digits() int {
	n := 0
	for s.p < len(s.b) && s.b[s.p] >= '0' && s.b[s.p] <= '9' {
		s.p++
		n++
	}
	return n
}

// into hands the next scalar to u.UnmarshalJSON, as encoding/json does.
func (s *wscan) into(u json.Unmarshaler) bool {
	v, ok := s.scalar()
	return ok && u.UnmarshalJSON(v) == nil
}

// text reads a plain string (or null, which leaves dst alone) into a
// string field, as encoding/json does.
func (s *wscan) text(dst *string) bool {
	v, ok := s.scalar()
	switch {
	case !ok:
		return false
	case v[0] == '"':
		*dst = string(v[1 : len(v)-1])
		return true
	}
	return string(v) == "null"
}

// skip reads a scalar or null of a member PaymentStatus has no field for
// (such as failed_code_link). Nested values of unknown members are left to
// encoding/json.
func (s *wscan) skip() bool {
	_, ok := s.scalar()
	return ok
}

// folds reports whether key names one of names, perhaps in another case: those
// encoding/json would match without regard to case, the fast path does not.
func folds(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// fastPaymentStatus decodes data as unmarshalWire does, or reports false.
func fastPaymentStatus(data []byte) (PaymentStatus, bool) {
	var inv invoiceWire
	var meta paymentMetaPlain
	var cust customerWire
	s := &wscan{b: data}
	ok := s.object(false, func(key []byte) bool {
		switch string(key) {
		case "invoice":
			// Invoice.UnmarshalJSON starts afresh each time, null included.
			inv = invoiceWire{}
			return s.object(true, func(k []byte) bool { return s.invoiceMember(k, &inv) })
		case "meta":
			return s.object(true, func(k []byte) bool { return s.metaMember(k, &meta, &cust) })
		}
		return !folds(key, "invoice", "meta") && s.skip()
	})
	if s.ws(); !ok || s.p != len(s.b) {
		return PaymentStatus{}, false
	}
	p := PaymentStatus{Invoice: inv.value(), Meta: PaymentMeta(meta)}
	p.Meta.Customer = cust.value()
	return p, true
}

var invoiceKeys = []string{"invoice_id", "id", "account", "failed_code", "retry_count", "state", "provider",
	"currency", "api_ref", "clearing_status", "mpesa_reference", "host", "failed_reason", "charges",
	"net_amount", "value", "created_at", "updated_at"}

func (s *wscan) invoiceMember(key []byte, v *invoiceWire) bool {
	switch string(key) {
	case "invoice_id":
		return s.into(&v.ID)
	case "id":
		return s.into(&v.OldID)
	case "account":
		return s.into(&v.Account)
	case "failed_code":
		return s.into(&v.FailedCod)
	case "retry_count":
		return s.into(&v.Retries)
	case "charges":
		return s.into(&v.Charges)
	case "net_amount":
		return s.into(&v.NetAmount)
	case "value":
		return s.into(&v.Value)
	case "created_at":
		return s.into(&v.CreatedAt)
	case "updated_at":
		return s.into(&v.UpdatedAt)
	}
	if dst := v.invoiceText(key); dst != nil {
		return s.text(dst)
	}
	return !folds(key, invoiceKeys...) && s.skip()
}

// invoiceText is the string field of the invoice that key names.
func (v *invoiceWire) invoiceText(key []byte) *string {
	switch string(key) {
	case "state":
		return &v.State
	case "provider":
		return &v.Provider
	case "currency":
		return &v.Currency
	case "api_ref":
		return &v.APIRef
	case "clearing_status":
		return &v.ClearingStatus
	case "mpesa_reference":
		return &v.MpesaReference
	case "host":
		return &v.Host
	case "failed_reason":
		return &v.FailedReason
	}
	return nil
}

var metaKeys = []string{"id", "customer", "payment_link", "customer_comment", "created_at", "updated_at"}

func (s *wscan) metaMember(key []byte, m *paymentMetaPlain, cu *customerWire) bool {
	switch string(key) {
	case "id":
		return s.text(&m.ID)
	case "customer_comment":
		return s.text(&m.CustomerComment)
	case "created_at":
		return s.into(&m.CreatedAt)
	case "updated_at":
		return s.into(&m.UpdatedAt)
	case "customer":
		*cu = customerWire{} // as Customer.UnmarshalJSON starts afresh, null included
		return s.object(true, func(k []byte) bool { return s.customerMember(k, cu) })
	case "payment_link":
		v, ok := s.scalar() // a link object is left to encoding/json
		m.PaymentLink = nil
		return ok && string(v) == "null"
	}
	return !folds(key, metaKeys...) && s.skip()
}

var customerKeys = []string{"customer_id", "id", "phone_number", "email", "first_name", "last_name",
	"country", "zipcode", "provider", "created_at", "updated_at"}

func (s *wscan) customerMember(key []byte, v *customerWire) bool {
	switch string(key) {
	case "customer_id":
		return s.into(&v.ID)
	case "id":
		return s.into(&v.OldID)
	case "phone_number":
		return s.into(&v.Phone)
	case "created_at":
		return s.into(&v.CreatedAt)
	case "updated_at":
		return s.into(&v.UpdatedAt)
	}
	if dst := v.customerText(key); dst != nil {
		return s.text(dst)
	}
	return !folds(key, customerKeys...) && s.skip()
}

// customerText is the string field of the customer that key names.
func (v *customerWire) customerText(key []byte) *string {
	switch string(key) {
	case "email":
		return &v.Email
	case "first_name":
		return &v.FirstName
	case "last_name":
		return &v.LastName
	case "country":
		return &v.Country
	case "zipcode":
		return &v.Zipcode
	case "provider":
		return &v.Provider
	}
	return nil
}
