#!/bin/sh
# Harness self-check: run keepalived 2.2.7 but print its messages in our
# `FILE:LINE:COL: error: MESSAGE` form, so that
#   KEEPALIVED_DIFF_OURS=$PWD/tests/support/keepalived-as-ours.sh cargo test --test config_differential
# must report every file as agreeing except the known differences.
# Arguments are keepalived's (`-t -f FILE`).
file=
prev=
for a in "$@"; do
    [ "$prev" = "-f" ] && file=$a
    prev=$a
done
out=$(/usr/sbin/keepalived "$@" 2>&1)
rc=$?
printf '%s\n' "$out" | sed -n \
    -e "s/^(\([^)]*\): Line \([0-9]*\)) \(.*\)/\1:\2:1: error: \3/p" \
    -e "s/^(Line \([0-9]*\)) \(.*\)/$file:\1:1: error: \2/p" >&2
exit $rc
