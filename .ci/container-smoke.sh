#!/usr/bin/env bash
# container-smoke.sh: build authd's runtime image FROM scratch out of a
# locally built static binary (no base image can be pulled here), run it
# with podman on the host network, and check /health, /auth/register,
# /metrics (absent from the API port, served on AUTHD_METRICS_ADDR),
# `authd version`, and that with no key setting the key file authd writes
# beside the database in the volume survives a restart. Called by .ci/run
# with CONTAINERS_CONF set;
# every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

version="ci-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
image=localhost/authd:ci
name="authd-ci-$$"
volume="authd-ci-data-$$"
port=$((20000 + RANDOM % 20000))
metrics_port=$((port + 1))
base="http://127.0.0.1:$port"
work=$(mktemp -d)

cleanup() {
	podman rm -f "$name" >/dev/null 2>&1 || true
	podman volume rm -f "$volume" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "container smoke test FAILED: $*"
	podman logs "$name" 2>&1 | tail -n 20 || true
	exit 1
}

# The same files as the Containerfile's build stage, and its last stage
# verbatim except that the files come from the context, not a stage.
sh container/rootfs.sh "$version" "$work/image"
sed -n '/^FROM scratch AS runtime$/,$p' Containerfile | sed 's#--from=build /image/#image/#' >"$work/Containerfile"
grep -q '^FROM scratch AS runtime$' "$work/Containerfile" || fail "no 'FROM scratch AS runtime' stage in Containerfile"
podman build --pull=never -q -t "$image" -f "$work/Containerfile" "$work" >/dev/null
echo "image: $image ($(podman image inspect --format '{{.Size}}' "$image") bytes), version $version"

got=$(timeout 30 podman run --rm --network=none "$image" version)
[ "$got" = "$version" ] || fail "authd version printed '$got', want '$version'"
echo "authd version: $got"

# No key setting: authd makes /data/authd.keys.json on its first start.
serve() {
	podman run -d --name "$name" --network=host -v "$volume:/data" \
		-e AUTHD_ADDR="127.0.0.1:$port" \
		-e AUTHD_METRICS_ADDR="127.0.0.1:$metrics_port" \
		-e AUTHD_BCRYPT_COST=4 \
		"$image" >/dev/null
	health=""
	for _ in $(seq 1 60); do
		if health=$(curl -fsS --max-time 2 "$base/health" 2>/dev/null); then break; fi
		health=""
		sleep 0.5
	done
	[ -n "$health" ] || fail "no answer on $base/health within 30s"
}
# logged TEXT waits (at most 5 s: the log is flushed every 100 ms) for a
# line of the container's log that contains TEXT.
logged() {
	for _ in $(seq 1 25); do
		case "$(podman logs "$name" 2>&1)" in *"$1"*) return 0 ;; esac
		sleep 0.2
	done
	return 1
}
serve
echo "user in the container: $(podman inspect --format '{{.Config.User}}' "$name")"
logged '"key_file":"/data/authd.keys.json"' || fail "no log line naming the key file in the volume"
echo "GET /health: $health"
case "$health" in *"\"version\":\"$version\""*'"database":"ok"'*) ;; *) fail "/health: $health" ;; esac

code=$(curl -sS --max-time 10 -o "$work/register.json" -w '%{http_code}' -H 'Content-Type: application/json' \
	-d '{"username":"smoke","email":"smoke@example.com","password":"container-check-pw-1"}' "$base/auth/register")
[ "$code" = 201 ] || fail "POST /auth/register: $code $(cat "$work/register.json")"
grep -q '"access_token"' "$work/register.json" || fail "register gave no access token"
echo "POST /auth/register: $code"

# Never on the API listener; on AUTHD_METRICS_ADDR only.
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$base/metrics")
[ "$code" = 404 ] || fail "GET /metrics on the API port: $code, want 404"
curl -fsS --max-time 10 "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics.txt" || fail "GET /metrics on AUTHD_METRICS_ADDR"
grep -q "^authd_build_info{version=\"$version\"} 1$" "$work/metrics.txt" || fail "authd_build_info{version=\"$version\"} missing"
grep -q '^authd_http_requests_total{code="201",method="POST",route="/auth/register"} 1$' "$work/metrics.txt" ||
	fail "register not counted in /metrics"
echo "GET /metrics: 404 on the API port; $(grep -c '^authd_' "$work/metrics.txt") authd_ samples on the metrics port, build_info and the register counted"

# A new container on the same volume reuses the key file: the token of the
# first one still works.
access=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$work/register.json")
podman stop -t 10 "$name" >/dev/null && podman rm "$name" >/dev/null
serve
code=$(curl -sS --max-time 10 -o "$work/me.json" -w '%{http_code}' -H "Authorization: Bearer $access" "$base/auth/me")
[ "$code" = 200 ] || fail "GET /auth/me after a restart: $code $(cat "$work/me.json")"
logged '"message":"key file loaded"' || fail "the second container did not load the key file"
echo "GET /auth/me after a restart on the same volume: $code"

# The SQLite file is in the volume, written by the non-root user.
podman run --rm --network=none -v "$volume:/data" --entrypoint /authd "$image" migrate 2>/dev/null ||
	fail "the database in the volume cannot be opened again"
echo "container smoke test passed"
