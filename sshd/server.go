package sshd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	wishrecover "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// Defaults.
const (
	DefaultIdle  = 15 * time.Minute
	DefaultGrace = 30 * time.Second
	// Caps on open consoles: 50 sessions cost about 150 MB (docs/design.md §11).
	DefaultMaxSessions        = 200
	DefaultMaxSessionsPerUser = 5
	// DefaultHandshakeTimeout bounds how long an unauthenticated
	// connection may hold a slot (OpenSSH's LoginGraceTime is 120 s; a
	// person's client logs in within a second or two).
	DefaultHandshakeTimeout = 10 * time.Second
	// flushEvery is how often the per-source refusal tallies are checked
	// for a minute's worth to write to the audit log.
	flushEvery = 10 * time.Second
	// maxAuthTries is OpenSSH's default: a client offering many keys is cut
	// off after six.
	maxAuthTries = 6
)

// Config is what a server serves and how.
type Config struct {
	// UsersFile is the TOML users file (re-read by Reload).
	UsersFile string
	// HostKeyPEM is the host key (see HostKey).
	HostKeyPEM []byte

	// The IntaSend side, shared by every session: one client (the keys
	// stay in this process), the journal every session records payouts
	// in (so pending batches are shared) and the signing device.
	Client  *client.Client
	Mode    common.Mode
	Profile string
	Journal *payout.Journal
	// Zone is where the consoles' clocks read (times shown, "today" in
	// date ranges). Nil: Africa/Nairobi, the merchants' and IntaSend's
	// business day, which a server kept in UTC would otherwise shift by
	// three hours against the limits that already count in it.
	Zone     *time.Location
	DeviceID string

	// Audit is the audit log (required).
	Audit *AuditLog
	// StateDir holds each user's private folder, files/<user>/: what
	// they move in and out with scp and sftp, and the only files their
	// console's import and export may name. Empty turns file transfer
	// off (scp and sftp are refused, consoles get no folder).
	StateDir string
	// Idle logs a session out after this long without a key press
	// (DefaultIdle when zero; negative turns it off).
	Idle time.Duration
	// FourEyes forbids approving a batch one initiated oneself.
	FourEyes bool
	// Grace is how long sessions get to finish when the server shuts down.
	Grace time.Duration
	// MaxSessions and MaxSessionsPerUser cap open consoles (defaults
	// DefaultMaxSessions, DefaultMaxSessionsPerUser).
	MaxSessions, MaxSessionsPerUser int
	// MaxStartups caps unauthenticated connections (DefaultMaxStartups
	// when Full is zero); HandshakeTimeout is how long one may take to log
	// in (DefaultHandshakeTimeout when zero).
	MaxStartups      MaxStartups
	HandshakeTimeout time.Duration
	// LoginLimit throttles refused logins per source address (zero fields
	// take DefaultLoginLimit's).
	LoginLimit LoginLimit
	// NoColor drops colours in every session.
	NoColor bool
	// NoMouse leaves the mouse to every session's terminal (--no-mouse);
	// NotifyAbove is the payment that rings a session's bell
	// (--notify-above; zero: never). Each session decides for itself.
	NoMouse     bool
	NotifyAbove client.Amount
	// Log receives operational messages (stderr when nil). Never secrets.
	Log io.Writer
	// Pace stretches every console's polling while webhooks flow
	// (common.Common.Pace); nil polls at the usual pace.
	Pace func(time.Duration) time.Duration

	// Views replaces the console's tabs (tests).
	Views func(*common.Common) []common.View
	// now is the clock for idle logout and the login limits (tests).
	now func() time.Time
	// fileMax replaces userdir.MaxFileSize as the folders' cap (tests).
	fileMax int64
	// roll is MaxStartups' dice, 0-99 (tests).
	roll func() int
	// panicKey makes a session panic on that key, panicCmdKey one of its
	// background commands (tests).
	panicKey, panicCmdKey string
}

// Server is a running `malipo serve`.
type Server struct {
	cfg   Config
	users atomic.Pointer[Users]
	srv   *ssh.Server
	log   *log.Logger

	// guard throttles and tallies refused logins per source; startups
	// counts connections that have not logged in yet.
	guard    *guard
	startups *startups
	stop     chan struct{} // closed when the server stops: ends flushLoop
	stopOnce sync.Once

	mu       sync.Mutex
	live     map[*liveSession]struct{}
	draining bool
	// listeners are closed by Close and Shutdown themselves: charm ssh
	// only closes a listener once its Serve has registered it, so a Close
	// that came first would leave Serve accepting forever.
	listeners []net.Listener
	closed    bool
}

