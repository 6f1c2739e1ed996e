#!/bin/sh
# Instructions per request of the framing work (bench/text-framing-cost.ts) under callgrind:
# (count at N2 − count at N1) / (N2 − N1), for each wire and CS-01 (101), CS-14 (114).
#   sh bench/text-framing-cost.sh [distDir=dist] [N1=2000] [N2=6000] [wires="v1 h2 bss86 card-recharge"]
D=${1:-dist}; N1=${2:-2000}; N2=${3:-6000}; WIRES=${4:-"v1 h2 bss86 card-recharge"}
tmp=$(mktemp -d)
count() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" node --jitless "$D/bench/text-framing-cost.js" "$1" "$2" "$3" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  grep -m1 '^summary:' "$tmp/cg.out" | awk '{print $2}'
}
for biz in 101 114; do
  for w in $WIRES; do
    a=$(count "$w" "$biz" "$N1"); b=$(count "$w" "$biz" "$N2")
    echo "$w $biz $(( (b - a) / (N2 - N1) ))"
  done
done
rm -rf "$tmp"
