package sshd

import (
	"net"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// startupKey is where gate leaves the connection's startupConn in the SSH
// context, for authLog to release at login.
type startupKey struct{}

// gate is the ConnCallback, run before the SSH handshake: a banned source
// or one connection too many is closed at once (nil), before any key
// exchange. Each drop is counted for the source's audit record.
func (s *Server) gate(ctx ssh.Context, c net.Conn) net.Conn {
	ip := sourceKey(c.RemoteAddr())
	ok, rec := s.guard.admit(ip)
	if ok && !s.startups.enter(ip) {
		ok, rec = false, s.guard.full(ip)
	}
	if !ok {
		s.audit(rec)
		return nil
	}
	sc := &startupConn{Conn: c, release: func() { s.startups.leave(ip) }}
	ctx.SetValue(startupKey{}, sc)
	return sc
}

// authLog sees every authentication attempt. A success gives the
// connection's unauthenticated slot back; a failed password or
// keyboard-interactive attempt (never accepted here) counts as a refusal
// like an unknown key does. "none" is every client's first probe and is
// not counted; MaxAuthTries bounds it per connection.
func (s *Server) authLog(ctx ssh.Context, md gossh.ConnMetadata, method string, err error) {
	if err == nil {
		if sc, ok := ctx.Value(startupKey{}).(*startupConn); ok {
			sc.loggedIn()
		}
		return
	}
	if method != "none" && method != "publickey" {
		s.refuse(md.RemoteAddr(), "", md.User())
	}
}

// refuse counts one refused login against its source; the operational log
// says when the source is banned (once per ban, not per attempt).
func (s *Server) refuse(remote net.Addr, fingerprint, user string) {
	ip := sourceKey(remote)
	rec, banned := s.guard.refuse(ip, fingerprint, safeText(user))
	s.audit(rec)
	if banned {
		s.log.Printf("%s banned for %s after too many refused logins; its connections are dropped before the handshake",
			sourceText(ip), s.guard.limit.BanFor)
	}
}

// audit writes rec when there is one.
func (s *Server) audit(rec *Record) {
	if rec == nil {
		return
	}
	if err := s.cfg.Audit.Write(*rec); err != nil {
		s.log.Printf("audit log: %v", err)
	}
}

// Unauthenticated is how many connections have not logged in yet.
func (s *Server) Unauthenticated() int { return s.startups.count() }

// flushLoop writes each source's refusal tally once it covers a minute,
// until the server stops.
func (s *Server) flushLoop() {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.flushRefusals(false)
		}
	}
}

// flushRefusals writes the tallies due (all of them when all is set).
func (s *Server) flushRefusals(all bool) {
	for _, r := range s.guard.flush(all) {
		if err := s.cfg.Audit.Write(r); err != nil {
			s.log.Printf("audit log: %v", err)
			return
		}
	}
}

// stopFlushing ends flushLoop and writes every pending tally: what was
// refused before a shutdown is in the log.
func (s *Server) stopFlushing() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.flushRefusals(true)
}
