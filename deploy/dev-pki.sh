#!/usr/bin/env bash
# Makes a development PKI for Wams Broker with the openssl CLI:
#   - a dev CA (stands in for PKIoverheid),
#   - the broker's certificate and one certificate per example party, each
#     carrying the party's 20-digit OIN in the subject serialNumber, valid for
#     both server and client authentication, for localhost and 127.0.0.1,
#   - the broker's Ed25519 receipt-signing key and HMAC pseudonym key.
# Private keys are written mode 0600 and are never committed (.gitignore).
#
# usage: deploy/dev-pki.sh [OUT_DIR]      (default: deploy/dev-pki)
# Re-running keeps an existing CA and keys; delete OUT_DIR for a fresh PKI.
set -euo pipefail

out_dir=${1:-"$(dirname "$0")/dev-pki"}
days=${WAMS_DEV_PKI_DAYS:-825}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
umask 077

# name|OIN|organisation. The OINs are fictional but well-formed (20 digits).
parties=(
  "broker|00000001001234567100|Wams Broker Voorbeeldstad"
  "municipality|00000001001234567000|Gemeente Voorbeeldstad"
  "neighbourhood-team|00000003123456780000|Wijkteam Voorbeeldstad"
  "ggz|00000003234567890000|GGZ Voorbeeld"
  "school|00000003345678900000|Voorbeeldcollege"
  "police|00000001003214345000|Politie Eenheid Voorbeeld"
  "probation|00000003456789010000|Reclassering Voorbeeld"
  "housing|00000003567890120000|Woonstichting Voorbeeld"
  "auditor|00000001004567890000|Functionaris Gegevensbescherming Voorbeeldstad"
  "outsider|00000009999999990000|Onbekende Partij"
)

ca_key="$out_dir/ca.key"
ca_cert="$out_dir/ca.crt"
if [[ ! -s $ca_cert ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ca_key" \
    -out "$ca_cert" -days "$days" -subj "/C=NL/O=Wams Dev CA/CN=Wams Dev Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
fi

for entry in "${parties[@]}"; do
  IFS='|' read -r name oin organisation <<<"$entry"
  [[ -s "$out_dir/$name.crt" ]] && continue
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$out_dir/$name.key" -out "$out_dir/$name.csr" \
    -subj "/C=NL/O=$organisation/serialNumber=$oin/CN=$name.wams.test" 2>/dev/null
  openssl x509 -req -in "$out_dir/$name.csr" -CA "$ca_cert" -CAkey "$ca_key" \
    -CAcreateserial -out "$out_dir/$name.crt" -days "$days" \
    -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=DNS:localhost,DNS:$name.wams.test,IP:127.0.0.1") 2>/dev/null
  rm -f "$out_dir/$name.csr"
done

# The receipt-signing key (Ed25519, PKCS#8 PEM) and the pseudonym key (32 raw bytes).
[[ -s "$out_dir/receipt-signing.key" ]] ||
  openssl genpkey -algorithm ed25519 -out "$out_dir/receipt-signing.key"
[[ -s "$out_dir/pseudonym.key" ]] || openssl rand -out "$out_dir/pseudonym.key" 32

chmod 600 "$out_dir"/*.key
chmod 644 "$out_dir"/*.crt
echo "dev PKI in $out_dir"
