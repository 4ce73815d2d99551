#!/usr/bin/env bash
# Fetch independent test data into .cache/vectors (idempotent):
# NIST PKITS, cryptography's custom and OCSP vectors, from Debian's
# python3-cryptography-vectors package.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/vectors
if [ -d "$dest/x509/PKITS_data/certs" ]; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && { apt-get download python3-cryptography-vectors >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download python3-cryptography-vectors >/dev/null; }; } )
dpkg-deb -x "$tmp"/python3-cryptography-vectors_*.deb "$tmp/x"
src=$(find "$tmp/x" -type d -path '*cryptography_vectors/x509' | head -1)
mkdir -p "$dest"
cp -r "$src" "$dest/x509"
echo "vectors: $(find "$dest" -type f | wc -l) files in $dest"
