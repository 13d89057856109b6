// Command heidi connects a ChatGPT Plus/Pro subscription to OpenCode through
// OpenAI's official OAuth login and proves that the connection works.
package main

import (
	"os"

	"github.com/heidi-cli/heidi/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
