//go:build windows

package main

import "os"

// On Windows (heidi.exe under wine, issue 20) the fake runs on pipes only:
// no terminal, so no raw mode, no size and no resize signal.

func isTTY(*os.File) bool { return false }

func termSize() (cols, rows int) { return 0, 0 }

func setRaw(bool) {}

func killSelf() { os.Exit(137) }

func notifyWinch(chan os.Signal) {}
