package chaos

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel SIGKILL the gateway should the test process
// itself die (a timeout's panic, a Ctrl-C), so that no gateway outlives
// the run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
