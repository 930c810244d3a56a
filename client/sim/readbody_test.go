package sim

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// readRequestBody gives the whole body whichever way it is framed and
// whether or not it fits the request's own buffer.
func TestReadRequestBody(t *testing.T) {
	for _, n := range []int{0, 1, 200, 511, 512, 513, 1500, 70000} {
		body := strings.Repeat("x", n)
		for _, chunked := range []bool{false, true} {
			r, err := http.NewRequest("POST", "http://sim.test/", io.NopCloser(strings.NewReader(body)))
			if err != nil {
				t.Fatal(err)
			}
			r.ContentLength = int64(n)
			if chunked {
				r.ContentLength = -1 // as net/http's server hands over a chunked body
			}
			var buf [512]byte
			got, err := readRequestBody(r, buf[:])
			if err != nil || !bytes.Equal(got, []byte(body)) {
				t.Errorf("%d bytes, chunked %v: %d bytes back, %v", n, chunked, len(got), err)
			}
		}
	}
	// Past the limit, one byte more than allowed shows.
	r, _ := http.NewRequest("POST", "http://sim.test/", io.NopCloser(io.LimitReader(zeros{}, maxRequestBody+100)))
	r.ContentLength = -1
	var buf [512]byte
	if got, err := readRequestBody(r, buf[:]); err != nil || len(got) != maxRequestBody+1 {
		t.Errorf("over-long chunked body: %d bytes, %v", len(got), err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
