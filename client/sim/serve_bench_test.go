package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// The simulator's throughput is judged against a trivial Go handler on the
// same machine in the same run (issue 12 §7: at least 0.8x at 1, 8 and 32
// keep-alive clients). Absolute rates say little on a shared 2-core box;
// the ratio does.

// trivialBody is the baseline's fixed answer: 600 bytes, about the size of
// the simulator's answers on the hot routes.
var trivialBody = bytes.Repeat([]byte("x"), 600)

// benchReq is one request of the hot-route mix, sent as the SDKs send it.
type benchReq struct {
	method, path, body string
	header             http.Header
}

// hotRoutes are the requests a console or an SDK repeats most: the wallet
// list, payment status (public key in the body, as the Node, Python and PHP
// SDKs send it) and send-money status.
func hotRoutes(b *testing.B, base string) []benchReq {
	b.Helper()
	bearer := http.Header{"Authorization": {"Bearer " + aSecret}, "Content-Type": {"application/json"}}
	plain := http.Header{"Content-Type": {"application/json"}}
	post := func(path, body string) map[string]any {
		var out map[string]any
		if code := benchDo(b, &http.Client{}, base, benchReq{"POST", path, body, bearer}, &out); code/100 != 2 {
			b.Fatalf("setup %s: %d %v", path, code, out)
		}
		return out
	}
	stk := post("payment/mpesa-stk-push/", `{"phone_number":"254708374149","amount":100,"api_ref":"bench"}`)
	batch := post("send-money/initiate/", `{"provider":"MPESA-B2C","currency":"KES","requires_approval":"NO",`+
		`"transactions":[{"name":"Jane Doe","account":"254708374149","amount":"150","narrative":"Salary"}]}`)
	invoice := stk["invoice"].(map[string]any)["invoice_id"].(string)
	return []benchReq{
		{"GET", "wallets/", "", bearer},
		{"POST", "payment/status/", fmt.Sprintf(`{"invoice_id":%q,"public_key":%q}`, invoice, aPub), plain},
		{"POST", "send-money/status/", fmt.Sprintf(`{"tracking_id":%q}`, batch["tracking_id"]), bearer},
	}
}

// benchDo sends r and reads the whole answer (decoding it into out when
// out is not nil); it returns the status code.
func benchDo(b *testing.B, hc *http.Client, base string, r benchReq, out any) int {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = r.header.Clone()
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			b.Fatal(err)
		}
	} else if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	return resp.StatusCode
}

// serveBench is one server under test, with its own keep-alive clients.
type serveBench struct {
	base    string
	clients []*http.Client
	elapsed time.Duration
	cpu     time.Duration // the process's CPU time (clients and server)
}

func newServeBench(b *testing.B, h http.Handler, wire bool, clients int) *serveBench {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	if wire {
		srv = sim.NewHTTPServer(h)
		go func() { _ = sim.Serve(srv, ln) }() // as `malipo sim` and the demo serve it
	} else {
		go func() { _ = srv.Serve(ln) }()
	}
	b.Cleanup(func() { _ = srv.Close() })
	sb := &serveBench{base: "http://" + ln.Addr().String() + "/api/v1/"}
	for range clients {
		// One transport each: every client keeps its own connection alive.
		tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
		b.Cleanup(tr.CloseIdleConnections)
		sb.clients = append(sb.clients, &http.Client{Transport: tr})
	}
	return sb
}

