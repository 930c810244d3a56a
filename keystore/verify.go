package keystore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/malipo/malipo/client"
)

// verifyTimeout bounds the one API call that checks a pair of keys.
const verifyTimeout = 30 * time.Second

// VerifyKeys makes the one API call that proves the secret key works
// against base and returns how many wallets the account has. It retries a
// read once at most: a login should fail fast and say why.
func VerifyKeys(ctx context.Context, pub, sec, base string) (int, error) {
	c, err := client.New(pub, sec, client.WithBaseURL(base),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 2, BaseDelay: 300 * time.Millisecond, MaxDelay: 2 * time.Second}))
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	page, err := c.ListWallets(ctx, 1)
	switch {
	case client.IsUnauthorized(err):
		return 0, fmt.Errorf("IntaSend at %s refused the keys (%v): check they are this account's current keys", base, err)
	case err != nil:
		return 0, fmt.Errorf("could not verify the keys against %s: %w", base, err)
	}
	return page.Count, nil
}

// DeviceKeyIn reads the device key a profile keeps in st, so that moving
// the profile to another backend carries it over ("" when st holds none).
func DeviceKeyIn(ctx context.Context, st Store, profile string) (string, error) {
	sec, err := st.Load(ctx, profile)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return sec.DeviceKey, nil
}
