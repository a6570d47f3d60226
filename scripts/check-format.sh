#!/usr/bin/env bash
# scripts/check-format.sh — is every C file formatted per .clang-format?
#   scripts/check-format.sh          list the files clang-format would change (exit 1 if any)
#   scripts/check-format.sh --fix    format them in place
# Files: tracked *.c/*.h under common/ plugins/ tests/ (every such file when not in git).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
fix=no
[ "${1:-}" = --fix ] && fix=yes
command -v clang-format >/dev/null || { echo "check-format: clang-format not found (scripts/install-deps.sh build)"; exit 2; }
[ -f .clang-format ] || { echo "check-format: no .clang-format at $top"; exit 2; }
if [ -d .git ] && git --version >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- 'common/*.[ch]' 'plugins/*.[ch]' 'tests/*.[ch]')
else
  mapfile -t files < <(find common plugins tests -name '*.[ch]' -type f | sort)
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if [ "$fix" = yes ]; then clang-format -i "$f"; continue; fi
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
    n=$(clang-format "$f" | diff "$f" - | grep -c '^[<>]')
    echo "check-format: $f: $n lines differ (run: clang-format -i $f)"
  fi
done
[ "$fix" = yes ] && { echo "check-format: formatted ${#files[@]} files"; exit 0; }
echo "check-format: ${#files[@]} files checked, ${#bad[@]} not formatted"
[ ${#bad[@]} -eq 0 ]
