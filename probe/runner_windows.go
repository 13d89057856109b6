//go:build windows

package probe

import (
	"os/exec"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows a child's descendants end with it through a Job Object (the
// process group's part on Unix): the child is put in a job that kills
// every process in it when heidi cancels the command, and when the job is
// closed after the command ends, so nothing the child started outlives it.
// A child's own children join its job by themselves.

var jobs sync.Map // *exec.Cmd → windows.Handle

func setProcessGroup(cmd *exec.Cmd) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return // the default Cancel still kills the child itself
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation, uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(job)
		return
	}
	jobs.Store(cmd, job)
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		// The job ends the child's descendants; the child itself is killed
		// too, in case it could not be put in the job.
		_ = windows.TerminateJobObject(job, 1)
		return cmd.Process.Kill()
	}
}

// afterStart puts the started child in its job.
func afterStart(cmd *exec.Cmd) {
	v, ok := jobs.Load(cmd)
	if !ok || cmd.Process == nil {
		return
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid))
	if err != nil {
		return
	}
	_ = windows.AssignProcessToJobObject(v.(windows.Handle), h)
	_ = windows.CloseHandle(h)
}

// afterWait closes the job: what the child left running ends with it.
func afterWait(cmd *exec.Cmd) {
	if v, ok := jobs.LoadAndDelete(cmd); ok {
		_ = windows.CloseHandle(v.(windows.Handle))
	}
}
