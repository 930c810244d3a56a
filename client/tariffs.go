package client

// EstimatePayoutCharge is the charge for one send-money transaction of
// amount on provider (MPesaB2C, MPesaB2B, PesaLink; INTASEND P2P and
// airtime are free), from IntaSend's published tariffs as the simulator
// charges them. IntaSend states its own charge_estimate only once a batch
// is initiated; this lets a caller check that a wallet covers a batch
// before creating one. It is an estimate: the batch's charge_estimate,
// then actual_charges, are what IntaSend takes.
//
//	MPESA-B2C:  ≤1,000: 10 · ≤5,000: 20 · ≤20,000: 40 · ≤70,000: 70 · ≤150,000: 100
//	MPESA-B2B:  ≤1,000: 30 · ≤10,000: 60 · ≤50,000: 100 · ≤250,000: 200
//	PESALINK:   ≤10,000: 40 · ≤100,000: 70 · ≤999,999: 100
//
// Amounts above a rail's last band cost its last band's fee.
func EstimatePayoutCharge(provider string, amount Amount) Amount {
	bands := payoutTariff(provider)
	for _, b := range bands {
		if amount <= b.upTo {
			return b.fee
		}
	}
	if len(bands) > 0 {
		return bands[len(bands)-1].fee
	}
	return 0
}

// payBand is one row of a tariff: amounts up to upTo cost fee.
type payBand struct{ upTo, fee Amount }

// payoutTariff is provider's bands, in KES per transaction, business
// pays. A function rather than a shared table, so no caller can change it.
func payoutTariff(provider string) []payBand {
	switch provider {
	case MPesaB2C:
		return []payBand{{Units(1000), Units(10)}, {Units(5000), Units(20)}, {Units(20000), Units(40)},
			{Units(70000), Units(70)}, {Units(150000), Units(100)}}
	case MPesaB2B:
		return []payBand{{Units(1000), Units(30)}, {Units(10000), Units(60)}, {Units(50000), Units(100)}, {Units(250000), Units(200)}}
	case PesaLink:
		return []payBand{{Units(10000), Units(40)}, {Units(100000), Units(70)}, {Units(999999), Units(100)}}
	}
	return nil
}
