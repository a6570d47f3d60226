# tests/package/chroot-lib.sh — a clean Debian 12 chroot for the package test (source it).
#
#   chroot_sources            prints "URI SUITE" for every bookworm, bookworm-updates and
#                             bookworm-security entry (component main) of this machine's APT
#                             configuration (/etc/apt/sources.list, sources.list.d/*.list and
#                             *.sources): the archive the chroot comes from is the one this
#                             machine already uses; no host name is written here.
#   chroot_base PKGS...       sets CHROOT_TARBALL to a tarball of a debootstrap --variant=minbase
#                             bookworm tree with PKGS installed (no Recommends, APT lists
#                             dropped), made once and cached in $IWA_CHROOT_CACHE
#                             (/var/cache/iwa-plugins by default, outside the clone) under a
#                             name keyed by the recipe, the sources and the package list;
#                             CHROOT_BASE_BUILT=yes when it had to be made (else reused).
#   chroot_unpack DIR         unpacks the base into DIR (a fresh, clean system every run)
#   chroot_mount DIR          mounts proc and binds /dev and /dev/pts into DIR; chroot_umount_all undoes
#                             every mount made (call it from the EXIT trap; it refuses to let
#                             the caller delete DIR while something is still mounted there)
#   chroot_kill DIR           stops by PID whatever still runs with DIR as its root
#   chroot_remove DIR         deletes DIR, only when nothing is mounted below it
#
#   run_bounded CMD...        runs CMD as a child the caller can stop: a TERM or INT to the
#                             test (trap fg_stop) stops CMD by its PID instead of waiting
#                             for it (bash runs traps only after a foreground command ends)
#
# Every step is bounded (timeout); a second run with the same package list only unpacks.

CHROOT_RECIPE=1 # bump when the way the base is made changes (invalidates the cache)
CHROOT_SUITE=bookworm
IWA_CHROOT_CACHE=${IWA_CHROOT_CACHE:-/var/cache/iwa-plugins}
CHROOT_MOUNTS=()
FG_PID=

run_bounded() {
  local rc
  "$@" &
  FG_PID=$!
  wait "$FG_PID"
  rc=$?
  FG_PID=
  return "$rc"
}

# pids_gone PID...: true once none of the processes exists any more (for wait_for).
pids_gone() {
  local p
  for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
  return 0
}

# fg_stop: for `trap 'fg_stop; exit 130' INT TERM`: TERM to the running child, KILL after 10 s.
fg_stop() {
  [ -n "$FG_PID" ] || return 0
  kill -TERM "$FG_PID" 2>/dev/null
  wait_for 10 pids_gone "$FG_PID" || kill -KILL "$FG_PID" 2>/dev/null
  FG_PID=
}

chroot_sources() {
  local f
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk '$1 == "deb" {
             i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
             uri = $i; suite = $(i + 1); main = 0
             for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
             if (main) print uri, suite }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'function flush(   u, s, n, m, k, l, i, main) {
             if (types ~ /(^| )deb( |$)/ && enabled != "no") {
               main = 0; n = split(comps, k, " "); for (i = 1; i <= n; i++) if (k[i] == "main") main = 1
               n = split(uris, u, " "); m = split(suites, s, " ")
               if (main) for (i = 1; i <= n; i++) for (l = 1; l <= m; l++) print u[i], s[l]
             }
             types = uris = suites = comps = enabled = ""
           }
           /^[ \t]*#/ { next }
           /^[ \t]*$/ { flush(); next }
           /^[A-Za-z-]+:/ {
             key = tolower(substr($0, 1, index($0, ":") - 1)); val = substr($0, index($0, ":") + 1)
             gsub(/^[ \t]+|[ \t]+$/, "", val)
             if (key == "types") types = val; else if (key == "uris") uris = val
             else if (key == "suites") suites = val; else if (key == "components") comps = val
             else if (key == "enabled") enabled = tolower(val)
           }
           END { flush() }' "$f"
    done
  } | awk -v s="$CHROOT_SUITE" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | sort -u
}

