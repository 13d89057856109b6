//go:build !unix && !windows

package probe

import "os/exec"

// setProcessGroup is a no-op where there are no Unix process groups: the
// default Cancel of exec.CommandContext kills the child itself, and WaitDelay
// keeps a surviving grandchild from holding us up.
func setProcessGroup(cmd *exec.Cmd) {}

func afterStart(*exec.Cmd) {}
func afterWait(*exec.Cmd)  {}
