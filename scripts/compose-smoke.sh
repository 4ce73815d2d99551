#!/usr/bin/env bash
# The compose smoke test (a CI step of its own): a Docker engine (started when
# none runs), base images (the official ones when given, else stand-ins from
# Debian packages: docker/ci/base-images.sh), the product image built from
# docker/Dockerfile exactly as an operator builds it, `docker compose up` (or
# docker-compose 1.29), a bounded wait for health, the README's curl flow
# (scripts/try-it.sh) through the published ports, a registry restart that
# must recover, then `down -v`. Nothing is pulled from a registry.
#
# Every wait is bounded; on failure the compose logs are printed. When no
# engine can start, the step fails loudly (it never skips).
#   env: NODE_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE, MAILPIT_IMAGE (skip the stand-ins),
#        SMOKE_KEEP_IMAGE=1 (keep the product image), CA_BUNDLE (default: the host's bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
say() { printf '[smoke %3ss] %s\n' "$((SECONDS - t0))" "$*"; }
die() { printf '\n[smoke] FAILED: %s\n' "$*" >&2; exit 1; }

# the packages this step needs (scripts/provision.sh --docker installs them too)
missing=()
[ -x /usr/bin/docker ] && { command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ]; } || missing+=(docker.io)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
{ command -v docker-compose || docker compose version; } >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} — install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  say "installing ${missing[*]}"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >/tmp/jointcert-smoke-apt.log 2>&1 \
    || { tail -20 /tmp/jointcert-smoke-apt.log >&2; die "apt-get install ${missing[*]} failed"; }
fi

# Debian's docker CLI (BuildKit without buildx) when present
DOCKER=docker
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker
command -v "$DOCKER" >/dev/null || die "no docker CLI: install docker.io (apt-get install -y docker.io), or run scripts/provision.sh --docker as root"
export DOCKER DOCKER_BUILDKIT=1

# --- 1. the engine
if ! $DOCKER info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || die "no Docker engine and no dockerd to start: apt-get install -y docker.io"
  [ "$(id -u)" = 0 ] || die "the Docker engine is not running and only root can start it here: sudo dockerd &"
  say "starting dockerd (log: /var/log/jointcert-dockerd.log)"
  setsid nohup dockerd >/var/log/jointcert-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 1; done
  if ! $DOCKER info >/dev/null 2>&1; then
    tail -30 /var/log/jointcert-dockerd.log >&2 || true
    die "THE DOCKER ENGINE DID NOT START within 60 s (dockerd log above): the compose smoke test cannot run"
  fi
fi
say "engine: Docker $($DOCKER version -f '{{.Server.Version}}'), storage $($DOCKER info -f '{{.Driver}}')"

# --- 2. compose v2 or v1
if $DOCKER compose version >/dev/null 2>&1; then COMPOSE=("$DOCKER" compose)
elif command -v docker-compose >/dev/null; then COMPOSE=(docker-compose)
else die "neither 'docker compose' (v2) nor docker-compose (v1) is installed: apt-get install -y docker-compose"
fi
say "compose: $("${COMPOSE[@]}" version --short 2>/dev/null || "${COMPOSE[@]}" version | head -1)"

# --- 3. base images: the official ones if the caller names them, else stand-ins
if [ -z "${NODE_IMAGE:-}" ] || [ -z "${POSTGRES_IMAGE:-}" ] || [ -z "${REDIS_IMAGE:-}" ] || [ -z "${MAILPIT_IMAGE:-}" ]; then
  say "stand-in base images (docker/ci/base-images.sh)"
  while IFS='=' read -r k v; do [ -n "${!k:-}" ] || export "$k=$v"; done < <(bash docker/ci/base-images.sh --print-env)
fi
export NODE_IMAGE POSTGRES_IMAGE REDIS_IMAGE MAILPIT_IMAGE
say "images: node=$NODE_IMAGE postgres=$POSTGRES_IMAGE redis=$REDIS_IMAGE mail=$MAILPIT_IMAGE"

# --- 4. the product image, as `docker build` makes it (the CA bundle as a build secret)
export JOINTCERT_IMAGE=jointcert:smoke-$$
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
secret=()
[ -s "$CA_BUNDLE" ] && secret=(--secret "id=ca,src=$CA_BUNDLE")
say "docker build -f docker/Dockerfile -t $JOINTCERT_IMAGE . ${secret[*]}"
build_log=$(mktemp)
if ! $DOCKER build --progress=plain "${secret[@]}" --build-arg "NODE_IMAGE=$NODE_IMAGE" -f docker/Dockerfile -t "$JOINTCERT_IMAGE" . >"$build_log" 2>&1; then
  tail -60 "$build_log" >&2; rm -f "$build_log"
  die "docker build failed (last lines above)"
