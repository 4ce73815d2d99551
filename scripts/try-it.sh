#!/usr/bin/env bash
# The frontend flow against a running `npm start`, with curl and openssl
# (node only to read JSON): a certificate from the dev CA, a challenge, a CMS
# signature over its nonce, sign-up, login, the account's certificates; then
# a second certificate, revoked by the dev CA, is refused (OCSP).
#
#   bash scripts/try-it.sh                  # gateway :3000, dev CA :3100
#   GATEWAY_URL=http://127.0.0.1:3901 DEV_CA_URL=http://127.0.0.1:3902 bash scripts/try-it.sh
set -euo pipefail
GW=${GATEWAY_URL:-http://127.0.0.1:3000}
CA=${DEV_CA_URL:-http://127.0.0.1:3100}
IDN=8001011234567
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# json FIELD < file: a (dotted) field of a JSON document, strings raw
json() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>(o==null?o:o[k]),JSON.parse(s));process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# call EXPECTED_STATUS curl-args...: prints the body, fails on another status
call() {
  local want=$1; shift
  local code
  code=$(curl -sS -o body.json -w '%{http_code}' "$@")
  node -e 'const s=require("fs").readFileSync("body.json","utf8");try{console.log(JSON.stringify(JSON.parse(s),null,2).slice(0,1500))}catch{console.log(s.slice(0,500))}'
  if [ "$code" != "$want" ]; then echo "expected HTTP $want, got $code" >&2; exit 1; fi
  echo "-> HTTP $code"
}
# sign_challenge: a fresh challenge, its nonce signed with cert.pem/key.pem; sets CHALLENGE_ID and SIGNED
sign_challenge() {
  call 201 -X POST "$GW/v1/challenges"
  CHALLENGE_ID=$(json challengeId < body.json)
  json nonce < body.json | base64 -d > nonce.bin
  SIGNED=$(openssl cms -sign -binary -nodetach -outform DER -signer cert.pem -inkey key.pem -certfile chain.pem -in nonce.bin | base64 -w0)
}

step "1. a certificate from the dev CA (POST $CA/issue)"
call 201 -X POST "$CA/issue" -H 'content-type: application/json' -d '{"password":"dev-password-1","name":"홍길동","idn":"'$IDN'"}'
cp body.json issued.json
json certificatePem < issued.json > cert.pem
json privateKeyPem < issued.json > key.pem
json chainPem < issued.json > chain.pem
R=$(json randomNum < issued.json)
openssl x509 -in cert.pem -noout -subject -enddate

step "2. a challenge (POST $GW/v1/challenges), its nonce signed with openssl cms"
sign_challenge
echo "signedData: ${SIGNED:0:60}... (${#SIGNED} base64 chars)"

step "3. sign up with the certificate (POST /v1/certificates), with the identity check"
call 201 -X POST "$GW/v1/certificates" -H 'content-type: application/json' \
  -d '{"challengeId":"'"$CHALLENGE_ID"'","signedData":"'"$SIGNED"'","email":"hong@example.test","identity":{"idn":"'$IDN'","randomNum":"'"$R"'"}}'

step "4. log in (POST /v1/sessions) with a new challenge"
sign_challenge
call 201 -X POST "$GW/v1/sessions" -H 'content-type: application/json' -d '{"challengeId":"'"$CHALLENGE_ID"'","signedData":"'"$SIGNED"'"}'
TOKEN=$(json accessToken < body.json)

step "5. the account's certificates (GET /v1/certificates, bearer token)"
call 200 "$GW/v1/certificates" -H "authorization: Bearer $TOKEN"

step "6. a revoked certificate is refused: the dev CA issues a second one and revokes it (POST $CA/revoke)"
# (a certificate already checked stays "good" in the verifier's cache until the OCSP nextUpdate, 1 hour)
call 201 -X POST "$CA/issue" -H 'content-type: application/json' -d '{"password":"dev-password-2"}'
json certificatePem < body.json > cert.pem
json privateKeyPem < body.json > key.pem
SERIAL2=$(json serialHex < body.json)
call 200 -X POST "$CA/revoke" -H 'content-type: application/json' -d '{"serialHex":"'"$SERIAL2"'","reason":"keyCompromise"}'
sign_challenge
call 422 -X POST "$GW/v1/certificates" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
  -d '{"challengeId":"'"$CHALLENGE_ID"'","signedData":"'"$SIGNED"'"}'
[ "$(json code < body.json)" = CERT_REVOKED ] || { echo "expected code CERT_REVOKED" >&2; exit 1; }

printf '\n\033[1mall steps answered as expected\033[0m\n'
