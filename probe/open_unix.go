//go:build unix

package probe

import "syscall"

const openNonblock = syscall.O_NONBLOCK
