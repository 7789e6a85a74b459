#!/usr/bin/env bash
# Runs every test of the solution and ends with the line "N passed, N failed, N skipped", counted from the
# test results themselves. Installs what a fresh machine lacks first. Exit code: 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is required: see global.json for the version." >&2
  exit 2
fi

# The web view's browser tests drive Debian's Chromium (tests/Doozer.WebView.Tests); they fail without it.
if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium || echo "test.sh: could not install chromium; the browser tests will fail." >&2
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet test Doozer.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

# A test project that does not build leaves no results: count each one missing as a failure, so the line tells.
expected=$(grep -o '"[^"]*\.Tests\.csproj"' Doozer.sln | sort -u | wc -l)
if [ "$files" -lt "$expected" ]; then
  echo "test.sh: $((expected - files)) of $expected test projects produced no results (did they build?)." >&2
  failed=$((failed + expected - files))
fi

if [ "$files" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
  echo "test.sh: no test results were produced (dotnet test exited $status)." >&2
  [ "$status" -eq 0 ] && status=1
fi
[ "$failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1

echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
