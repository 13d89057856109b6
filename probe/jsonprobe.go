package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// This file decodes JSON without keeping values: every value that could be
// a secret is decoded into a probe that records only its kind (and whether a
// string is empty). Object keys are matched exactly (encoding/json's struct
// decoding would also match "Type" for "type"), later duplicates win, as in
// JavaScript's JSON.parse.

// jsonKind is the kind of a JSON value.
type jsonKind uint8

const (
	kindAbsent jsonKind = iota
	kindNull
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

func (k jsonKind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	case kindString:
		return "a string"
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	}
	return "missing"
}

// kindOf classifies a raw, valid JSON value by its first byte.
func kindOf(b []byte) jsonKind {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return kindAbsent
	}
	switch b[0] {
	case 'n':
		return kindNull
	case 't', 'f':
		return kindBool
	case '"':
		return kindString
	case '{':
		return kindObject
	case '[':
		return kindArray
	}
	return kindNumber
}

// kindProbe decodes any JSON value and keeps only its kind and, for a
// string, whether it is empty. It never keeps the value.
type kindProbe struct {
	kind  jsonKind
	empty bool
}

func (k *kindProbe) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*k = kindProbe{kind: kindOf(b)}
	k.empty = k.kind == kindString && len(b) == 2
	return nil
}

// nonEmptyString reports a string value with at least one character.
func (k kindProbe) nonEmptyString() bool { return k.kind == kindString && !k.empty }

// numberProbe keeps the kind and, for a finite number, its value.
type numberProbe struct {
	kind  jsonKind
	value float64
	ok    bool
}

func (n *numberProbe) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*n = numberProbe{kind: kindOf(b)}
	if n.kind == kindNumber {
		f, err := strconv.ParseFloat(string(b), 64)
		if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			n.value, n.ok = f, true
		}
	}
	return nil
}

// errNotWalked is returned when a walk was handed something that is not JSON.
var errNotWalked = errors.New("malformed JSON")

// walkObject calls target for each member of the JSON object b, in order,
// and decodes the member's value into what target returns (which must be a
// pointer to a probe type; nil means "skip"). It reports whether b is an
// object. b must already be valid JSON.
func walkObject(b []byte, target func(key string) any) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return false, errNotWalked
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return false, nil
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return true, errNotWalked
		}
		key, ok := kt.(string)
		if !ok {
			return true, errNotWalked
		}
		dst := target(key)
		if dst == nil {
			dst = &kindProbe{}
		}
		if err := dec.Decode(dst); err != nil {
			return true, errNotWalked
		}
	}
	if _, err := dec.Token(); err != nil {
		return true, errNotWalked
	}
	return true, nil
}

// walkArray decodes each element of the JSON array b into what target
// returns for its index. It reports whether b is an array.
func walkArray(b []byte, target func(i int) any) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return false, errNotWalked
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return false, nil
	}
	for i := 0; dec.More(); i++ {
		dst := target(i)
		if dst == nil {
			dst = &kindProbe{}
		}
		if err := dec.Decode(dst); err != nil {
			return true, errNotWalked
		}
	}
	if _, err := dec.Token(); err != nil {
		return true, errNotWalked
	}
	return true, nil
}
