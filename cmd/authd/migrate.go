package main

import (
	"context"
	"log/slog"
)

// runMigrate is "authd migrate": apply the migrations and exit. The keys
// are checked too, as by every command that opens the store, so a
// deployment's mistake shows at its first step.
func runMigrate(ctx context.Context, c call) error {
	if err := noArgs(c); err != nil {
		return err
	}
	// The operator commands keep the log on stderr.
	d, err := openDeps(ctx, c.getenv, c.stderr)
	if err != nil {
		return err
	}
	defer d.st.Close()
	d.log.InfoContext(ctx, "migrations applied", slog.String("logger", "main"), slog.String("database", d.cfg.DB.Driver))
	return nil
}
