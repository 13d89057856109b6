//go:build windows

package ptyrun

import (
	"os"
	"os/exec"
	"time"
)

var sigTERM os.Signal = os.Interrupt

func startPty(*exec.Cmd, int, int) (*os.File, error) { return nil, ErrUnsupported }

func setSize(*os.File, int, int) error { return ErrUnsupported }

func signalGroup(int, os.Signal) error { return ErrUnsupported }

func killGroup(int) error { return ErrUnsupported }

func waitGroupGone(int, <-chan time.Time) {}
