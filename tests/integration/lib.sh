# lib.sh — shared by the integration tests (sourced, POSIX sh).
# ctest sets SAKIMORI (the binary), SK_SHARED_DATA, SK_TEST_TMP, SK_SOURCE_DIR.
set -eu

: "${SAKIMORI:?run through ctest (SAKIMORI unset)}"
TMP=${SK_TEST_TMP:-/tmp/sakimori-test.$$}
rm -rf "$TMP"
mkdir -p "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Exit 77 (ctest: skipped) with the reason when the shared data is missing.
need_shared() {
    if [ ! -e "$SK_SHARED_DATA/$1" ]; then
        echo "SKIP: $SK_SHARED_DATA/$1 not found (shared reference data is not part of the project)"
        exit 77
    fi
}

need_cmd() {
    command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 not installed (scripts/deps.sh installs it)"; exit 77; }
}

# run_status CMD...: runs CMD, stores its exit status in $status, never exits
run_status() {
    set +e
    "$@"
    status=$?
    set -e
}

expect_status() {
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status ($2)"
}

expect_grep() {
    grep -q -- "$1" "$2" || { echo "--- $2:"; cat "$2"; fail "'$1' not found in $2"; }
}
