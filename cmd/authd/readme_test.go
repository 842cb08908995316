package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeQuickStart runs README.md's quick start against the built
// binary, as a reader would: the block that starts authd starts it (in a
// directory of its own, at a free port that replaces localhost:8080 in the
// other blocks), the curl block runs, and each status and error code its
// numbered comments promise must come out, in order. Then the start-over
// block runs after authd has stopped, and the whole walk-through is done
// once more on a fresh start: what a reader who runs it twice meets.
func TestReadmeQuickStart(t *testing.T) {
	t.Parallel()
	needTool(t, "curl")
	blocks := docBlocks(t, "README.md", "Quick start")
	bin, work := buildBinary(t), t.TempDir()
	env := map[string]string{
		"AUTHD_ADDR":         "127.0.0.1:0",
		"AUTHD_DATABASE_URL": "sqlite:" + filepath.Join(work, "authd.db"),
		"AUTHD_BCRYPT_COST":  "4", // the walk-through's few hashes, fast
	}
	var serve, steps, over []guideBlock
	for _, b := range blocks {
		switch first := strings.TrimSpace(strings.SplitN(b.code, "#", 2)[0]); {
		case b.notRun:
		case first == "go run ./cmd/authd":
			serve = append(serve, b)
		case strings.Contains(b.code, "rm -f authd.db"):
			over = append(over, b)
		default:
			steps = append(steps, b)
		}
	}
	if len(serve) != 1 || len(steps) == 0 || len(over) != 1 {
		t.Fatalf("README.md's quick start: %d blocks that start authd, %d of steps, %d that start over; want 1, some, 1",
			len(serve), len(steps), len(over))
	}
	for round := 1; round <= 2; round++ {
		in := startProcess(t, bin, env)
		if _, err := os.Stat(filepath.Join(work, "authd.db")); err != nil {
			t.Fatalf("round %d: the database is not where the quick start says: %v", round, err)
		}
		// The quick start says the key file is made beside the database,
		// readable by its owner only.
		if fi, err := os.Stat(filepath.Join(work, "authd.keys.json")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("round %d: the key file beside the database: %v, %v; want mode 0600", round, fi, err)
		}
		host := strings.TrimPrefix(in.url, "http://")
		for _, b := range steps {
			local := b
			local.code = strings.ReplaceAll(b.code, "localhost:8080", host)
			checkPromises(t, b, runBlock(t, "README.md", local, work, nil))
		}
		if err := in.stop(); err == nil {
			t.Logf("round %d: authd exited 0 when killed", round)
		}
		runBlock(t, "README.md", over[0], work, nil)
		for _, f := range []string{"authd.db", "authd.keys.json"} {
			if _, err := os.Stat(filepath.Join(work, f)); err == nil {
				t.Errorf("round %d: %s is still there after starting over", round, f)
			}
		}
	}
}

// checkPromises compares a block's output with what its numbered comments
// ("# 4. a wrong password: 401 INVALID_CREDENTIALS") promise: the statuses,
// in order, against the output's lines that are a status alone, and each
// error code named against the output's bodies.
func checkPromises(t *testing.T, b guideBlock, out string) {
	t.Helper()
	step := regexp.MustCompile(`(?m)^# \d+\. .*$`)
	status := regexp.MustCompile(`\b[1-5]\d\d\b`)
	var want []string
	for _, c := range step.FindAllString(b.code, -1) {
		want = append(want, status.FindAllString(c, -1)...)
		for _, e := range errorCodes(t) {
			if regexp.MustCompile(`\b`+e+`\b`).MatchString(c) && !strings.Contains(out, `"error_code":"`+e+`"`) {
				t.Errorf("README.md:%d: no %s in the output, which %q promises:\n%s", b.line, e, c, out)
			}
		}
	}
	got := regexp.MustCompile(`(?m)^[1-5]\d\d$`).FindAllString(out, -1)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("README.md:%d: statuses %v, the comments promise %v:\n%s", b.line, got, want, out)
	}
	if len(want) < 7 {
		t.Errorf("README.md:%d: only %d statuses promised; the quick start shows about seven steps", b.line, len(want))
	}
}
