package payout

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/malipo/malipo/client"
)

// The journal is what makes a crash, a kill -9 or a dropped SSH connection
// lose nothing and pay nobody twice. Per profile, under StateDir:
//
//	drafts/<id>.json  the latest full draft, replaced atomically on every save
//	                  (temp file, fsync, rename, fsync of the directory)
//	events.jsonl      append-only, one JSON object a line, fsynced per event:
//	                  initiating, initiated, initiate-failed, approving,
//	                  approved, approve-failed, cancelled
//
// A torn last line (the process died mid-write) is ignored on read, and the
// next append starts on a fresh line. Several processes may share one
// journal: every read first picks up what others appended.

// Event kinds in events.jsonl (Entry.Status takes the latest).
const (
	StatusInitiating     = "initiating"      // initiate sent, answer not (yet) recorded: a batch may exist
	StatusInitiated      = "initiated"       // waiting approval
	StatusInitiateFailed = "initiate-failed" // IntaSend refused it: no batch
	StatusApproving      = "approving"       // approve sent, answer not recorded: check the status before anything else
	StatusApproved       = "approved"
	StatusApproveFailed  = "approve-failed"
	StatusCancelled      = "cancelled"
)

// Entry is one batch the journal knows of, folded from its events.
type Entry struct {
	Attempt     string        `json:"attempt"` // this initiation's id in the journal
	TrackingID  string        `json:"tracking_id,omitempty"`
	FileID      string        `json:"file_id,omitempty"`
	DraftID     string        `json:"draft_id,omitempty"`
	Fingerprint string        `json:"fingerprint,omitempty"`
	Rail        Rail          `json:"rail,omitempty"`
	WalletID    string        `json:"wallet_id,omitempty"`
	Currency    string        `json:"currency,omitempty"`
	Count       int           `json:"count,omitempty"`
	Total       client.Amount `json:"total"`
	Initiator   string        `json:"initiator,omitempty"`
	InitiatedAt time.Time     `json:"initiated_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Status      string        `json:"status"`                // one of the Status* constants
	StatusCode  string        `json:"status_code,omitempty"` // IntaSend's, when known (BP103, BC100…)
	Error       string        `json:"error,omitempty"`       // the last failure, for approve-failed and initiate-failed
	// Approvals are the approval steps recorded so far (issue 13), oldest
	// first; Need is how many the batch needs (the most any of them said).
	Approvals []Approval `json:"approvals,omitempty"`
	Need      int        `json:"need,omitempty"`
	// Payees are the batch's payee keys (PayeeKey), for "paid before".
	Payees []string `json:"payees,omitempty"`
	// The last status read recorded (RecordStatus, issue 13's history and
	// needs-attention queue): IntaSend's words, when, and how many rows
	// had each row status code.
	Observed   string         `json:"observed,omitempty"`
	ObservedAt time.Time      `json:"observed_at,omitzero"`
	RowCodes   map[string]int `json:"row_codes,omitempty"`
	// AckedAt is when a person marked what needed attention as seen
	// (Acknowledge); a later status that changes re-raises it.
	AckedAt time.Time `json:"acked_at,omitzero"`
	AckedBy string    `json:"acked_by,omitempty"`
}

// event is one line of events.jsonl.
type event struct {
	At          time.Time      `json:"at"`
	Kind        string         `json:"event"`
	Attempt     string         `json:"attempt,omitempty"`
	TrackingID  string         `json:"tracking_id,omitempty"`
	FileID      string         `json:"file_id,omitempty"`
	DraftID     string         `json:"draft_id,omitempty"`
	Fingerprint string         `json:"fingerprint,omitempty"`
	Rail        Rail           `json:"rail,omitempty"`
	WalletID    string         `json:"wallet_id,omitempty"`
	Currency    string         `json:"currency,omitempty"`
	Count       int            `json:"count,omitempty"`
	Total       *client.Amount `json:"total,omitempty"`
	Initiator   string         `json:"initiator,omitempty"`
	StatusCode  string         `json:"status_code,omitempty"`
	Error       string         `json:"error,omitempty"`
	// An approval step: the amount it approved, the rule and how many
	// approvals the batch needs; the approver is Initiator (who acted).
	Amount *client.Amount `json:"amount,omitempty"`
	Rule   string         `json:"rule,omitempty"`
	Need   int            `json:"need,omitempty"`
	Payees []string       `json:"payees,omitempty"`
	// A status read (EventStatus): IntaSend's status text and its rows by code.
	Text string         `json:"text,omitempty"`
	Rows map[string]int `json:"rows,omitempty"`
}

// Journal is one profile's journal. Its methods are safe for concurrent use.
type Journal struct {
	*journal
	initiator string
	// draftDir, when set, keeps this view's drafts apart (see Private).
	draftDir string
}

// journal is the state shared by every As view of one journal.
type journal struct {
	dir string
	now func() time.Time

	mu      sync.Mutex
	f       *os.File // events.jsonl, O_APPEND
	offset  int64    // bytes of events.jsonl folded into entries
	torn    bool     // the file ends without a newline
	entries []*Entry // in order of initiation
	byAtt   map[string]*Entry
	byTrack map[string]*Entry
	saved   map[string][sha256.Size]byte // draft path → hash of the bytes last written

	// db, when set, keeps the events and drafts in the shared store
	// instead of files (journal_store.go); f is nil then.
	db *dbJournal
}

// StateDir is where a profile's journal lives: $XDG_STATE_HOME/malipo/<profile>,
// else ~/.local/state/malipo/<profile>.
func StateDir(profile string) (string, error) {
	if profile == "" || strings.ContainsAny(profile, `/\`) || profile == "." || profile == ".." {
		return "", fmt.Errorf("journal: bad profile name %q", profile)
	}
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("journal: no state directory: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "malipo", profile), nil
}

// OpenJournal opens (creating) the journal in dir and reads its events.
func OpenJournal(dir string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Join(dir, "drafts"), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	// Names, phone numbers and amounts: for the owner's eyes only, even if
	// the directory was made by something else first.
	_ = os.Chmod(dir, 0o700)
	_ = os.Chmod(filepath.Join(dir, "drafts"), 0o700)
	f, err := os.OpenFile(filepath.Join(dir, "events.jsonl"), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	cleanTemps(filepath.Join(dir, "drafts"))
	j := &journal{dir: dir, now: time.Now, f: f, byAtt: map[string]*Entry{}, byTrack: map[string]*Entry{},
		saved: map[string][sha256.Size]byte{}}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		f.Close()
		return nil, err
	}
	return &Journal{journal: j, initiator: defaultInitiator()}, nil
}

// cleanTemps removes temp files a crash left behind mid-save. Only old
// ones: another process sharing the journal may be writing a new one.
func cleanTemps(dir string) {
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		if !strings.HasPrefix(n.Name(), ".tmp-") {
			continue
		}
		if info, err := n.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
			os.Remove(filepath.Join(dir, n.Name()))
		}
	}
}

func defaultInitiator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		name += "@" + h
	}
	return name
}

// Initiator is who this view of the journal records as acting.
func (j *Journal) Initiator() string { return j.initiator }

// As is the same journal recording initiator as the one who acts (an SSH
// user's name, say). The default is the OS user@host.
func (j *Journal) As(initiator string) *Journal {
	return &Journal{journal: j.journal, initiator: initiator}
}

// Private is As(initiator) with drafts of its own: the SSH server gives
// each user one, so a person's unfinished draft (names, phones, amounts)
// is offered back to them and to nobody else, while batch events (and so
// the pending list) stay shared. Drafts live in drafts/by-user/<name>/.
func (j *Journal) Private(initiator string) *Journal {
	name := initiator
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		sum := sha256.Sum256([]byte(initiator))
		name = fmt.Sprintf("u%x", sum[:8])
	}
	return &Journal{journal: j.journal, initiator: initiator, draftDir: filepath.Join(j.dir, "drafts", "by-user", name)}
}

// drafts is the directory this view keeps its drafts in.
func (j *Journal) drafts() string {
	if j.draftDir != "" {
		return j.draftDir
	}
	return filepath.Join(j.dir, "drafts")
}

// SetClock makes the journal stamp events with now instead of time.Now
// (tests and the demo run on a simulated clock). It applies to every As
// view of the journal.
func (j *Journal) SetClock(now func() time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.now = now
}

// Dir is the journal's directory.
func (j *Journal) Dir() string { return j.dir }

// Close closes the events file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.db != nil {
		return nil // the store is the caller's to close
	}
	return j.f.Close()
}

// ---- drafts ----

func (j *Journal) draftPath(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("journal: bad draft id %q", id)
	}
	return filepath.Join(j.drafts(), id+".json"), nil
}

// SaveDraft writes the draft atomically: after a crash at any instant the
// file holds either the previous save or this one, whole. It only reads d;
// save a Clone when d keeps changing in another goroutine. Saving the same
// bytes again is skipped.
func (j *Journal) SaveDraft(d *Draft) error {
	path, err := j.draftPath(d.ID)
	if err != nil {
		return err
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	sum := sha256.Sum256(data)
	j.mu.Lock()
	defer j.mu.Unlock()
	if prev, ok := j.saved[path]; ok && prev == sum {
		return nil
	}
	if j.db != nil {
		return j.dbSaveDraft(path, d.ID, data, sum)
	}
	if j.draftDir != "" {
		if err := os.MkdirAll(j.draftDir, 0o700); err != nil {
			return fmt.Errorf("journal: save draft %s: %w", d.ID, err)
		}
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("journal: save draft %s: %w", d.ID, err)
	}
	j.saved[path] = sum
	return nil
}

// writeAtomic is temp file + fsync + rename + fsync of the directory.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Drafts are the saved drafts, most recently updated first. A draft file
// that does not parse (it cannot be torn, but a person may have edited it)
// is skipped.
func (j *Journal) Drafts() ([]*Draft, error) {
	if j.db != nil {
		return j.dbDrafts()
	}
	dir := j.drafts()
	names, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) && j.draftDir != "" {
		return nil, nil // nothing saved by this user yet
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var out []*Draft
	for _, n := range names {
		name := n.Name()
		if n.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var d Draft
		if json.Unmarshal(data, &d) != nil || d.ID+".json" != name {
			continue
		}
		out = append(out, &d)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].UpdatedAt.After(out[b].UpdatedAt) })
	return out, nil
}

// DiscardDraft removes a saved draft (no error if it is not there).
func (j *Journal) DiscardDraft(id string) error {
	path, err := j.draftPath(id)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.saved, path)
	if j.db != nil {
		return j.dbDiscardDraft(id)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("journal: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// ---- events ----

// RecordInitiating is written before initiate is sent: if malipo dies
// before the answer, the journal still knows a batch may exist. It checks
// nothing: Initiate reserves through ReserveInitiate, which refuses a
// duplicate under the journal's lock.
func (j *Journal) RecordInitiating(d *Draft) error {
	return j.append(j.initiatingEvent(d))
}

// RecordInitiated records IntaSend's answer to initiate and, once that is
// on disk, removes the draft: it is a batch now, not a draft to offer back.
func (j *Journal) RecordInitiated(d *Draft, b *client.Batch) error {
	return j.recordInitiated(j.lastAttempt(d), d, b)
}

// RecordInitiateFailed records that IntaSend refused the initiate (a 4xx):
// no batch exists, the draft stays. Do not call it after an ambiguous
// failure (client.IsAmbiguous): then the batch may exist and the entry must
// stay "initiating".
func (j *Journal) RecordInitiateFailed(d *Draft, err error) error {
	return j.recordInitiateFailed(j.lastAttempt(d), d, err)
}

// RecordApproving is written before approve is sent.
func (j *Journal) RecordApproving(trackingID string) error {
	return j.append(event{Kind: StatusApproving, TrackingID: trackingID, Initiator: j.initiator})
}

// RecordApproved records the batch as approved (b may be nil). Like every
// approval outcome it is written once: if another session already recorded
// the outcome of the latest approving, nothing is written.
func (j *Journal) RecordApproved(trackingID string, b *client.Batch) error {
	_, err := j.recordOutcome(event{Kind: StatusApproved, TrackingID: trackingID, StatusCode: statusCode(b), Initiator: j.initiator}, nil)
	return err
}

// RecordApproveFailed records an approve that IntaSend refused or that
// proved not to land. When its outcome is unknown record nothing: the
// entry stays approving until a status read settles it (SettleApproval,
// ResolveApproval). Written once, as RecordApproved.
func (j *Journal) RecordApproveFailed(trackingID string, err error) error {
	_, werr := j.recordOutcome(event{Kind: StatusApproveFailed, TrackingID: trackingID, Error: errText(err), Initiator: j.initiator}, nil)
	return werr
}

// ApproveWindow is how long an approve may be in flight: longer than the
// whole approving call may take (the console bounds ApproveOnce by 60 s).
// A reader that finds an approving line younger than this and a batch that
// still waits for approval cannot tell a lost approve from one on its way,
// so ResolveApproval records nothing then; after it, the approver has
// finished or died (kill -9, a closed laptop).
const ApproveWindow = 2 * time.Minute

// ResolveApproval records what a status read (st) says of an approval whose
// outcome the journal lacks: its latest event is approving (the approver
// died, or is still waiting for its answer), or approve-failed while
// IntaSend says approved. Any session, process or host sharing the journal
// may call it after reading the status; the first records, the others find
// the outcome there and write nothing (the events file is locked around the
// check and the write). It never approves anything. It reports whether it
// wrote an outcome.
func (j *Journal) ResolveApproval(trackingID string, st *client.Batch) (bool, error) {
	return j.settle(trackingID, st, ApproveWindow)
}

// SettleApproval is ResolveApproval for the approver itself, once its own
// approve call has ended: a batch still waiting approval then proves the
// approve did not land, however recent it was.
func (j *Journal) SettleApproval(trackingID string, st *client.Batch) (bool, error) {
	return j.settle(trackingID, st, 0)
}

func (j *Journal) settle(trackingID string, st *client.Batch, window time.Duration) (bool, error) {
	if st == nil {
		return false, errors.New("journal: no status to settle the approval with")
	}
	ev := event{Kind: StatusApproved, TrackingID: trackingID, StatusCode: st.StatusCode, Initiator: j.initiator}
	switch {
	case st.Approved():
	case st.WaitingApproval():
		ev.Kind, ev.Error = StatusApproveFailed, "the approval did not reach IntaSend: the batch still waits for approval"
	default:
		ev.Kind, ev.Error = StatusApproveFailed, fmt.Sprintf("IntaSend ended the batch without approving it: %s (%s)", st.Status, st.StatusCode)
	}
	return j.recordOutcome(ev, func(e *Entry, now time.Time) bool {
		// A recent approving may still be on its way: only its own
		// approver, or time, can say it was lost.
		return window == 0 || !st.WaitingApproval() || now.Sub(e.UpdatedAt) >= window
	})
}

// recordOutcome appends ev (approved or approve-failed) only when the
// batch's entry awaits an outcome and ok (if given) agrees, so two readers
// of the same status, in two sessions or on two hosts, write one outcome.
func (j *Journal) recordOutcome(ev event, ok func(e *Entry, now time.Time) bool) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	wrote := false
	err := j.locked(func() error {
		e := j.byTrack[ev.TrackingID]
		if e != nil && (!awaitsOutcome(e.Status, ev.Kind) || ok != nil && !ok(e, j.now())) {
			return nil
		}
		wrote = true
		return j.appendLocked(ev)
	})
	if err != nil {
		if isConflict(err) {
			return false, nil // another host recorded the outcome first
		}
		return false, err
	}
	return wrote, nil
}

// locked runs fn with the journal locked against every other writer and
// refreshed: the events file's flock, or the store's transaction under
// the journal's advisory lock. Call with mu held.
func (j *journal) locked(fn func() error) error {
	if j.db != nil {
		return j.dbLocked(fn)
	}
	unlock, err := lockFile(j.f)
	if err != nil {
		return fmt.Errorf("journal: lock: %w", err)
	}
	defer unlock()
	if err := j.refresh(); err != nil {
		return err
	}
	return fn()
}

// awaitsOutcome: an approving has no outcome yet; an approve-failed may be
// corrected to approved (IntaSend's word wins), never the other way round.
func awaitsOutcome(status, kind string) bool {
	return status == StatusApproving || status == StatusApproveFailed && kind == StatusApproved
}

// RecordCancelled records a cancelled batch (b may be nil).
func (j *Journal) RecordCancelled(trackingID string, b *client.Batch) error {
	return j.append(event{Kind: StatusCancelled, TrackingID: trackingID, StatusCode: statusCode(b), Initiator: j.initiator})
}

func statusCode(b *client.Batch) string {
	if b == nil {
		return ""
	}
	return b.StatusCode
}

// errText is an error's message without anything that could be a key:
// client errors never carry keys, but be sure.
func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if strings.Contains(s, "ISSecretKey_") || strings.Contains(s, "ISPubKey_") {
		return "(error text withheld: it mentioned a key)"
	}
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// lastAttempt is the latest initiation of d that has no outcome yet.
func (j *Journal) lastAttempt(d *Draft) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.refresh()
	for i := len(j.entries) - 1; i >= 0; i-- {
		if e := j.entries[i]; e.DraftID == d.ID && e.Status == StatusInitiating {
			return e.Attempt
		}
	}
	return newID()
}

// append writes one event line and fsyncs it, holding the journal's lock
// like every writer: on the store so that events become visible in the
// order of their seq (see store.Events), on files so that no line is
// written while another process sits between its check and its append.
func (j *journal) append(ev event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.locked(func() error { return j.appendLocked(ev) })
}

// appendLocked is append with mu held and the file refreshed.
func (j *journal) appendLocked(ev event) error {
	ev.At = j.now()
	if e := j.byTrack[ev.TrackingID]; e != nil && ev.TrackingID != "" && ev.Fingerprint == "" {
		// Every line names its batch's fingerprint, so the file reads on its own.
		ev.Fingerprint, ev.DraftID = e.Fingerprint, e.DraftID
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if j.db != nil {
		return j.dbAppend(ev, line)
	}
	if j.torn {
		line = append([]byte{'\n'}, line...)
	}
	line = append(line, '\n')
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.torn = false
	return j.refresh()
}

// refresh folds events appended since the last read (by this process or
// another). Call with mu held. An unterminated last line is left for later:
// it is either being written or torn for good.
func (j *journal) refresh() error {
	if j.db != nil {
		return j.dbRefresh()
	}
	st, err := j.f.Stat()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if st.Size() <= j.offset {
		return nil
	}
	r := bufio.NewReader(io.NewSectionReader(j.f, j.offset, st.Size()-j.offset))
	for {
		line, err := r.ReadBytes('\n')
		if err != nil { // io.EOF with a partial line: torn (or still being written)
			j.torn = len(line) > 0
			return nil
		}
		j.offset += int64(len(line))
		var ev event
		if json.Unmarshal(bytes.TrimSpace(line), &ev) == nil {
			j.fold(ev)
		}
	}
}

// fold applies one event to the entries.
func (j *journal) fold(ev event) {
	e := j.entryFor(ev)
	e.merge(ev)
	switch ev.Kind {
	case EventApproval:
		foldApproval(e, ev)
		j.byTrack[e.TrackingID] = e
		return // a step towards approval: the batch's status is unchanged
	case EventStatus, EventAck:
		foldObservation(e, ev)
		j.byTrack[e.TrackingID] = e
		return // what IntaSend said, or that a person saw it: not a step of ours
	case StatusInitiating:
		e.Initiator, e.InitiatedAt = ev.Initiator, ev.At
	}
	e.Status, e.UpdatedAt, e.Error = ev.Kind, ev.At, ev.Error
	if e.TrackingID != "" {
		j.byTrack[e.TrackingID] = e
	}
}

// entryFor finds the entry an event belongs to, creating it when the
// event starts one (or names a batch initiated elsewhere).
func (j *journal) entryFor(ev event) *Entry {
	e := j.byAtt[ev.Attempt]
	if e == nil && ev.TrackingID != "" {
		e = j.byTrack[ev.TrackingID]
	}
	if e != nil {
		return e
	}
	if ev.Kind != StatusInitiating && ev.Kind != StatusInitiated {
		// An approval of a batch initiated elsewhere (opened by tracking id).
		e = &Entry{TrackingID: ev.TrackingID}
	} else {
		e = &Entry{Initiator: ev.Initiator, InitiatedAt: ev.At}
	}
	e.Attempt = ev.Attempt
	if e.Attempt == "" {
		e.Attempt = "t-" + ev.TrackingID
	}
	j.entries = append(j.entries, e)
	j.byAtt[e.Attempt] = e
	return e
}

// merge copies what an event says of its batch into the entry: a value
// it leaves empty keeps the one recorded before.
func (e *Entry) merge(ev event) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&e.TrackingID, ev.TrackingID)
	set(&e.FileID, ev.FileID)
	set(&e.DraftID, ev.DraftID)
	set(&e.Fingerprint, ev.Fingerprint)
	set(&e.WalletID, ev.WalletID)
	set(&e.Currency, ev.Currency)
	if ev.Kind != EventApproval {
		set(&e.StatusCode, ev.StatusCode)
	}
	if ev.Rail != "" {
		e.Rail = ev.Rail
	}
	if ev.Count > 0 {
		e.Count = ev.Count
	}
	if ev.Total != nil {
		e.Total = *ev.Total
	}
	if len(ev.Payees) > 0 && len(e.Payees) == 0 {
		e.Payees = ev.Payees
	}
}

// Initiated lists batches initiated from this journal with fingerprint fp,
// oldest first, leaving out those IntaSend refused and those cancelled:
// if any remain, initiating the same batch again would pay twice.
func (j *Journal) Initiated(fp string) []Entry {
	return j.filter(func(e *Entry) bool { return e.Fingerprint == fp && mayExist(e) })
}

// Pending lists batches initiated here (or approved here) that still wait
// for approval or whose approval's outcome is unknown. An approve-failed
// batch that IntaSend ended (cancelled, failed) waits for nothing.
func (j *Journal) Pending() []Entry {
	return j.filter(func(e *Entry) bool {
		switch e.Status {
		case StatusInitiated, StatusApproving:
			return e.TrackingID != ""
		case StatusApproveFailed:
			return e.TrackingID != "" && !(&client.Batch{StatusCode: e.StatusCode}).Final()
		}
		return false
	})
}

// Entries lists everything the journal knows, oldest first.
func (j *Journal) Entries() []Entry { return j.filter(func(*Entry) bool { return true }) }

// Entry looks a batch up by tracking id.
func (j *Journal) Entry(trackingID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.refresh()
	if e := j.byTrack[trackingID]; e != nil {
		return e.copy(), true
	}
	return Entry{}, false
}

func (j *Journal) filter(keep func(*Entry) bool) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.refresh()
	var out []Entry
	for _, e := range j.entries {
		if keep(e) {
			out = append(out, e.copy())
		}
	}
	return out
}

// copy is e with its own slices and map, safe to hand out.
func (e *Entry) copy() Entry {
	c := *e
	c.Approvals = slices.Clone(e.Approvals)
	c.RowCodes = maps.Clone(e.RowCodes)
	return c
}
