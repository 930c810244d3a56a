package client

import (
	"bytes"
	"context"
	"slices"
	"sync"
)

// pageMemo keeps, for each page of transactions or invoices a client was
// asked for, the answer's bytes and what they decoded to. `malipo serve`
// gives every SSH session the same client over one read cache, so when a
// hundred sessions show Collections (or refresh their pulse) they are
// handed the same cached bytes, and each decoded them again: 1.1 ms a page, which was most of what a Collections refresh
// cost the server and what made keys wait past 30 ms when many refreshed
// at once (docs/performance.md). An answer byte for byte the same as the
// one kept decodes to the same page, so it is copied instead of decoded: a
// comparison and a copy. A lone console gains too (its polls mostly bring
// back what they brought last time).
//
// Every caller gets its own copy (the slice and the invoices it points
// to), so what one screen does with its page never reaches another's.
type pageMemo struct {
	mu      sync.Mutex
	entries map[string]*memoEntry // by method and URL
}

type memoEntry struct {
	raw  []byte
	page any // a Page[T], as the caller's clone made it
}

// memoMost bounds the pages kept: the screens poll a few first pages; a
// search paging far back must not grow the memo without end.
const memoMost = 32

func newPageMemo() *pageMemo { return &pageMemo{entries: map[string]*memoEntry{}} }

// get is the page decoded from raw for key, if raw is what was kept for it.
func (m *pageMemo) get(key string, raw []byte) (any, bool) {
	m.mu.Lock()
	e := m.entries[key]
	m.mu.Unlock()
	if e == nil || !bytes.Equal(e.raw, raw) {
		return nil, false
	}
	return e.page, true
}

// put keeps raw and page (a copy no caller holds) for key.
func (m *pageMemo) put(key string, raw []byte, page any) {
	e := &memoEntry{raw: raw, page: page}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; !ok && len(m.entries) >= memoMost {
		clear(m.entries) // rare (a long search): start again rather than track age
	}
	m.entries[key] = e
}

// cloneTransactions copies p's transactions and the invoices they point
// to, in two allocations.
func cloneTransactions(p Page[WalletTransaction]) Page[WalletTransaction] {
	p.Results = slices.Clone(p.Results)
	n := 0
	for _, tx := range p.Results {
		if tx.Invoice != nil {
			n++
		}
	}
	invs := make([]Invoice, 0, n)
	for i := range p.Results {
		if inv := p.Results[i].Invoice; inv != nil {
			invs = append(invs, *inv)
			p.Results[i].Invoice = &invs[len(invs)-1]
		}
	}
	return p
}

// cloneInvoices copies p's invoices (values all through).
func cloneInvoices(p Page[Invoice]) Page[Invoice] {
	p.Results = slices.Clone(p.Results)
	return p
}

// memoDecoder decodes a page through the client's memo; clone makes each
// caller's copy.
type memoDecoder[T any] struct {
	memo  *pageMemo
	key   string
	out   *Page[T]
	clone func(Page[T]) Page[T]
}

func (d memoDecoder[T]) unmarshalWire(data []byte) error {
	if v, ok := d.memo.get(d.key, data); ok {
		if p, ok := v.(Page[T]); ok {
			*d.out = d.clone(p)
			return nil
		}
	}
	if err := d.out.unmarshalWire(data); err != nil {
		return err
	}
	d.memo.put(d.key, data, d.clone(*d.out))
	return nil
}

// memoPage performs cl, a read of a page the screens poll, decoding its
// answer through the memo.
func memoPage[T any](ctx context.Context, c *Client, cl call, clone func(Page[T]) Page[T]) (*Page[T], error) {
	var out Page[T]
	key := cl.method + " " + c.url(cl.path) + "?" + cl.query.Encode()
	if err := c.do(ctx, cl, memoDecoder[T]{memo: c.pages, key: key, out: &out, clone: clone}); err != nil {
		return nil, err
	}
	return &out, nil
}

// transactionsPage is memoPage for a page of wallet transactions.
func transactionsPage(ctx context.Context, c *Client, cl call) (*Page[WalletTransaction], error) {
	return memoPage(ctx, c, cl, cloneTransactions)
}
