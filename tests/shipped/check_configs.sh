#!/usr/bin/env bash
# Every configuration file we ship passes `netcookd --check-config`:
# config/netcookd.yaml (installed as /etc/netcookd.yaml) and every file in
# config/examples/, as they are (the static-site example's relative root is
# its folder's www/, in the source tree as installed). models.yaml must hold
# all 15 protocol x model combinations, and netcookd.yaml a status listener.
# Usage: check_configs.sh NETCOOKD SOURCE_ROOT
set -euo pipefail
netcookd="$1"
source_root="$2"
failures=0

check() {  # FILE [EXPECTED_LISTENERS]
  local file="$1" expected="${2:-}" output
  if ! output="$("$netcookd" --check-config -c "$file" 2>&1)"; then
    echo "FAIL: $file"
    echo "$output" | sed 's/^/  | /'
    failures=$((failures + 1))
    return
  fi
  if [[ -n "$expected" && "$output" != *": OK, $expected listeners" ]]; then
    echo "FAIL: $file: expected $expected listeners, got: $output"
    failures=$((failures + 1))
    return
  fi
  echo "ok: $output"
}

check "$source_root/config/netcookd.yaml"
for example in "$source_root"/config/examples/*.yaml; do
  name="$(basename "$example")"
  [[ "$name" == models.yaml ]] && continue  # below, with its listener count
  check "$example"
done

# The shipped file serves the daemon's figures: a listener "status" on
# 127.0.0.1:9464 with http: {status: true} (netcookd(8), METRICS).
status_block="$(awk '/^  - name: /{inside = ($3 == "status")} inside' "$source_root/config/netcookd.yaml")"
if ! grep -qE '^    protocol: http$' <<<"$status_block" ||
   ! grep -qE '^    listen: 127\.0\.0\.1:9464$' <<<"$status_block" ||
   ! grep -qE '^      status: true$' <<<"$status_block"; then
  echo "FAIL: config/netcookd.yaml has no listener 'status' (http, status: true) on 127.0.0.1:9464"
  failures=$((failures + 1))
else
  echo "ok: config/netcookd.yaml serves its figures on 127.0.0.1:9464"
fi

# All 18 combinations, each exactly once.
models_file="$source_root/config/examples/models.yaml"
check "$models_file" 18
for protocol in echo chat http; do
  for model in fork thread select epoll coroutine io_uring; do
    count="$(grep -A2 -E "^  - name: " "$models_file" |
      awk -v p="$protocol" -v m="$model" '
        /protocol:/ { proto = $2 }
        /model:/ { if (proto == p && $2 == m) n++ }
        END { print n + 0 }')"
    if [[ "$count" != 1 ]]; then
      echo "FAIL: models.yaml has $count listener(s) for $protocol/$model, expected 1"
      failures=$((failures + 1))
    fi
  done
done

# The demo site is complete: every file index.html refers to exists.
for asset in $(grep -oE '(href|src)="[^"]+"' "$source_root/config/examples/www/index.html" |
               sed -E 's/^(href|src)="//; s/"$//'); do
  if [[ ! -f "$source_root/config/examples/www/$asset" ]]; then
    echo "FAIL: www/index.html refers to a missing $asset"
    failures=$((failures + 1))
  fi
done

if ((failures > 0)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "every shipped configuration is valid"