// liveSession is a running program the server can reach at shutdown.
type liveSession struct {
	p   *tea.Program
	id  identity
	end *sessionEnd
}

// New loads the users file and builds the SSH server; Serve starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Audit == nil {
		return nil, errors.New("serve: an audit log is required")
	}
	if cfg.Client == nil {
		return nil, errors.New("serve: no IntaSend client")
	}
	if cfg.Idle == 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionsPerUser <= 0 {
		cfg.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.MaxStartups.Full <= 0 {
		cfg.MaxStartups = DefaultMaxStartups
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	s := &Server{cfg: cfg, log: log.New(cfg.Log, "malipo serve: ", log.LstdFlags), live: map[*liveSession]struct{}{},
		guard: newGuard(cfg.LoginLimit, cfg.now), startups: newStartups(cfg.MaxStartups, cfg.roll), stop: make(chan struct{})}
	u, err := LoadUsers(cfg.UsersFile)
	if err != nil {
		return nil, err
	}
	s.users.Store(u)
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(cfg.HostKeyPEM),
		// Public keys only. No password or keyboard-interactive handler
		// is ever set: with none at all, charm ssh would accept everyone
		// (NoClientAuth), see assertKeyOnly.
		wish.WithPublicKeyAuth(s.authenticate),
		wish.WithMiddleware(
			// The whole chain runs inside recover: a panic anywhere in a
			// session's handler ends that session only.
			wishrecover.MiddlewareWithLogger(s.log, s.sessionMiddleware),
		),
		// SFTP, for OpenSSH 9's plain scp and for sftp (files_sftp.go).
		wish.WithSubsystem("sftp", s.sftpSubsystem),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	srv.HandshakeTimeout = cfg.HandshakeTimeout
	// Strangers are turned away before the key exchange (banned sources,
	// too many unauthenticated connections): it costs them a TCP
	// connection and us an accept and a close.
	srv.ConnCallback = s.gate
	srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
		return &gossh.ServerConfig{MaxAuthTries: maxAuthTries,
			AuthLogCallback: func(md gossh.ConnMetadata, method string, err error) { s.authLog(ctx, md, method, err) }}
	}
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Printf("connection from %s failed: %v", c.RemoteAddr(), err)
	}
	if err := assertKeyOnly(srv); err != nil {
		return nil, err
	}
	s.srv = srv
	return s, nil
}

// assertKeyOnly is the startup self-test for the no-auth trap: the server
// must have a public-key handler and nothing else that could let a client
// in without a listed key.
func assertKeyOnly(srv *ssh.Server) error {
	if srv.PublicKeyHandler == nil || srv.PasswordHandler != nil || srv.KeyboardInteractiveHandler != nil {
		return errors.New("serve: refusing to start: authentication must be public-key only")
	}
	return nil
}

// Users is the current users list.
func (s *Server) Users() *Users { return s.users.Load() }

// Reload re-reads the users file and swaps it in whole. A bad file keeps
// the old list (the error says why): a typo must not lock everyone out.
func (s *Server) Reload() error {
	u, err := LoadUsers(s.cfg.UsersFile)
	if err != nil {
		s.log.Printf("users file not reloaded, keeping the previous one: %v", err)
		return err
	}
	s.users.Store(u)
	s.log.Printf("users file reloaded: %d users, %d keys", len(u.Names()), u.Keys())
	_ = s.cfg.Audit.Write(Record{Event: "users.reload", Result: "ok", Detail: fmt.Sprintf("%d users, %d keys", len(u.Names()), u.Keys())})
	s.revoke(u)
	return nil
}

// revoke ends the sessions whose key the new list no longer has, or gives
// another name or role: a removal takes effect at once, not at the next
// login (secrets-ssh.md §4.5).
func (s *Server) revoke(u *Users) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ls := range s.live {
		if a, ok := u.ByFingerprint(ls.id.Fingerprint); ok && a == ls.id.Account {
			continue
		}
		ls.end.set(endRevoked, "the users file no longer gives this key this access", nil)
		ls.p.Quit()
	}
}

// Serve accepts connections on ln until Shutdown or Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	go s.flushLoop()
	err := s.srv.Serve(ln)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if errors.Is(err, ssh.ErrServerClosed) || closed {
		return nil
	}
	return err
}