# chroot_base PKGS...
chroot_base() {
  local srcs mirror key tmp tar log t
  srcs=$(chroot_sources)
  mirror=$(printf '%s\n' "$srcs" | awk -v s="$CHROOT_SUITE" '$2 == s { print $1; exit }')
  if [ -z "$mirror" ]; then
    CHROOT_ERROR="no '$CHROOT_SUITE main' entry in /etc/apt/sources.list(.d): no archive to debootstrap from"
    return 1
  fi
  key=$( { echo "recipe $CHROOT_RECIPE minbase $CHROOT_SUITE $(dpkg --print-architecture)"
           printf '%s\n' "$srcs"; printf '%s\n' "$@" | sort -u; } | sha256sum | cut -c1-16)
  tar=$IWA_CHROOT_CACHE/$CHROOT_SUITE-minbase-$key.tar.zst
  CHROOT_TARBALL=$tar CHROOT_BASE_BUILT=no CHROOT_KEY=$key
  mkdir -p "$IWA_CHROOT_CACHE" || { CHROOT_ERROR="cannot create $IWA_CHROOT_CACHE"; return 1; }
  # one maker at a time; a second run waits (bounded) and then reuses the first one's tarball
  exec 8>"$IWA_CHROOT_CACHE/.lock"
  flock -w 1500 8 || { CHROOT_ERROR="$IWA_CHROOT_CACHE/.lock held for 25 minutes"; return 1; }
  if [ -s "$tar" ]; then flock -u 8; return 0; fi
  CHROOT_BASE_BUILT=yes
  tmp=$(mktemp -d "$IWA_CHROOT_CACHE/make.XXXXXX")
  log=$IWA_CHROOT_CACHE/make-$key.log
  t=$(date +%s)
  {
    echo "# $(date -R): $CHROOT_SUITE minbase from $mirror; packages: $*"
    run_bounded timeout 1500 debootstrap --variant=minbase "$CHROOT_SUITE" "$tmp/root" "$mirror" &&
    printf '%s\n' "$srcs" | awk '{ print "deb " $1 " " $2 " main" }' >"$tmp/root/etc/apt/sources.list" &&
    printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d" &&
    chmod 755 "$tmp/root/usr/sbin/policy-rc.d" &&
    chroot_mount "$tmp/root" &&
    run_bounded timeout 600 chroot "$tmp/root" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive run_bounded timeout 1200 chroot "$tmp/root" \
      apt-get install -y -q --no-install-recommends "$@" &&
    chroot "$tmp/root" apt-get clean &&
    rm -rf "$tmp/root"/var/lib/apt/lists/* &&
    chroot_kill "$tmp/root" &&
    chroot_umount_all &&
    run_bounded timeout 600 tar --zstd -cpf "$tmp/base.tar.zst" --numeric-owner -C "$tmp/root" . &&
    mv "$tmp/base.tar.zst" "$tar"
  } >"$log" 2>&1
  local rc=$?
  chroot_kill "$tmp/root" >>"$log" 2>&1
  chroot_umount_all >>"$log" 2>&1
  if [ "$rc" -eq 0 ]; then
    rm -rf "$tmp"
    # older bases (other package lists) are not needed any more
    find "$IWA_CHROOT_CACHE" -maxdepth 1 \( -name "$CHROOT_SUITE-minbase-*.tar.zst" -o -name 'make-*.log' \) \
      ! -name "${tar##*/}" ! -name "${log##*/}" -delete
    echo "# made in $(( $(date +%s) - t )) s" >>"$log"
  else
    [ ${#CHROOT_MOUNTS[@]} -eq 0 ] && rm -rf "$tmp"
    CHROOT_ERROR="making the $CHROOT_SUITE base failed (exit $rc); log: $log: $(tail -n 3 "$log" | tr '\n' ' ')"
  fi
  flock -u 8
  return "$rc"
}

chroot_unpack() {
  mkdir -p "$1" && run_bounded timeout 300 tar --zstd -xpf "$CHROOT_TARBALL" --numeric-owner -C "$1"
}

chroot_mount() {
  local d=$1
  mount -t proc proc "$d/proc" && CHROOT_MOUNTS+=("$d/proc") || return 1
  mount --bind /dev "$d/dev" && CHROOT_MOUNTS+=("$d/dev") || return 1
  mount --bind /dev/pts "$d/dev/pts" && CHROOT_MOUNTS+=("$d/dev/pts") || return 1
}

# Unmounts in reverse order; returns non-zero (and keeps the list) if one stays mounted.
chroot_umount_all() {
  local i m left=()
  for ((i = ${#CHROOT_MOUNTS[@]} - 1; i >= 0; i--)); do
    m=${CHROOT_MOUNTS[i]}
    mountpoint -q "$m" || continue
    umount "$m" 2>/dev/null || timeout 30 umount -l "$m" || left+=("$m")
  done
  CHROOT_MOUNTS=("${left[@]}")
  [ ${#left[@]} -eq 0 ]
}

# chroot_kill DIR: stops (by PID) every process whose root is DIR: what the test ran there
# (a package script that started a daemon despite policy-rc.d would hold the mounts).
chroot_kill() {
  local d=$1 p pids=() n
  [ -d "$d" ] || return 0
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$d" ] && pids+=("${p#/proc/}")
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  echo "# stopping processes left in the chroot: ${pids[*]}"
  kill "${pids[@]}" 2>/dev/null
  wait_for 5 pids_gone "${pids[@]}" || kill -9 "${pids[@]}" 2>/dev/null
  return 0
}

# chroot_remove DIR: deletes DIR only when nothing is mounted below it.
chroot_remove() {
  local d=$1
  [ -d "$d" ] || return 0
  if findmnt -rn -o TARGET | grep -q "^$d/"; then
    echo "# not removing $d: still mounted: $(findmnt -rn -o TARGET | grep "^$d/" | tr '\n' ' ')"
    return 1
  fi
  rm -rf --one-file-system "$d"
}
