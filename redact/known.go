package redact

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash/maphash"
	"net/url"
	"strings"
	"sync"
)

// Secrets of any shape that heidi saw in the user's credential store are
// masked by value. For each one the package keeps, in memory and until the
// process exits, never the value but, for each of its encoded forms (as is,
// standard and URL-safe base64 with and without padding, URL query
// escaping): the form's length, an HMAC-SHA-256 of the form and a 64-bit
// keyed hash of its first 8 bytes, all under a random 32-byte key made at
// start. A run of output whose hashes match is masked like any secret.

// minKnown is the shortest value Learn keeps: shorter strings in a store
// are names and flags, not secrets, and masking them would mask ordinary
// words.
const minKnown = 12

// prefixLen is how many leading bytes the fast filter hashes.
const prefixLen = 8

type knownForm struct {
	n   int
	sum [sha256.Size]byte
}

var known struct {
	mu     sync.RWMutex
	key    [32]byte
	seed   maphash.Seed
	ready  bool
	first  [256]bool              // first bytes of the forms
	byPre  map[uint64][]knownForm // by keyed hash of the first prefixLen bytes
	maxLen int
	count  int
}

func knownInit() {
	if !known.ready {
		_, _ = rand.Read(known.key[:])
		known.seed = maphash.MakeSeed()
		known.byPre = map[uint64][]knownForm{}
		known.ready = true
	}
}

func (k *knownForm) matches(b []byte) bool {
	if len(b) != k.n {
		return false
	}
	m := hmac.New(sha256.New, known.key[:])
	m.Write(b)
	var sum [sha256.Size]byte
	return hmac.Equal(m.Sum(sum[:0]), k.sum[:])
}

// preHash is the fast filter: a seeded (keyed) 64-bit hash; a hit is
// confirmed with the HMAC.
func preHash(b []byte) uint64 { return maphash.Bytes(known.seed, b) }

// Learn remembers secret (see the package comment) so that String and every
// Stream mask it wherever it appears, encoded or not. Values shorter than
// 12 bytes, or with white space, are ignored. Safe for concurrent use.
func Learn(secret string) {
	if len(secret) < minKnown || strings.ContainsAny(secret, " \t\r\n") {
		return
	}
	b := []byte(secret)
	forms := []string{
		secret,
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		url.QueryEscape(secret),
	}
	known.mu.Lock()
	defer known.mu.Unlock()
	knownInit()
	seen := map[string]bool{}
	for _, f := range forms {
		if seen[f] {
			continue
		}
		seen[f] = true
		m := hmac.New(sha256.New, known.key[:])
		m.Write([]byte(f))
		var k knownForm
		k.n = len(f)
		copy(k.sum[:], m.Sum(nil))
		p := preHash([]byte(f[:prefixLen]))
		dup := false
		for _, o := range known.byPre[p] {
			dup = dup || o == k
		}
		if dup {
			continue
		}
		known.byPre[p] = append(known.byPre[p], k)
		known.first[f[0]] = true
		known.maxLen = max(known.maxLen, len(f))
		known.count++
	}
}

// LearnJSON remembers every string value of a JSON document (a credential
// store such as OpenCode's auth.json) that could be a secret: at least 12
// bytes, no white space, not a URL, and not under a key that names public
// data ("type", "accountId", "enterpriseUrl", …). Invalid JSON is ignored.
func LearnJSON(data []byte) {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				walk(k, e)
			}
		case []any:
			for _, e := range t {
				walk(key, e)
			}
		case string:
			if !publicKey(key) && !strings.Contains(t, "://") {
				Learn(t)
			}
		}
	}
	walk("", v)
}

func publicKey(k string) bool {
	switch strings.ToLower(k) {
	case "type", "accountid", "account_id", "enterpriseurl", "baseurl", "url", "provider", "name", "email", "region", "model":
		return true
	}
	return false
}

// Known is how many encoded forms are remembered (for tests and status).
func Known() int {
	known.mu.RLock()
	defer known.mu.RUnlock()
	return known.count
}

// knownSpans adds the remembered secrets found in w[from:] to spans. When
// final is false, it lowers hold to the start of a trailing run that could
// still become one (its first bytes match a remembered form's, or fewer
// than 8 bytes are left and its first byte is one).
func knownSpans(w []byte, from int, final bool, spans []span, hold int) ([]span, int) {
	known.mu.RLock()
	defer known.mu.RUnlock()
	if known.count == 0 {
		return spans, hold
	}
	n := len(w)
	for i := from; i < n; i++ {
		if !known.first[w[i]] {
			continue
		}
		if n-i < prefixLen {
			if !final && n-i < known.maxLen {
				hold = min(hold, i)
			}
			continue
		}
		forms := known.byPre[preHash(w[i:i+prefixLen])]
		for _, k := range forms {
			switch {
			case i+k.n <= n:
				if k.matches(w[i : i+k.n]) {
					spans = addSpan(spans, span{i, i, i + k.n})
				}
			case !final:
				hold = min(hold, i)
			}
		}
	}
	return spans, hold
}

// forget drops every remembered secret (tests only).
func forget() {
	known.mu.Lock()
	defer known.mu.Unlock()
	known.ready = false
	known.byPre = nil
	known.first = [256]bool{}
	known.maxLen, known.count = 0, 0
	knownInit()
}
