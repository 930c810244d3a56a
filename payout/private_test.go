package payout_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/payout"
)

// Private journals (one per SSH user) keep drafts apart and share batches.
func TestPrivateDraftsAreNotShared(t *testing.T) {
	dir := t.TempDir()
	root := openJournal(t, dir)
	amina, bob := root.Private("amina"), root.Private("bob")
	evil := root.Private("../../etc")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	d := payout.NewDraft(payout.B2C, now)
	d.Rows = []payout.Row{{Name: "Jane", Account: "254708374149"}}
	must(t, amina.SaveDraft(d))
	must(t, evil.SaveDraft(d))
	for _, c := range []struct {
		name string
		j    *payout.Journal
		want int
	}{{"amina", amina, 1}, {"bob", bob, 0}, {"root", root, 0}, {"evil", evil, 1}} {
		ds, err := c.j.Drafts()
		must(t, err)
		if len(ds) != c.want {
			t.Errorf("%s sees %d drafts, want %d", c.name, len(ds), c.want)
		}
	}
	// A name that is not a safe path component is hashed, inside the journal.
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.Contains(p, "etc") {
			t.Errorf("draft path %s uses the raw name", p)
		}
		return err
	})
	must(t, err)
	must(t, amina.DiscardDraft(d.ID))
	if ds, _ := amina.Drafts(); len(ds) != 0 {
		t.Errorf("discarded draft still listed")
	}
	// Batch events stay shared: bob sees what amina initiated.
	must(t, amina.RecordInitiating(d))
	if n := len(bob.Entries()); n != 1 {
		t.Errorf("bob sees %d batches, want amina's 1", n)
	}
}