// authenticate is the public-key callback: the key must be in the users
// file as it is now. Refusals are audited here, before any session.
//
// A refusal is counted against its source address, not written at once:
// one audit record per source per minute sums them up (flushLoop), so a
// flood of guesses cannot fill the disk with fsynced lines.
func (s *Server) authenticate(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, ok := s.Users().Lookup(key); ok {
		return true
	}
	s.refuse(ctx.RemoteAddr(), gossh.FingerprintSHA256(key), ctx.User())
	return false
}

// identify resolves the session's user from the key the connection
// actually authenticated with (sess.PublicKey, set from the successful
// auth's permissions), not from anything seen in the auth callback
// (CVE-2024-45337). It re-checks the users file: a key removed by a
// reload between auth and session is refused.
func (s *Server) identify(sess ssh.Session) (identity, bool) {
	id := identity{Session: shortID(sess.Context().SessionID()), Remote: sess.RemoteAddr().String()}
	key := sess.PublicKey()
	if key == nil {
		return id, false
	}
	id.Fingerprint = gossh.FingerprintSHA256(key)
	acct, ok := s.Users().Lookup(key)
	id.Account = acct
	return id, ok
}

func shortID(sid string) string {
	if len(sid) > 16 {
		return sid[:16]
	}
	return sid
}

// safeText keeps client-chosen strings (the SSH user name) printable and
// short before they reach the log.
func safeText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// sessionMiddleware is the whole session: identify; serve an scp
// transfer or refuse any other command; require a PTY, run the console,
// log out.
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer next(sess)
		id, ok := s.identify(sess)
		if !ok {
			_ = s.cfg.Audit.Write(Record{Event: "login.refused", Fingerprint: id.Fingerprint, Session: id.Session,
				Remote: id.Remote, Result: "refused", Detail: "key no longer in the users file"})
			wish.Fatalln(sess, "Permission denied.")
			return
		}
		if len(sess.RawCommand()) > 0 {
			// The one kind of command served: scp's own, without a PTY,
			// confined to the user's folder.
			if c, ok, err := parseSCP(sess.Command()); ok {
				s.serveSCP(sess, id, c, err)
				return
			}
			_ = s.cfg.Audit.Write(withResult(id.record("login"), "refused", "a command was given"))
			wish.Fatalln(sess, "malipo runs no commands: ssh -t "+sshTarget(sess)+" opens the console")
			return
		}
		if _, _, hasPty := sess.Pty(); !hasPty {
			_ = s.cfg.Audit.Write(withResult(id.record("login"), "refused", "no terminal (PTY) requested"))
			wish.Fatalln(sess, "malipo needs a terminal: ssh -t "+sshTarget(sess)+" (without a command)")
			return
		}
		s.runSession(sess, id)
	}
}

func withResult(r Record, result, detail string) Record {
	r.Result, r.Detail = result, detail
	return r
}

// sshTarget is how the user reached us, for the hint.
func sshTarget(sess ssh.Session) string {
	host := "HOST"
	if a, ok := sess.LocalAddr().(*net.TCPAddr); ok && a.Port != 22 {
		return fmt.Sprintf("-p %d %s", a.Port, host)
	}
	return host
}

// runSession runs one console program for the session and logs out.
func (s *Server) runSession(sess ssh.Session, id identity) {
	// ctx ends with the session: the console's IntaSend requests derive
	// from it, so logging out cancels whatever is still in flight.
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	files, err := s.openFiles(id)
	switch {
	case errors.Is(err, errNoFiles):
		files = nil
	case err != nil:
		// Fail closed: a console without its folder would fall back to
		// the local console's path prompts.
		s.log.Printf("session %s (%s): folder: %v", id.Session, id.Name, err)
		_ = s.cfg.Audit.Write(withResult(id.record("login"), "refused", "the user's folder cannot be opened"))
		wish.Fatalln(sess, "Your folder on this server cannot be opened; ask the server's administrator.")
		return
	default:
		defer files.Close()
	}
	m := s.console(ctx, id, files)
	defer func() {
		if err := m.Close(); err != nil {
			s.log.Printf("session %s: close: %v", id.Session, err)
		}
	}()
	sm := newSessionModel(ctx, m, s.cfg.Idle, s.cfg.now)
	sm.kill, sm.panicKey, sm.panicCmdKey = cancel, s.cfg.panicKey, s.cfg.panicCmdKey
	// Bubble Tea quits on SIGINT/SIGTERM by default; in a server that
	// would end every session at once, skipping the drain.
	extra := append(bm.MakeOptions(sess), tea.WithoutSignalHandler())
	opts := app.ProgramOptions(ctx, app.RunOptions{NoColor: s.cfg.NoColor, Extra: extra})
	p := tea.NewProgram(sm, opts...)
	ls := &liveSession{p: p, id: id, end: sm.end}
	if why := s.admit(ls); why != "" {
		_ = s.cfg.Audit.Write(withResult(id.record("login"), "refused", why))
		wish.Fatalln(sess, why)
		return
	}
	defer s.untrack(ls)
	if err := s.cfg.Audit.Write(withResult(id.record("login"), "ok", "")); err != nil {
		// Without a durable record nobody may act: refuse the session.
		s.log.Printf("audit log: %v", err)
		wish.Fatalln(sess, "The audit log is not writable; the server refuses sessions until it is fixed.")
		return
	}
	s.log.Printf("login: %s (%s) from %s, key %s, session %s", id.Name, id.Role, id.Remote, id.Fingerprint, id.Session)
	go s.watchResize(ctx, sess, p)
	_, err = p.Run()
	p.Kill()
	cancel()
	s.logout(sess, id, sm.end, err)
}

