#!/usr/bin/env bash
# bench/farm.sh — check_iwa_farm against the three single checks on the same lab: wall time
# (goal: the farm at most 1.2x the slowest single check) and the KDC, LDAP and SMB round trips
# (goal: the farm at most the singles' sum minus what they share: the TGT, the ldap/ ticket).
# Each check runs as monitoring runs it: --keytab, a private cache made and removed by the
# check (no cache shared between runs). Wall time: medians of N interleaved runs, timed
# inside the lab's namespace. Round trips: one run of each under strace, counting connect()
# calls to the DC by port (88 KDC: one socket per exchange; 389/3268 LDAP: one per bind;
# 445 SMB). Not part of the test command. Needs a running lab:
#   LAB_NS=iwa-x LAB_DIR=$PWD/_build/lab-x tests/lab/lab up
#   LAB_NS=iwa-x LAB_DIR=$PWD/_build/lab-x BUILDDIR=_build/main bench/farm.sh [N]
# Use a build without sanitizers for meaningful figures.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
LAB=${LAB:-$TOP/tests/lab/lab}
BUILDDIR=${BUILDDIR:-$TOP/_build/main}
case "$BUILDDIR" in /*) ;; *) BUILDDIR=$PWD/$BUILDDIR ;; esac
N=${1:-11}
for p in check_iwa_farm check_spn_unique check_negotiate_backend check_batch_logon_gpo; do
  [ -x "$BUILDDIR/plugins/$p" ] || { echo "bench: $BUILDDIR/plugins/$p not built" >&2; exit 2; }
done
command -v strace >/dev/null || { echo "bench: strace is needed (scripts/install-deps.sh lab)" >&2; exit 2; }
"$LAB" status >/dev/null 2>&1 || { echo "bench: the lab is not up (LAB_NS/LAB_DIR)" >&2; exit 2; }

"$LAB" exec bash -s "$BUILDDIR/plugins" "$N" "$TOP/tests/lsan.supp" <<'INNER'
set -u
B=$1 N=$2
export LSAN_OPTIONS=suppressions=$3 ASAN_OPTIONS=detect_leaks=0
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
K=(--keytab "$LAB_MONITOR_KEYTAB")
URL=https://$LAB_FQDN/
farm() { "$B/check_iwa_farm" -u "$URL" --server SERVER1 --server SERVER2 -a 'CAMTEST\cam-svc' \
  -H "$LAB_DC_FQDN" "${K[@]}" --ca-file "$LAB_CA" --gpo "$LAB_GPO_NAME"; }
spn() { "$B/check_spn_unique" -H "$LAB_DC_FQDN" "${K[@]}" -f "$LAB_FQDN" -e cam-svc; }
nb() { "$B/check_negotiate_backend" -u "$URL" -B server1 -B server2 "${K[@]}" --ca-file "$LAB_CA"; }
gpo() { "$B/check_batch_logon_gpo" -H "$LAB_DC_FQDN" "${K[@]}" -a 'CAMTEST\cam-svc' -C SERVER1 \
  -C SERVER2 --gpo "$LAB_GPO_NAME"; }
for c in farm spn nb gpo; do
  out=$($c 2>&1); rc=$?
  [ $rc -eq 0 ] || { echo "bench: $c is not OK on the healthy lab (exit $rc): ${out%%$'\n'*}" >&2; exit 1; }
done
ms() { local a b; a=$(date +%s%N); "$@" >/dev/null 2>&1; b=$(date +%s%N); echo $(( (b - a) / 1000 )); }
for c in farm spn nb gpo; do : >"$d/$c"; done
for ((i = 0; i < N; i++)); do for c in farm spn nb gpo; do ms $c >>"$d/$c"; done; done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# round trips: connect() to the DC per port, one run each
dc=$LAB_DC_IP
count() { # NAME -> "kdc ldap smb"
  strace -f -qq -e trace=connect -o "$d/$1.st" bash -c "$(declare -f "$1"); $(declare -p B K URL); $1" \
    >/dev/null 2>&1
  local k l s
  k=$(grep "sin_port=htons(88)," "$d/$1.st" | grep -c "\"$dc\"")
  l=$(grep -E "sin_port=htons\((389|3268|636|3269)\)," "$d/$1.st" | grep -c "\"$dc\"")
  s=$(grep "sin_port=htons(445)," "$d/$1.st" | grep -c "\"$dc\"")
  echo "$k $l $s"
}
read -r fk fl fs < <(count farm)
read -r sk sl ss < <(count spn)
read -r nk nl ns < <(count nb)
read -r gk gl gs < <(count gpo)
mf=$(med "$d/farm"); msp=$(med "$d/spn"); mnb=$(med "$d/nb"); mg=$(med "$d/gpo")
awk -v f="$mf" -v s="$msp" -v nb="$mnb" -v g="$mg" -v n="$N" \
  -v fk="$fk" -v fl="$fl" -v fs="$fs" -v sk="$sk" -v sl="$sl" -v ss="$ss" \
  -v nk="$nk" -v nl="$nl" -v ns="$ns" -v gk="$gk" -v gl="$gl" -v gs="$gs" 'BEGIN {
  slow = s; who = "check_spn_unique"
  if (nb > slow) { slow = nb; who = "check_negotiate_backend" }
  if (g > slow) { slow = g; who = "check_batch_logon_gpo" }
  printf "runs: %d each (interleaved), --keytab, healthy lab (VIP + server1 + server2, 2 GPOs)\n", n
  printf "wall time, median:\n"
  printf "  check_iwa_farm           %8.1f ms\n", f / 1000
  printf "  check_spn_unique         %8.1f ms\n", s / 1000
  printf "  check_negotiate_backend  %8.1f ms\n", nb / 1000
  printf "  check_batch_logon_gpo    %8.1f ms\n", g / 1000
  printf "  ratio farm / slowest single (%s): %.2f (goal <= 1.20)\n", who, f / slow
  printf "  ratio farm / sum of singles: %.2f\n", f / (s + nb + g)
  printf "round trips to the DC (connect() per port, one run each):\n"
  printf "  %-26s %4s %5s %4s\n", "", "KDC", "LDAP", "SMB"
  printf "  %-26s %4d %5d %4d\n", "check_iwa_farm", fk, fl, fs
  printf "  %-26s %4d %5d %4d\n", "check_spn_unique", sk, sl, ss
  printf "  %-26s %4d %5d %4d\n", "check_negotiate_backend", nk, nl, ns
  printf "  %-26s %4d %5d %4d\n", "check_batch_logon_gpo", gk, gl, gs
  printf "  %-26s %4d %5d %4d\n", "sum of singles", sk + nk + gk, sl + nl + gl, ss + ns + gs
  # shared by the singles: the TGT (AS exchanges) of 2 of the 3 and the ldap/ ticket of 1 of 2
  printf "  farm KDC round trips %d vs singles %d: %d saved (the shared TGT and ldap/ ticket)\n",
    fk, sk + nk + gk, sk + nk + gk - fk }'
INNER
