package sim

// How the simulator signs checkouts, and how payment/status/ checks it.
//
// At creation (POST checkout/) a checkout gets signature =
// checkoutSignature(id, created_at): an HS256 JWT whose payload is
// {"checkout_id": id, "iat": created_at in Unix seconds}, MACed with the
// simulator's own key checkoutKey. IntaSend's signature is a JWT of the same
// header ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9…"); its key and claims are
// IntaSend's secret, so only the shape is copied.
//
// When payment/status/ is given checkout_id or signature, it answers:
//   - 400 (attr checkout_id / signature, code required) when one is missing;
//   - 400 (attr checkout_id, code does_not_exist) for an unknown checkout;
//   - 400 (attr signature, code invalid) when the signature is not the one
//     handed out for that checkout (a forged or another checkout's JWT);
//   - 400 (attr invoice_id, code invalid) when the invoice was not paid
//     through that checkout.

import (
	"crypto/hmac"
	"strings"
)

// checkoutKey is the HMAC key of checkout signatures.
const checkoutKey = "malipo-sim-checkout"

// checkoutProof verifies checkout_id + signature for inv, answering 400
// itself when they do not hold. Call with s.mu held.
func (s *Server) checkoutProof(c *reqCtx, inv *invoice, coID, sig string) bool {
	var k checks
	k.text("checkout_id", coID, true, 0, nil)
	k.text("signature", sig, true, 0, nil)
	if k.reply(c) {
		return false
	}
	co := s.coll.checkouts[coID]
	switch {
	case co == nil:
		c.invalid("checkout_id", "does_not_exist", "Checkout "+coID+" does not exist.")
	case !hmac.Equal([]byte(sig), []byte(co.Signature)) || !strings.HasPrefix(sig, "eyJ"):
		c.invalid("signature", "invalid", "The signature does not match this checkout.")
	case inv.CheckoutID != co.ID:
		c.invalid("invoice_id", "invalid", "Invoice "+inv.ID+" was not paid through checkout "+co.ID+".")
	default:
		return true
	}
	return false
}
