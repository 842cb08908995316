package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/authd/authd/internal/store/storetest"
)

// guideBlock is one ```sh block of a guide (docs/deploy.md, README.md).
type guideBlock struct {
	line   int    // of the opening fence
	code   string // the commands
	notRun bool   // the line before it says "Not run here"
}

// guideBlocks reads docs/deploy.md's sh blocks.
func guideBlocks(t *testing.T) []guideBlock {
	t.Helper()
	return docBlocks(t, "docs/deploy.md", "")
}

// docBlocks reads the sh blocks of the file at path (from the repository
// root), only those under the "## " heading named section when it is not
// empty. A block is run unless the paragraph right before it starts with
// "*Not run here" and says why.
func docBlocks(t *testing.T, path, section string) []guideBlock {
	t.Helper()
	f, err := os.Open(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks     []guideBlock
		cur        *guideBlock
		para, last string // the paragraph being read, the last one read
		n          int
		inSection  = section == ""
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		case section != "" && strings.HasPrefix(line, "## "):
			inSection = line == "## "+section
		case !inSection:
		case line == "```sh":
			if para != "" {
				last = para
			}
			cur = &guideBlock{line: n, notRun: strings.HasPrefix(last, "*Not run here")}
			para, last = "", ""
		case strings.HasPrefix(line, "```"):
			t.Errorf("%s:%d: a command block must be ```sh, so the test sees it: %q", path, n, line)
		case strings.TrimSpace(line) == "":
			if para != "" {
				last, para = para, ""
			}
		default:
			para += line + " "
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// guideTools are the commands a block may need beyond authd and a shell.
func guideTools() []string {
	return []string{"curl", "sqlite3", "jq", "promtool"}
}

// needTool finds a program a test runs, or skips without it; under CI it
// fails instead, so CI cannot pass by skipping.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if inCI() {
		t.Fatalf("%s is not installed; .ci/run installs it", name)
	}
	t.Skipf("%s is not installed", name)
}

// TestDeployGuide runs every command block of docs/deploy.md that is not
// marked "Not run here", in order, with authd on PATH, against an authd
// serving SQLite from $DATA with metrics on an address of their own.
func TestDeployGuide(t *testing.T) {
	t.Parallel()
	blocks := guideBlocks(t)
	data, work := t.TempDir(), t.TempDir()
	bin := filepath.Join(t.TempDir(), "authd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The blocks name the deploy/ files by their path from the repository
	// root, and write what they make in the working directory.
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "deploy"), filepath.Join(work, "deploy")); err != nil {
		t.Fatal(err)
	}
	keys, err := exec.Command(bin, "keys", "generate").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "keys.json"), keys, 0o600); err != nil {
		t.Fatal(err)
	}

	env := sqliteEnv(t)
	env["AUTHD_DATABASE_URL"] = "sqlite:" + filepath.Join(data, "authd.db")
	env["AUTHD_METRICS_ADDR"] = "127.0.0.1:0"
	in := start(t, env)
	vars := []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"DATA=" + data, "AUTHD=" + in.url, "METRICS=" + in.sideAddr(t, "metrics"),
	}

	ran := 0
	for _, b := range blocks {
		if b.notRun {
			continue
		}
		ran++
		t.Run(strings.Fields(b.code)[0]+"@"+itoa(b.line), func(t *testing.T) {
			blockEnv := vars
			if strings.Contains(b.code, "$DATABASE_URL") {
				blockEnv = append(blockEnv, "DATABASE_URL="+storetest.PostgresURL(t))
			}
			out := runBlock(t, "docs/deploy.md", b, work, blockEnv)
			checkGuideOutput(t, b.code, out, work)
		})
	}
	if ran < 5 {
		t.Errorf("only %d blocks of docs/deploy.md run", ran)
	}
}

// runBlock runs one block with bash -euo pipefail in dir, with env added
// to this process's environment, and returns its output; a block that fails
// fails the test. A tool the block calls that is missing skips it (fails it
// under CI).
func runBlock(t *testing.T, path string, b guideBlock, dir string, env []string) string {
	t.Helper()
	for _, tool := range guideTools() {
		if regexp.MustCompile(`(^|[|&;(]\s*|\n)` + tool + `\s`).MatchString(b.code) {
			needTool(t, tool)
		}
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", b.code)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s:%d: %v\n%s\n%s", path, b.line, err, b.code, out)
	}
	t.Logf("%s:%d:\n%s%s", path, b.line, b.code, out)
	return string(out)
}

