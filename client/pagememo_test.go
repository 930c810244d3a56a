package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memoServer answers every GET with the page body holds now, over
// loopback HTTP, counting requests.
type memoServer struct {
	body  atomic.Value // string
	calls atomic.Int64
}

func newMemoClient(t testing.TB, body string) (*Client, *memoServer) {
	t.Helper()
	ms := &memoServer{}
	ms.body.Store(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(ms.body.Load().(string)))
	}))
	t.Cleanup(srv.Close)
	c, err := New("ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f", "ISSecretKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f",
		WithBaseURL(srv.URL), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c, ms
}

func pageBody(n int, narrative string) string {
	tx := strings.Replace(txBody, "Collection charges for invoice ZM90B92", narrative, 1)
	return `{"count":` + fmt.Sprint(n) + `,"next":null,"previous":null,"results":[` + strings.Repeat(tx+",", n-1) + tx + `]}`
}

// decodedPlain is what json.Unmarshal makes of body: the memo must give
// exactly that, hit or miss.
func decodedPlain(t *testing.T, body string) Page[WalletTransaction] {
	t.Helper()
	var p Page[WalletTransaction]
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (m *pageMemo) entry(key string) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.entries[key]
}

// TestPageMemo: the same answer read again is not decoded again but gives
// the same page; each caller's copy is its own (a screen that sorts or
// edits its page changes nobody else's); a changed answer is decoded anew.
func TestPageMemo(t *testing.T) {
	body := pageBody(3, "first")
	c, ms := newMemoClient(t, body)
	ctx := t.Context()
	first, err := c.Transactions(ctx, TransactionFilter{TransType: "SALE"})
	if err != nil {
		t.Fatal(err)
	}
	key := "GET " + c.url("transactions/") + "?trans_type=SALE"
	kept := c.pages.entry(key)
	if kept == nil {
		t.Fatalf("no memo entry under %q", key)
	}
	// A caller that edits its page: the slice, a transaction, an invoice.
	first.Results[0].Narrative = "edited"
	first.Results[1].Invoice.State = "EDITED"
	slices.Reverse(first.Results)

	second, err := c.Transactions(ctx, TransactionFilter{TransType: "SALE"})
	if err != nil {
		t.Fatal(err)
	}
	if c.pages.entry(key) != kept {
		t.Error("the same answer was decoded again (the entry was replaced)")
	}
	if want := decodedPlain(t, body); !reflect.DeepEqual(*second, want) {
		t.Errorf("second read = %+v,\nwant what json.Unmarshal gives: %+v", second.Results[0], want.Results[0])
	}
	if second.Results[1].Invoice == first.Results[1].Invoice {
		t.Error("two callers share an invoice")
	}

	ms.body.Store(pageBody(2, "changed"))
	third, err := c.Transactions(ctx, TransactionFilter{TransType: "SALE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Results) != 2 || third.Results[0].Narrative != "changed" || c.pages.entry(key) == kept {
		t.Errorf("a changed answer: %d results, %q; entry replaced: %v", len(third.Results), third.Results[0].Narrative, c.pages.entry(key) != kept)
	}
	if ms.calls.Load() != 3 {
		t.Errorf("%d requests, want 3: the memo saves decoding, never a request", ms.calls.Load())
	}
}

// TestPageMemoKeys: pages of different requests (filter, page, wallet,
// subscription) are kept apart, and the memo stays bounded.
func TestPageMemoKeys(t *testing.T) {
	c, _ := newMemoClient(t, pageBody(1, "x"))
	ctx := t.Context()
	reads := []func() (*Page[WalletTransaction], error){
		func() (*Page[WalletTransaction], error) {
			return c.Transactions(ctx, TransactionFilter{TransType: "SALE"})
		},
		func() (*Page[WalletTransaction], error) {
			return c.Transactions(ctx, TransactionFilter{TransType: "SALE", Page: 2})
		},
		func() (*Page[WalletTransaction], error) { return c.WalletTransactions(ctx, "W1", 1) },
		func() (*Page[WalletTransaction], error) { return c.SubscriptionTransactions(ctx, "S1", 1) },
	}
	for _, read := range reads {
		if _, err := read(); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.pages.entries); n != len(reads) {
		t.Errorf("%d entries after %d different reads", n, len(reads))
	}
	for i := range 2 * memoMost {
		if _, err := c.WalletTransactions(ctx, fmt.Sprintf("W%d", i), 1); err != nil {
			t.Fatal(err)
		}
		if n := len(c.pages.entries); n > memoMost {
			t.Fatalf("%d entries, more than %d", n, memoMost)
		}
	}
}

// TestPageMemoConcurrent: sessions reading and editing the same page at
// once (go test -race) each get a whole, private copy.
func TestPageMemoConcurrent(t *testing.T) {
	body := pageBody(20, "shared")
	c, _ := newMemoClient(t, body)
	want := decodedPlain(t, body)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				p, err := c.Transactions(t.Context(), TransactionFilter{})
				if err != nil {
					errs <- err.Error()
					return
				}
				if !reflect.DeepEqual(*p, want) {
					errs <- "a read differs from json.Unmarshal's page"
					return
				}
				p.Results[0].Invoice.Value = -1
				slices.Reverse(p.Results)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// BenchmarkTransactionsPageMemo is a read of a 100-transaction page the
// memo already holds (a comparison and a copy) beside decoding it (the
// baseline: what every session did before), per page, without HTTP:
//
//	go test -run '^$' -bench TransactionsPageMemo ./client/
func BenchmarkTransactionsPageMemo(b *testing.B) {
	body := []byte(pageBody(100, "bench"))
	memo := newPageMemo()
	var decoded time.Duration
	start := time.Now()
	for range b.N {
		var p Page[WalletTransaction]
		if err := p.unmarshalWire(body); err != nil {
			b.Fatal(err)
		}
	}
	decoded = time.Since(start) / time.Duration(b.N)
	var seed Page[WalletTransaction]
	if err := (memoDecoder[WalletTransaction]{memo: memo, key: "k", out: &seed, clone: cloneTransactions}).unmarshalWire(body); err != nil {
		b.Fatal(err)
	}
	raw := slices.Clone(body) // another read's bytes, equal but not the same slice
	start = time.Now()
	for range b.N {
		var p Page[WalletTransaction]
		if err := (memoDecoder[WalletTransaction]{memo: memo, key: "k", out: &p, clone: cloneTransactions}).unmarshalWire(raw); err != nil || len(p.Results) != 100 {
			b.Fatal(err, len(p.Results))
		}
	}
	hit := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(hit.Microseconds()), "µs/page")
	b.ReportMetric(float64(decoded.Microseconds()), "baseline-µs/page")
	b.ReportMetric(float64(decoded)/float64(hit), "speedup")
}

// TestPageMemoInvoices: a customer's invoices (the pulse reads a page per
// customer every minute) are kept too, and each caller's page is its own.
func TestPageMemoInvoices(t *testing.T) {
	inv := txBody[strings.Index(txBody, `"invoice":{`)+len(`"invoice":`) : strings.Index(txBody, `},"currency"`)+1]
	body := `{"count":2,"next":null,"previous":null,"results":[` + inv + `,` + inv + `]}`
	c, _ := newMemoClient(t, body)
	first, err := c.CustomerTransactions(t.Context(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	key := "GET " + c.url("customers/C1/transactions/") + "?"
	kept := c.pages.entry(key)
	first.Results[0].State = "EDITED"
	second, err := c.CustomerTransactions(t.Context(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	var want Page[Invoice]
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if kept == nil || c.pages.entry(key) != kept {
		t.Errorf("the invoices were not kept under %q, or decoded again", key)
	}
	if !reflect.DeepEqual(*second, want) {
		t.Errorf("second read %+v, want %+v", second.Results[0], want.Results[0])
	}
}