// clock is the server's clock read in the consoles' zone.
func (s *Server) clock() func() time.Time {
	zone := cmp.Or(s.cfg.Zone, payout.Nairobi)
	return func() time.Time { return s.cfg.now().In(zone) }
}

// console builds the shell for one user on the shared backend.
// files is the user's folder (nil when the server has none); the caller
// closes it after the console.
func (s *Server) console(ctx context.Context, id identity, files *userdir.Dir) *app.Model {
	c := &common.Common{Ctx: ctx,
		Client: s.cfg.Client, Profile: s.cfg.Profile, Mode: s.cfg.Mode,
		Role: id.Role, User: id.Name, FourEyes: s.cfg.FourEyes,
		// The server's clock: expiry and daily limits must read the same
		// time as the journal (tests fix both).
		Now:     s.clock(),
		Auditor: sessionAuditor{log: s.cfg.Audit, id: id},
		Files:   files,
		Pace:    s.cfg.Pace,
	}
	opts := app.Options{Views: s.cfg.Views, DeviceID: s.cfg.DeviceID, NoMouse: s.cfg.NoMouse, NotifyAbove: s.cfg.NotifyAbove}
	if s.cfg.Journal != nil {
		// The same journal for everyone (pending batches are shared),
		// recording this user as the initiator; drafts stay per user.
		opts.Journal = s.cfg.Journal.Private(id.Name)
	}
	// The current file's policy, so a SIGHUP applies to open sessions too.
	opts.Policy = func() *payout.Policy { return s.users.Load().Policy() }
	return app.New(c, opts)
}

// watchResize forwards window changes, as wish's bubbletea middleware
// does, with its own recover: this goroutine is outside the recover
// middleware's reach.
func (s *Server) watchResize(ctx context.Context, sess ssh.Session, p *tea.Program) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Printf("panic in resize watcher: %s", panicText(r))
			p.Quit()
		}
	}()
	_, winCh, _ := sess.Pty()
	for {
		select {
		case <-ctx.Done():
			return
		case w, ok := <-winCh:
			if !ok {
				return
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		}
	}
}

// logout audits how the session ended and tells the user why, on the
// normal screen after the console has left the alternate one.
func (s *Server) logout(sess ssh.Session, id identity, end *sessionEnd, runErr error) {
	reason, detail, stack := end.get()
	if reason == "" {
		reason, detail = s.endReason(sess, runErr)
	}
	if reason == endQuit && s.isDraining() {
		reason = endShutdown
	}
	rec := id.record("logout")
	rec.Result, rec.Detail = reason, detail
	if reason == endPanic {
		rec.Event = "session.panic"
		s.log.Printf("session %s (%s): panic: %s\n%s", id.Session, id.Name, detail, stack)
	}
	if err := s.cfg.Audit.Write(rec); err != nil {
		s.log.Printf("audit log: %v", err)
	}
	s.log.Printf("logout: %s, session %s: %s", id.Name, id.Session, reason)
	if line := goodbye(reason, detail); line != "" {
		wish.Println(sess, line)
	}
	code := 0
	if reason == endPanic {
		code = 1
	}
	_ = sess.Exit(code)
}

