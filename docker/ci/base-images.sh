#!/usr/bin/env bash
# Stand-in base images for the compose smoke test on machines that cannot pull
# from an image registry: a Debian bookworm root from `debootstrap
# --variant=minbase` (Debian's mirror is reachable) turned into an image with
# `docker import`, then, on top of it,
#   jointcert-ci/node      the host's node binary and npm (for docker/Dockerfile)
#   jointcert-ci/postgres  Debian's PostgreSQL with an entrypoint like the official image's
#   jointcert-ci/redis     Debian's redis-server with an entrypoint like the official image's
#   jointcert-ci/mail      an SMTP catcher on Mailpit's ports (1025 SMTP, 8025 HTTP)
# Each image is labelled with a hash of its inputs and rebuilt only when they
# change, so a second run takes seconds. Prints the variables to export.
#   usage: docker/ci/base-images.sh [--print-env]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Debian's docker CLI (BuildKit built in, no buildx needed) when present
DOCKER=${DOCKER:-$([ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker)}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=jointcert-ci/bookworm:minbase
export DOCKER_BUILDKIT=1

log() { echo "[base-images] $*" >&2; }
label() { $DOCKER image inspect -f '{{ index .Config.Labels "jointcert.ci.hash" }}' "$1" 2>/dev/null || true; }

if ! $DOCKER image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  root=$(mktemp -d /var/tmp/jc-debootstrap.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap --variant=minbase bookworm ($MIRROR)"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
  rm -f "$root.log"
  # the same apt source inside the images as on the host
  echo "deb $MIRROR bookworm main" >"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | $DOCKER import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "$BASE imported in $((SECONDS - start)) s"
fi

# build NAME DIR [context]: docker build DIR (or the given context) unless the label matches
build() {
  local name=$1 dir=$2 context=${3:-$2} hash
  hash=$( { $DOCKER image inspect -f '{{.Id}}' "$BASE"; cat "$dir"/*; [ "$context" = "$dir" ] || find "$context" -type f -printf '%P %s\n' | sort; } | sha256sum | cut -c1-16)
  if [ "$(label "$name")" = "$hash" ]; then log "$name is current"; return; fi
  log "building $name"
  local start=$SECONDS
  $DOCKER build -q --label "jointcert.ci.hash=$hash" --build-arg "BASE=$BASE" -f "$dir/Dockerfile" -t "$name" "$context" >/dev/null
  log "$name built in $((SECONDS - start)) s"
}

# node: the host's node binary and npm, in a context of their own
node_ver=$(node --version)
node_ctx=$(mktemp -d /var/tmp/jc-node-ctx.XXXXXX)
trap 'rm -rf "$node_ctx"' EXIT
cp "$here/node/Dockerfile" "$node_ctx/"
cp "$(readlink -f "$(command -v node)")" "$node_ctx/node"
npm_root=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
cp -r "$npm_root" "$node_ctx/npm"
echo "$node_ver" >"$node_ctx/VERSION"
build jointcert-ci/node:20 "$here/node" "$node_ctx"
rm -rf "$node_ctx"
trap - EXIT

build jointcert-ci/postgres:15 "$here/postgres"
build jointcert-ci/redis:7 "$here/redis"
build jointcert-ci/mail:latest "$here/mail"

if [ "${1:-}" = --print-env ]; then
  echo "NODE_IMAGE=jointcert-ci/node:20"
  echo "POSTGRES_IMAGE=jointcert-ci/postgres:15"
  echo "REDIS_IMAGE=jointcert-ci/redis:7"
  echo "MAILPIT_IMAGE=jointcert-ci/mail:latest"
fi
