// Command malipo is a terminal console for IntaSend merchants. The command
// line lives in package cmd; this file only runs it.
package main

import (
	"os"

	"github.com/malipo/malipo/cmd"
)

func main() { os.Exit(cmd.Main()) }