// endReason is why a session ended when nothing recorded a reason: how the
// program returned, whether the connection went away, whether the server
// is draining.
func (s *Server) endReason(sess ssh.Session, runErr error) (reason, detail string) {
	switch {
	case errors.Is(runErr, tea.ErrProgramPanic):
		// A background command panicked; Bubble Tea recovered it and
		// printed its stack to stderr.
		return endPanic, "in a background command"
	case sess.Context().Err() != nil:
		return endDropped, ""
	case runErr != nil && s.isDraining():
		return endShutdown, ""
	case runErr != nil:
		return endDropped, runErr.Error()
	}
	return endQuit, ""
}

// goodbye is the line the user reads after the console closes, or "" when
// they ended the session themselves or the connection is gone.
func goodbye(reason, detail string) string {
	switch reason {
	case endIdle:
		return fmt.Sprintf("\r\nLogged out: %s.\r", detail)
	case endPanic:
		return "\r\nmalipo hit an internal error and ended this session; it has been logged. Nothing else was affected.\r"
	case endShutdown:
		return "\r\nThe server is shutting down. Goodbye.\r"
	case endRevoked:
		return "\r\nYour access was changed by the server's administrator; this session has ended.\r"
	}
	return ""
}

// admit registers a session, or says why it may not start: the server is
// draining, full, or the user has too many sessions open already (a
// runaway script or a stolen key should not take the server's memory).
func (s *Server) admit(ls *liveSession) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	mine := 0
	for l := range s.live {
		if l.id.Name == ls.id.Name {
			mine++
		}
	}
	switch {
	case s.draining:
		return "The server is shutting down; try again in a minute."
	case len(s.live) >= s.cfg.MaxSessions:
		return fmt.Sprintf("The server is full (%d sessions); try again later.", len(s.live))
	case mine >= s.cfg.MaxSessionsPerUser:
		return fmt.Sprintf("You already have %d sessions open (the most one person may); close one first.", mine)
	}
	s.live[ls] = struct{}{}
	return ""
}

func (s *Server) untrack(ls *liveSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, ls)
}

func (s *Server) isDraining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draining
}

// closeListeners stops every Serve, now or when it starts.
func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.listeners = nil
}

// Broadcast delivers msg to every open console (an IntaSend event that
// serve --webhooks received). Program.Send queues it on each session's
// own goroutine: no model is touched from here. A session that is ending
// may miss it, which costs nothing.
func (s *Server) Broadcast(msg tea.Msg) int {
	s.mu.Lock()
	sessions := make([]*tea.Program, 0, len(s.live))
	for ls := range s.live {
		sessions = append(sessions, ls.p)
	}
	s.mu.Unlock()
	for _, p := range sessions {
		// Send blocks until the program takes it; a program that has
		// not started yet or has stopped must not hold up the others.
		go p.Send(msg)
	}
	return len(sessions)
}

// Sessions is how many consoles are running.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// Shutdown drains: no new connections or sessions; every session is told
// the server is going down and gets the grace period to finish; then the
// remaining programs quit and the connections close. ctx bounds the whole.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.draining = true
	sessions := make([]*liveSession, 0, len(s.live))
	for ls := range s.live {
		sessions = append(sessions, ls)
	}
	s.mu.Unlock()
	s.log.Printf("shutting down: %d sessions get %s to finish", len(sessions), s.cfg.Grace)
	_ = s.cfg.Audit.Write(Record{Event: "server.stop", Result: "draining", Detail: fmt.Sprintf("%d sessions", len(sessions))})
	for _, ls := range sessions {
		ls.p.Send(shutdownMsg{In: s.cfg.Grace})
	}
	// Stop accepting; connections that are open stay.
	s.closeListeners()
	done := make(chan error, 1)
	go func() { done <- s.srv.Shutdown(ctx) }()
	if !s.waitSessions(ctx, s.cfg.Grace) {
		s.mu.Lock()
		for ls := range s.live {
			ls.p.Quit()
		}
		s.mu.Unlock()
		// The programs quit, their handlers audit the logout.
		s.waitSessions(ctx, 5*time.Second)
	}
	// Every console has ended: close what is left (clients that keep
	// the connection open without a session).
	err := s.srv.Close()
	<-done
	s.stopFlushing()
	return err
}

// waitSessions waits up to d for every session to end.
func (s *Server) waitSessions(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for s.Sessions() > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// Close stops at once, writing the pending refusal tallies.
func (s *Server) Close() error {
	s.closeListeners()
	err := s.srv.Close()
	s.stopFlushing()
	return err
}
