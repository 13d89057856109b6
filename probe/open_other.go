//go:build !unix

package probe

const openNonblock = 0
