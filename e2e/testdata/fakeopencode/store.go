package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ---- an order-preserving JSON value (JS object semantics) -------------------

type kv struct {
	k string
	v any // *obj, []any, string, json.Number, bool, nil
}

type obj struct{ kvs []kv }

func (o *obj) get(k string) (any, bool) {
	for _, e := range o.kvs {
		if e.k == k {
			return e.v, true
		}
	}
	return nil, false
}

// set replaces in place (JS keeps the first insertion position) or appends.
func (o *obj) set(k string, v any) {
	for i, e := range o.kvs {
		if e.k == k {
			o.kvs[i].v = v
			return
		}
	}
	o.kvs = append(o.kvs, kv{k, v})
}

func (o *obj) del(k string) {
	for i, e := range o.kvs {
		if e.k == k {
			o.kvs = append(o.kvs[:i:i], o.kvs[i+1:]...)
			return
		}
	}
}

func parseOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			o := &obj{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, errors.New("unexpected delimiter")
	default:
		return x, nil
	}
}

// stringify is JSON.stringify(v, null, 2).
func stringify(v any) string {
	var b strings.Builder
	writeJSON(&b, v, "")
	return b.String()
}

func jsString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(buf.String(), "\n")
	// JSON.stringify leaves U+2028/U+2029 raw; encoding/json escapes them.
	out = strings.ReplaceAll(out, `\u2028`, "\u2028")
	return strings.ReplaceAll(out, `\u2029`, "\u2029")
}

func jsNumber(n json.Number) string {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "null"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func writeJSON(b *strings.Builder, v any, ind string) {
	switch x := v.(type) {
	case *obj:
		if len(x.kvs) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, e := range x.kvs {
			b.WriteString(ind + "  " + jsString(e.k) + ": ")
			writeJSON(b, e.v, ind+"  ")
			if i < len(x.kvs)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(ind + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(ind + "  ")
			writeJSON(b, e, ind+"  ")
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(ind + "]")
	case string:
		b.WriteString(jsString(x))
	case json.Number:
		b.WriteString(jsNumber(x))
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString("null")
	}
}

// ---- the credential store ---------------------------------------------------

// validate decodes one auth.json entry against the real schema (a union on
// "type": oauth{refresh,access,expires,accountId?,enterpriseUrl?},
// api{key,metadata?}, wellknown{key,token}) and returns it re-built in schema
// order with unknown keys dropped, or nil when it does not decode.
func validate(v any) *obj {
	o, ok := v.(*obj)
	if !ok {
		return nil
	}
	str := func(k string) (string, bool) {
		x, ok := o.get(k)
		s, isStr := x.(string)
		return s, ok && isStr
	}
	out := &obj{}
	typ, _ := str("type")
	switch typ {
	case "oauth":
		r, ok1 := str("refresh")
		a, ok2 := str("access")
		e, ok3 := o.get("expires")
		n, isNum := e.(json.Number)
		if !ok1 || !ok2 || !ok3 || !isNum {
			return nil
		}
		out.set("type", "oauth")
		out.set("refresh", r)
		out.set("access", a)
		out.set("expires", n)
		for _, k := range []string{"accountId", "enterpriseUrl"} {
			if x, ok := o.get(k); ok {
				s, isStr := x.(string)
				if !isStr {
					return nil
				}
				out.set(k, s)
			}
		}
	case "api":
		k, ok := str("key")
		if !ok {
			return nil
		}
		out.set("type", "api")
		out.set("key", k)
		if m, ok := o.get("metadata"); ok {
			mo, isObj := m.(*obj)
			if !isObj {
				return nil
			}
			for _, e := range mo.kvs {
				if _, isStr := e.v.(string); !isStr {
					return nil
				}
			}
			out.set("metadata", mo)
		}
	case "wellknown":
		k, ok1 := str("key")
		t, ok2 := str("token")
		if !ok1 || !ok2 {
			return nil
		}
		out.set("type", "wellknown")
		out.set("key", k)
		out.set("token", t)
	default:
		return nil
	}
	return out
}

// readAuth is Auth.all(): OPENCODE_AUTH_CONTENT verbatim when it parses, else
// the file with every entry that fails the schema silently dropped; a missing
// or corrupt file is {}.
func readAuth() *obj {
	if c := env("OPENCODE_AUTH_CONTENT"); c != "" {
		if v, err := parseOrdered([]byte(c)); err == nil {
			if o, ok := v.(*obj); ok {
				return o
			}
			return &obj{}
		}
	}
	out := &obj{}
	b, err := os.ReadFile(authPath())
	if err != nil {
		return out
	}
	v, err := parseOrdered(b)
	if err != nil {
		return out
	}
	o, ok := v.(*obj)
	if !ok {
		return out
	}
	for _, e := range o.kvs {
		if d := validate(e.v); d != nil {
			out.set(e.k, d)
		}
	}
	return out
}

func entryType(v any) string {
	if o, ok := v.(*obj); ok {
		if t, ok := o.get("type"); ok {
			if s, ok := t.(string); ok {
				return s
			}
		}
	}
	return "undefined"
}

// writeAuth is writeJson(path, data, 0o600): directories created 0755, the
// whole file rewritten as 2-space JSON with no trailing newline, and the mode
// forced to 0600 even when the file existed with another mode.
func writeAuth(o *obj) error {
	p := authPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(stringify(o)), 0o600); err != nil {
		return err
	}
	return os.Chmod(p, 0o600)
}

// setAuth is Auth.set(provider, info).
func setAuth(provider string, info *obj) error {
	t := strings.TrimRight(provider, "/")
	all := readAuth()
	if t != provider {
		all.del(provider)
	}
	all.del(t + "/")
	all.set(t, info)
	return writeAuth(all)
}

func removeAuth(provider string) error {
	t := strings.TrimRight(provider, "/")
	all := readAuth()
	all.del(provider)
	all.del(t)
	return writeAuth(all)
}
