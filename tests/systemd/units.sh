#!/usr/bin/env bash
# Checks the systemd units as built, with no systemd running (nothing here
# starts a unit or talks to PID 1):
#  - netcookd.service: no unsubstituted @VARIABLE@, the sandbox directives in
#    alphabetical order, systemd-analyze security --offline at most 1.5;
#  - with sandbox.conf applied as a drop-in: at most 0.8, and lower than
#    without it (proof that the drop-in was read);
#  - systemd-analyze verify --man=no on the service (alone, with sandbox.conf
#    and with the TLS credentials example drop-in) and on an instance of
#    netcookd@.socket given a Listen drop-in, each pointing at the built
#    binary; and the template without one refuses to load, as its comment
#    and netcookd(8) say.
# Units are analysed inside temporary --root trees so that drop-ins on the
# host cannot change the result.
#
# usage: units.sh SERVICE SOCKET_TEMPLATE SANDBOX_CONF NETCOOKD_BINARY TLS_CREDENTIALS_CONF
set -euo pipefail

service=$1 socket_template=$2 sandbox=$3 tls_credentials=$5
binary=$(realpath -e "$4")  # meson passes it relative to the build directory
analyze=${SYSTEMD_ANALYZE:-systemd-analyze}
if ! command -v "$analyze" >/dev/null; then
  echo "SKIP: $analyze not found (package systemd)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# --- the rendered file
if grep -n '@[A-Z_]*@' "$service"; then
  fail "netcookd.service has unsubstituted variables (above)"
else
  pass "netcookd.service has every @VARIABLE@ substituted"
fi

# The block after "# Sandbox" up to the blank line: its keys must be sorted.
sandbox_keys=$(awk '/^# Sandbox/ {on = 1} on && /^$/ {exit} on && /^[A-Za-z]/ {sub(/=.*/, ""); print}' "$service")
if [[ -z $sandbox_keys ]]; then
  fail "no '# Sandbox' block found in netcookd.service"
elif [[ $sandbox_keys != "$(LC_ALL=C sort <<<"$sandbox_keys")" ]]; then
  fail "sandbox directives are not in alphabetical order: $(tr '\n' ' ' <<<"$sandbox_keys")"
else
  pass "$(wc -l <<<"$sandbox_keys") sandbox directives in alphabetical order"
fi

# --- exposure scores
# Prints the overall exposure of netcookd.service in ROOT and returns
# systemd-analyze's status for THRESHOLD (tenths).
exposure() {
  local root=$1 threshold=$2 out status=0
  out=$("$analyze" security --offline=yes --root="$root" --threshold="$threshold" \
    --no-pager netcookd.service 2>&1) || status=$?
  sed -n 's/.*Overall exposure level for netcookd.service: \([0-9.]*\).*/\1/p' <<<"$out"
  return "$status"
}

plain="$work/plain/etc/systemd/system"
mkdir -p "$plain"
cp "$service" "$plain/netcookd.service"
plain_score=$(exposure "$work/plain" 15) && plain_status=0 || plain_status=$?
if [[ -z $plain_score ]]; then
  fail "no exposure score for netcookd.service"
elif ((plain_status != 0)); then
  fail "netcookd.service exposure $plain_score is above 1.5"
else
  pass "netcookd.service exposure $plain_score (at most 1.5)"
fi

sandboxed="$work/sandboxed/etc/systemd/system"
mkdir -p "$sandboxed/netcookd.service.d"
cp "$service" "$sandboxed/netcookd.service"
cp "$sandbox" "$sandboxed/netcookd.service.d/sandbox.conf"
sandbox_score=$(exposure "$work/sandboxed" 8) && sandbox_status=0 || sandbox_status=$?
if [[ -z $sandbox_score ]]; then
  fail "no exposure score for netcookd.service with sandbox.conf"
elif ((sandbox_status != 0)); then
  fail "netcookd.service with sandbox.conf: exposure $sandbox_score is above 0.8"
elif [[ -n $plain_score ]] && ! awk -v a="$sandbox_score" -v b="$plain_score" 'BEGIN {exit !(a < b)}'; then
  fail "sandbox.conf did not lower the exposure ($plain_score -> $sandbox_score): not applied?"
else
  pass "netcookd.service with sandbox.conf exposure $sandbox_score (at most 0.8; $plain_score without)"
fi

# --- systemd-analyze verify
# verify checks that Exec*= programs exist, so the copies run the built
# binary. It returns 0 on mere warnings (an unknown key, a value systemd
# 252 does not know), so any line naming our units counts as a failure.
units="$work/verify"
mkdir -p "$units/netcookd@.socket.d"
sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/netcookd\b|\1$binary|" "$service" >"$units/netcookd.service"
cp "$socket_template" "$units/netcookd@.socket"
if ! grep -q "^ExecStart=$binary\$" "$units/netcookd.service"; then
  fail "could not point ExecStart= at the built binary"
fi

verify() {
  local what=$1 out status=0
  shift
  out=$(cd "$units" && "$analyze" verify --man=no --no-pager "$@" 2>&1) || status=$?
  if ((status != 0)) || grep -q netcookd <<<"$out"; then
    fail "systemd-analyze verify $what (status $status):"
    printf '%s\n' "$out" | sed 's/^/    /'
  else
    pass "systemd-analyze verify $what"
  fi
}

verify netcookd.service ./netcookd.service
mkdir -p "$units/netcookd.service.d"
cp "$sandbox" "$units/netcookd.service.d/sandbox.conf"
verify "netcookd.service with sandbox.conf" ./netcookd.service
rm -r "$units/netcookd.service.d"
mkdir -p "$units/netcookd.service.d"
cp "$tls_credentials" "$units/netcookd.service.d/tls-credentials.conf"
verify "netcookd.service with netcookd-tls-credentials.conf.example" ./netcookd.service
rm -r "$units/netcookd.service.d"

# Without a Listen drop-in the template must refuse to load.
out=$(cd "$units" && "$analyze" verify --man=no --no-pager ./netcookd@.socket 2>&1) && status=0 || status=$?
if ((status != 0)) && grep -q "no Listen setting" <<<"$out"; then
  pass "netcookd@.socket without a Listen drop-in refuses to load"
else
  fail "netcookd@.socket without a Listen drop-in: expected a refusal, got status $status: $out"
fi

printf '[Socket]\nListenStream=127.0.0.1:8080\n' >"$units/netcookd@.socket.d/listen.conf"
verify "netcookd@.socket with a Listen drop-in" ./netcookd@.socket ./netcookd.service

echo "exposure: netcookd.service $plain_score, with sandbox.conf $sandbox_score"
if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
