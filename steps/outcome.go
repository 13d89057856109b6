package steps

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// Outcome is what heidi remembers of the last connect or test run, in its
// own state dir. It never holds a token: LastError is redacted on the way in.
type Outcome struct {
	Time      time.Time `json:"time"`
	Model     string    `json:"model,omitempty"`
	Result    string    `json:"result"` // PASS, FAIL, SKIPPED, CANCELLED
	Step      string    `json:"step,omitempty"`
	LastError string    `json:"lastError,omitempty"`
}

const outcomeFile = "last-connect.json"

// SaveOutcome writes o to the heidi state dir (0700 dir, 0600 file, atomic).
func SaveOutcome(p probe.Paths, o Outcome) error {
	if p.HeidiHome == "" {
		return fmt.Errorf("heidi's state dir is unknown")
	}
	if err := os.MkdirAll(p.HeidiHome, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", p.HeidiHome, err)
	}
	o.LastError = redact.String(o.LastError)
	data, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(p.HeidiHome, outcomeFile), append(data, '\n'), 0o600)
}

// LoadOutcome reads the last outcome; an error when there is none.
func LoadOutcome(p probe.Paths) (*Outcome, error) {
	if p.HeidiHome == "" {
		return nil, os.ErrNotExist
	}
	f, err := os.Open(filepath.Join(p.HeidiHome, outcomeFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var o Outcome
	if err := json.NewDecoder(io.LimitReader(f, 64<<10)).Decode(&o); err != nil {
		return nil, err
	}
	return &o, nil
}
