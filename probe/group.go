package probe

import "os/exec"

// SetProcessGroup gives cmd its own process group (on Unix) and makes the
// cancellation of its context kill the whole group, as ExecRunner does.
func SetProcessGroup(cmd *exec.Cmd) { setProcessGroup(cmd) }
