#!/usr/bin/env bash
# The `make run` demo: make a TOTP credential, then compute and check a code with the CLI.
set -euo pipefail
mfa=${1:-.build/debug/mfa}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "\$ mfa totp new --issuer Demo --account alice@example.com"
"$mfa" totp new --issuer Demo --account alice@example.com --png "$dir/qr.png" | tee "$dir/out"
secret=$(sed -n 's/^Secret: //p' "$dir/out")
printf '%s\n' "$secret" > "$dir/secret"
chmod 600 "$dir/secret"

echo
echo "\$ mfa totp code --secret-file secret"
code=$("$mfa" totp code --secret-file "$dir/secret")
echo "$code"
echo
echo "\$ mfa totp verify --code $code --secret-file secret"
"$mfa" totp verify --code "$code" --secret-file "$dir/secret"
echo
echo "\$ mfa totp verify --code 000000 --secret-file secret   # a wrong code exits 1"
"$mfa" totp verify --code 000000 --secret-file "$dir/secret" || echo "(exit status $?)"
