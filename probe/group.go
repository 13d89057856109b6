package probe

import "os/exec"

// SetProcessGroup gives cmd its own process group (on Unix) and makes the
// cancellation of its context kill the whole group, as ExecRunner does.
// On Windows that is a Job Object: start the command with StartInGroup
// and end it with WaitInGroup so the child is put in it and it is closed.
func SetProcessGroup(cmd *exec.Cmd) { setProcessGroup(cmd) }

// StartInGroup starts cmd (prepared by SetProcessGroup) in its group.
func StartInGroup(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		afterWait(cmd)
		return err
	}
	afterStart(cmd)
	return nil
}

// WaitInGroup waits for cmd, then lets go of its group (on Windows, what
// the child left running ends with the job).
func WaitInGroup(cmd *exec.Cmd) error {
	defer afterWait(cmd)
	return cmd.Wait()
}