// checkGuideOutput checks what a block's commands are there to show.
func checkGuideOutput(t *testing.T, code, out, work string) {
	t.Helper()
	want := map[string]string{
		"/health/ready":    `"status":"ready"`,
		"authd_build_info": `authd_build_info{version="`,
		"integrity_check":  "ok",
		"authd migrate":    "migrations applied",
	}
	for cue, w := range want {
		if strings.Contains(code, cue) && !strings.Contains(out, w) {
			t.Errorf("output of the %s block lacks %q:\n%s", cue, w, out)
		}
	}
	if !strings.Contains(code, "step1.json") {
		return
	}
	// kids lists a file's signing keys and its data keys, by kid.
	kids := func(name string) (sig, data []string) {
		var set struct{ Keys []struct{ KID, Kty string } }
		b, err := os.ReadFile(filepath.Join(work, name))
		if err != nil || json.Unmarshal(b, &set) != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, k := range set.Keys {
			if k.Kty == "oct" {
				data = append(data, k.KID)
			} else {
				sig = append(sig, k.KID)
			}
		}
		return sig, data
	}
	old, dataKey := kids("keys.json")
	next, none := kids("new.json")
	if len(old) != 1 || len(dataKey) != 1 || len(next) != 1 || len(none) != 0 {
		t.Fatalf("keys.json %v %v, new.json %v %v: want a signing key and a data key, then a signing key alone", old, dataKey, next, none)
	}
	for _, step := range []struct {
		name string
		want []string
	}{
		{"step1.json", []string{old[0], next[0]}},
		{"step2.json", []string{next[0], old[0]}},
		{"step3.json", []string{next[0]}},
	} {
		sig, data := kids(step.name)
		if strings.Join(sig, ",") != strings.Join(step.want, ",") || strings.Join(data, ",") != dataKey[0] {
			t.Errorf("%s: signing keys %v, data keys %v; want %v and the data key %s kept", step.name, sig, data, step.want, dataKey[0])
		}
		if fi, err := os.Stat(filepath.Join(work, step.name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", step.name, err, fi)
		}
	}
}

// TestDeployUnit checks deploy/authd.service with systemd-analyze verify,
// on a copy whose ExecStart names a real authd binary (verify refuses a
// missing one).
func TestDeployUnit(t *testing.T) {
	t.Parallel()
	needTool(t, "systemd-analyze")
	unit, err := os.ReadFile("../../deploy/authd.service")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	text := strings.Replace(string(unit), "ExecStart=/usr/local/bin/authd", "ExecStart="+bin, 1)
	path := filepath.Join(t.TempDir(), "authd.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "authd.service:") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, opt := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
		"SystemCallFilter=@system-service", "StateDirectory=authd", "AUTHD_METRICS_ADDR=127.0.0.1:", "LoadCredential=keys.json:"} {
		if !strings.Contains(text, opt) {
			t.Errorf("the unit lacks %q", opt)
		}
	}
}

// TestDeployKubernetes checks what docs/deploy.md says of
// deploy/kubernetes.yaml: probes, the Secret, ports, the non-root user.
func TestDeployKubernetes(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../../deploy/kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type probe struct {
		HTTPGet struct{ Path, Port string } `yaml:"httpGet"`
	}
	type container struct {
		Image string
		Ports []struct {
			Name          string
			ContainerPort int `yaml:"containerPort"`
		}
		Env []struct {
			Name      string
			Value     string
			ValueFrom *struct {
				SecretKeyRef struct{ Name, Key string } `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		}
		LivenessProbe  probe `yaml:"livenessProbe"`
		ReadinessProbe probe `yaml:"readinessProbe"`
	}
	type doc struct {
		Kind string
		Spec struct {
			Replicas int
			Template struct {
				Spec struct {
					SecurityContext struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
						RunAsUser    int  `yaml:"runAsUser"`
					} `yaml:"securityContext"`
					Containers []container
					Volumes    []struct {
						Secret struct {
							SecretName string `yaml:"secretName"`
						}
					}
				}
			}
			Ports []struct {
				TargetPort string `yaml:"targetPort"`
			}
		}
	}
	kinds := map[string]doc{}
	dec := yaml.NewDecoder(f)
	for {
		var d doc
		if err := dec.Decode(&d); err != nil {
			break
		}
		kinds[d.Kind] = d
	}
	dep, svc := kinds["Deployment"], kinds["Service"]
	if dep.Spec.Replicas < 2 || len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment: %+v", dep.Spec)
	}
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	if c.LivenessProbe.HTTPGet.Path != "/health" || c.ReadinessProbe.HTTPGet.Path != "/health/ready" {
		t.Errorf("probes: liveness %q, readiness %q", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil {
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name
		}
	}
	for name, want := range map[string]string{"AUTHD_DATABASE_URL": "secret:authd", "AUTHD_JWT_KEYS": "/etc/authd/keys.json",
		"AUTHD_METRICS_ADDR": ":9464", "AUTHD_TRUSTED_PROXIES": "10.0.0.0/8"} {
		if env[name] != want {
			t.Errorf("env %s = %q, want %q", name, env[name], want)
		}
	}
	if len(pod.Volumes) != 1 || pod.Volumes[0].Secret.SecretName != "authd" {
		t.Errorf("volumes %+v, want the authd Secret", pod.Volumes)
	}
	if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser != 65532 {
		t.Errorf("security context %+v, want the image's user 65532", pod.SecurityContext)
	}
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["http"] != 8080 || ports["metrics"] != 9464 {
		t.Errorf("ports %v", ports)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service ports %+v, want only http", svc.Spec.Ports)
	}
}
