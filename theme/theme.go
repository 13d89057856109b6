// Package theme holds heidi's terminal styles and glyphs. It uses the 16 basic
// ANSI colours so the user's own palette (light or dark) decides the shades;
// NO_COLOR and low-colour terminals are handled by the renderer's colour
// profile, which strips or downsamples these styles.
package theme

import "charm.land/lipgloss/v2"

// Glyphs for step states.
const (
	GlyphDone    = "✓"
	GlyphFailed  = "✗"
	GlyphRunning = "●"
	GlyphPending = "○"
	GlyphSkipped = "–"
	GlyphUser    = "?"
	GlyphArrow   = "›"
)

// Styles are the semantic styles of every screen.
type Styles struct {
	Title       lipgloss.Style
	Subtle      lipgloss.Style
	StepDone    lipgloss.Style
	StepActive  lipgloss.Style
	StepPending lipgloss.Style
	StepFailed  lipgloss.Style
	OK          lipgloss.Style
	Error       lipgloss.Style
	Warn        lipgloss.Style
	Hint        lipgloss.Style
	Code        lipgloss.Style
	Key         lipgloss.Style
	Big         lipgloss.Style
	TermFrame   lipgloss.Style
	Panel       lipgloss.Style
	QR          lipgloss.Style // light modules on a dark field, whatever the theme
}

// New returns the default styles.
func New() Styles {
	c := lipgloss.Color
	return Styles{
		Title:       lipgloss.NewStyle().Bold(true),
		Subtle:      lipgloss.NewStyle().Foreground(c("8")),
		StepDone:    lipgloss.NewStyle().Foreground(c("2")),
		StepActive:  lipgloss.NewStyle().Foreground(c("6")).Bold(true),
		StepPending: lipgloss.NewStyle().Foreground(c("8")),
		StepFailed:  lipgloss.NewStyle().Foreground(c("1")).Bold(true),
		OK:          lipgloss.NewStyle().Foreground(c("2")).Bold(true),
		Error:       lipgloss.NewStyle().Foreground(c("1")).Bold(true),
		Warn:        lipgloss.NewStyle().Foreground(c("3")),
		Hint:        lipgloss.NewStyle().Foreground(c("8")),
		Code:        lipgloss.NewStyle().Foreground(c("6")),
		Key:         lipgloss.NewStyle().Bold(true),
		Big:         lipgloss.NewStyle().Bold(true).Foreground(c("3")),
		TermFrame:   lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c("8")),
		Panel:       lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(c("6")).PaddingLeft(1),
		QR:          lipgloss.NewStyle().Foreground(c("15")).Background(c("0")),
	}
}