fi
rm -f "$build_log"
say "built $JOINTCERT_IMAGE ($($DOCKER image inspect -f '{{.Size}}' "$JOINTCERT_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
if $DOCKER run --rm --entrypoint sh "$JOINTCERT_IMAGE" -c 'ls /app/dist/bench /app/dist/test 2>/dev/null; grep -rc "BEGIN CERTIFICATE" /app/dist 2>/dev/null | awk -F: "\$2 > 3" | head -1; [ -z "${NODE_EXTRA_CA_CERTS:-}" ] || echo NODE_EXTRA_CA_CERTS' | grep -q .; then
  die "the image holds bench/test code, a CA bundle (a file with several certificates) or NODE_EXTRA_CA_CERTS"
fi

# --- 5. compose up on free ports
free_port() { node -e 'const net=require("net");const s=net.createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export GATEWAY_PUBLISH=127.0.0.1:$(free_port) DEV_CA_PUBLISH=127.0.0.1:$(free_port) MAILPIT_PUBLISH=127.0.0.1:$(free_port)
export COMPOSE_PROJECT_NAME=jcsmoke$$
compose() { "${COMPOSE[@]}" "$@"; }
finish() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "----- compose ps / logs (last 80 lines per service) -----" >&2
    compose ps >&2 || true
    compose logs --no-color --tail=80 >&2 || true
  fi
  say "teardown: down -v"
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  [ -n "${SMOKE_KEEP_IMAGE:-}" ] || $DOCKER image rm "$JOINTCERT_IMAGE" >/dev/null 2>&1 || true
  [ $rc -eq 0 ] && say "PASSED in $((SECONDS - t0)) s" || echo "[smoke] FAILED after $((SECONDS - t0)) s" >&2
}
trap finish EXIT
say "compose up -d (project $COMPOSE_PROJECT_NAME; gateway $GATEWAY_PUBLISH, dev CA $DEV_CA_PUBLISH, mail $MAILPIT_PUBLISH)"
compose up -d --no-build >/dev/null 2>&1 || { compose up -d --no-build || true; die "compose up failed"; }

# wait_healthy SERVICE SECONDS: until its container's healthcheck passes
wait_healthy() {
  local id status=''
  for _ in $(seq 1 "$2"); do
    id=$(compose ps -q "$1")
    status=$($DOCKER inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || true)
    [ "$status" = healthy ] && return 0
    sleep 1
  done
  die "$1 not healthy within $2 s (last status: ${status:-none})"
}
# wait_ready SECONDS: until the gateway's /health/ready says every dependency answers
wait_ready() {
  for _ in $(seq 1 "$1"); do
    curl -fsS -m 3 "http://$GATEWAY_PUBLISH/health/ready" >/dev/null 2>&1 && return 0
    sleep 1
  done
  curl -sS -m 3 "http://$GATEWAY_PUBLISH/health/ready" >&2 || true
  die "the gateway's /health/ready did not pass within $1 s"
}
for s in postgres redis dev-ca gateway; do wait_healthy "$s" 120; done
wait_ready 60
say "healthy"

# --- 6. the README's flow through the published ports
export GATEWAY_URL=http://$GATEWAY_PUBLISH DEV_CA_URL=http://$DEV_CA_PUBLISH
bash scripts/try-it.sh >/tmp/jointcert-smoke-try-it.log 2>&1 || { cat /tmp/jointcert-smoke-try-it.log >&2; die "scripts/try-it.sh failed"; }
say "try-it.sh passed"

# --- least privilege: the services' role sees the audit rows but cannot delete them
as_service() { compose exec -T -e PGPASSWORD="${APP_DB_PASSWORD:-jointcert-service}" postgres psql -h 127.0.0.1 -U jointcert_service -d jointcert -v ON_ERROR_STOP=1 -Atc "$1" 2>&1; }
rows=$(as_service 'SELECT count(*) FROM audit_events') || die "the services' role cannot read audit_events: $rows"
[ "$rows" -gt 0 ] || die "no audit rows after the flow"
out=$(as_service 'DELETE FROM audit_events') && die "the services' role deleted audit rows"
case "$out" in *"permission denied"*) ;; *) die "unexpected answer to DELETE as the services' role: $out" ;; esac
say "least privilege: $rows audit rows, DELETE refused to jointcert_service"

# --- 7. a registry restart recovers: the flow passes again
t1=$SECONDS
compose restart registry >/dev/null 2>&1
wait_ready 60
bash scripts/try-it.sh >/tmp/jointcert-smoke-try-it.log 2>&1 || { cat /tmp/jointcert-smoke-try-it.log >&2; die "scripts/try-it.sh failed after restarting the registry"; }
say "registry restarted; ready and the flow passed again in $((SECONDS - t1)) s"
rm -f /tmp/jointcert-smoke-try-it.log
