package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// runVersion is "authd version".
func runVersion(_ context.Context, c call) error {
	if err := noArgs(c); err != nil {
		return err
	}
	_, err := fmt.Fprintln(c.stdout, buildVersion())
	return err
}

// buildVersion is the -ldflags version, else the module version Go recorded.
// It is the one source of `authd version`, /health's version and
// authd_build_info's version label.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
