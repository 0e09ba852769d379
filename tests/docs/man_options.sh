#!/usr/bin/env bash
# netcookd(8) and `netcookd --help` must agree: every option the program
# prints appears in the man page's OPTIONS section and no other option does
# (short and long forms alike). The built page must render without groff
# warnings.
#
# usage: man_options.sh NETCOOKD_BINARY MAN_SOURCE.scd BUILT_PAGE
set -euo pipefail

binary=$1 source=$2 page=$3
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

options_in() { grep -oE '(^|[^a-z-])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | LC_ALL=C sort -u; }

# --help: the "Options:" block up to the first blank line.
help_options=$("$binary" --help | awk '/^Options:/ {on = 1; next} on && /^$/ {exit} on' | options_in)
# The man page: option names are the bold terms (*-c*) of "# OPTIONS".
man_options=$(awk '/^# OPTIONS/ {on = 1; next} on && /^# / {exit} on && /^\*/' "$source" |
  grep -oE '\*--?[a-z][a-z-]*\*' | tr -d '*' | LC_ALL=C sort -u)

if [[ -z $help_options ]]; then
  fail "no options found in netcookd --help"
fi
if [[ -z $man_options ]]; then
  fail "no options found in the OPTIONS section of $source"
fi
one_line() { tr '\n' ' ' <<<"$1"; }
missing=$(LC_ALL=C comm -23 <(echo "$help_options") <(echo "$man_options"))
extra=$(LC_ALL=C comm -13 <(echo "$help_options") <(echo "$man_options"))
[[ -z $missing ]] || fail "in --help but not in netcookd(8) OPTIONS: $(one_line "$missing")"
[[ -z $extra ]] || fail "in netcookd(8) OPTIONS but not in --help: $(one_line "$extra")"
if [[ -z $missing$extra ]]; then
  echo "ok: $(wc -l <<<"$help_options") options, the same in --help and netcookd(8): $(one_line "$help_options")"
fi

if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
  if [[ -n $warnings ]]; then
    fail "groff warns about $page:"
    sed 's/^/    /' <<<"$warnings"
  else
    echo "ok: $page renders without groff warnings"
  fi
else
  echo "note: groff not found; rendering not checked"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
