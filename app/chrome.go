package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// toast is a short message that clears itself after toastTTL.
type toast struct {
	id   int
	kind common.ToastKind
	text string
}

type toastExpiredMsg struct{ id int }

// maxToasts bounds the stack; older ones give way.
const maxToasts = 3

// addToast shows t and schedules its removal with tea.Tick: no goroutine of
// ours, and a test can deliver the expiry message itself.
func (m *Model) addToast(t common.ToastMsg) tea.Cmd {
	m.toastSeq++
	id := m.toastSeq
	m.toasts = append(m.toasts, toast{id: id, kind: t.Kind, text: t.Text})
	if len(m.toasts) > maxToasts {
		m.toasts = m.toasts[len(m.toasts)-maxToasts:]
	}
	return tea.Tick(toastTTL, func(time.Time) tea.Msg { return toastExpiredMsg{id: id} })
}

func (m *Model) expireToast(id int) {
	for i, t := range m.toasts {
		if t.id == id {
			m.toasts = append(m.toasts[:i:i], m.toasts[i+1:]...)
			return
		}
	}
}

// toastLine renders a toast with a symbol, so its kind reads without colour
// (unless the text already starts with it).
func toastLine(s *common.Styles, t toast) string {
	style, sym := s.ToastInfo, "•"
	switch t.kind {
	case common.ToastSuccess:
		style, sym = s.ToastSuccess, common.SymOK
	case common.ToastWarn:
		style, sym = s.ToastWarn, common.SymWarn
	case common.ToastError:
		style, sym = s.ToastError, common.SymFailed
	}
	text := t.text
	if !strings.HasPrefix(text, sym) {
		text = sym + " " + text
	}
	return style.Padding(0).Render(text)
}

// errorPanel is the dismissible panel for a failed request. It carries
// IntaSend's own words (APIError.Message), not our paraphrase.
type errorPanel struct {
	title, message string
	fields         []string // further validation errors, "attr: detail"
	// detail is the raw error under the words (a network failure's
	// "dial tcp …"), for support and log searches.
	detail string
}

func (m *Model) showError(e common.ErrorMsg) {
	if e.Err == nil {
		return
	}
	p := &errorPanel{title: e.Title, message: errorText(e.Err), detail: text.ErrDetail(e.Err)}
	var api *client.APIError
	if errors.As(e.Err, &api) {
		for _, d := range api.Errors[min(1, len(api.Errors)):] {
			if d.Attr != "" {
				p.fields = append(p.fields, d.Attr+": "+d.Detail)
			} else {
				p.fields = append(p.fields, d.Detail)
			}
		}
	}
	if p.title == "" {
		p.title = "Something went wrong"
	}
	var tr *client.TransportError
	if errors.As(e.Err, &tr) {
		m.health.record(common.HealthMsg{OK: false, At: m.c.Now()})
	}
	m.errPanel = p
}

// errorText is what the user reads: IntaSend's message for an API error,
// a plain sentence for a network failure (text.ErrText's words; the raw
// error goes to the panel's detail line).
func errorText(err error) string {
	var api *client.APIError
	if errors.As(err, &api) {
		return fmt.Sprintf("IntaSend said (HTTP %d): %s", api.Status, api.Message())
	}
	var tr *client.TransportError
	if errors.As(err, &tr) {
		words := sentence(text.ErrText(err))
		if tr.Sent {
			words += " It may have been processed: check its status before retrying."
		}
		return words
	}
	return err.Error()
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// health is the status bar's connection state: the last outcome and when
// the last request succeeded.
type health struct {
	known  bool
	ok     bool
	lastOK time.Time
}

func (h *health) record(msg common.HealthMsg) {
	h.known = true
	h.ok = msg.OK
	if msg.OK && msg.At.After(h.lastOK) {
		h.lastOK = msg.At
	}
}
