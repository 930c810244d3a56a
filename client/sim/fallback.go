package sim

import (
	"net/http"
	"strings"
)

// routeFallback answers whatever no route matched as Django REST Framework
// does, in JSON: {"detail":"Not found."} (404), or {"detail":"Method \"X\"
// not allowed."} (405) with an Allow header when the path exists for other
// methods. Go's ServeMux would answer plain text, on which SDKs that call
// resp.json() (the Python SDK) raise a decoding error instead of an HTTP
// error. It is registered on "/", the least specific pattern, so every
// route (and anything other branches mount, such as /_sim/) wins over it.
func (s *Server) routeFallback() {
	s.mux.HandleFunc("/", s.noRoute)
}

// fallbackMethods are the methods probed for Allow, in DRF's order.
var fallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	allow := s.allowedMethods(r)
	if len(allow) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeJSON(w, http.StatusMethodNotAllowed,
		map[string]string{"detail": "Method \"" + r.Method + "\" not allowed."})
}

// allowedMethods asks the mux which methods a real route serves r's path
// for (the fallback itself does not count). GET implies HEAD, as in Go.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range fallbackMethods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return allow
}