// run sends n requests of the mix, spread over the clients, and adds the
// wall-clock time they took to sb.elapsed.
func (sb *serveBench) run(b *testing.B, reqs []benchReq, n int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU(b)
	start := time.Now()
	for _, hc := range sb.clients {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if code := benchDo(b, hc, sb.base, reqs[i%int64(len(reqs))], nil); code != http.StatusOK {
					b.Errorf("%s: status %d", reqs[i%int64(len(reqs))].path, code)
					return
				}
			}
		})
	}
	wg.Wait()
	sb.elapsed += time.Since(start)
	sb.cpu += processCPU(b) - cpu0
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServe: one op is one request of the hot-route mix to the
// simulator (served through sim.Serve, on the real clock, as `malipo sim`
// serves it) and one to a trivial handler answering a fixed 600-byte body
// (plain net/http), both with the same number of keep-alive clients and the
// same client code. The two alternate in rounds, taking turns to go first,
// so that load from elsewhere on the machine falls on both; each round
// gives a ratio (the simulator's rate over the trivial handler's), and
// "ratio" is the median of those: a burst of other work spoils a round or
// two, not the figure. "ratio-total" is the rate over the whole run.
func BenchmarkServe(b *testing.B) {
	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(trivialBody)
	})
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := sim.New(sim.Options{Seed: true, Rand: 42, FailureRate: -1})
			sm := newServeBench(b, s, true, clients)
			tv := newServeBench(b, trivial, false, clients)
			reqs := hotRoutes(b, sm.base)
			// Rounds of about serveRound requests each, so both servers
			// see the same moments of the machine's load.
			rounds := max(1, b.N/serveRound)
			ratios := make([]float64, 0, rounds)
			b.ResetTimer()
			for r := range rounds {
				n := b.N / rounds
				if r < b.N%rounds {
					n++ // the remainder goes to the first rounds
				}
				ts, ss := tv.elapsed, sm.elapsed
				if r%2 == 0 {
					tv.run(b, reqs, n)
					sm.run(b, reqs, n)
				} else {
					sm.run(b, reqs, n)
					tv.run(b, reqs, n)
				}
				ratios = append(ratios, (tv.elapsed-ts).Seconds()/(sm.elapsed-ss).Seconds())
			}
			b.StopTimer()
			simRate := float64(b.N) / sm.elapsed.Seconds()
			trivialRate := float64(b.N) / tv.elapsed.Seconds()
			b.ReportMetric(simRate, "sim-req/s")
			b.ReportMetric(trivialRate, "trivial-req/s")
			b.ReportMetric(median(ratios), "ratio")
			b.ReportMetric(simRate/trivialRate, "ratio-total")
			// CPU per request of the whole process (the clients' share is
			// the same for both), the figure least moved by other load.
			b.ReportMetric(float64(sm.cpu.Microseconds())/float64(b.N), "sim-cpu-µs/req")
			b.ReportMetric(float64(tv.cpu.Microseconds())/float64(b.N), "trivial-cpu-µs/req")
		})
	}
}

// serveRound is the requests per server per round of BenchmarkServe.
const serveRound = 500

// median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// discardWriter is the least a ResponseWriter can be: BenchmarkHandler
// measures the handler, not net/http's response machinery.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkHandler is BenchmarkServe's mix handed straight to
// Server.ServeHTTP, without sockets or net/http's server: the simulator's
// own CPU and allocations per request, the part BenchmarkServe's ratio
// depends on, measured without the noise of the loopback round trip.
func BenchmarkHandler(b *testing.B) {
	s := sim.New(sim.Options{Seed: true, Rand: 42, FailureRate: -1})
	sm := newServeBench(b, s, true, 1)
	reqs := hotRoutes(b, sm.base)
	built := make([]*http.Request, len(reqs))
	bodies := make([]*strings.Reader, len(reqs))
	for i, r := range reqs {
		bodies[i] = strings.NewReader(r.body)
		req, err := http.NewRequest(r.method, "http://127.0.0.1/api/v1/"+r.path, bodies[i])
		if err != nil {
			b.Fatal(err)
		}
		req.Header = r.header
		req.RequestURI = req.URL.RequestURI()
		built[i] = req
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i % len(built)
		bodies[k].Reset(reqs[k].body)
		clear(w.h)
		w.status = 0
		s.ServeHTTP(w, built[k])
		if w.status != http.StatusOK {
			b.Fatalf("%s: status %d", reqs[k].path, w.status)
		}
	}
}
