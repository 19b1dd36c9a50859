# act_lib.sh — helpers the action tests share (sourced after lib.sh).
DRV="$SK_TEST_BIN/act_driver"
PROBE="$SK_TEST_BIN/netprobe"
ACT_PIDS=""

# free_ports ADDR N: N ports free for TCP and UDP on ADDR, one per line
free_ports() { "$PROBE" freeport "$1" "$2"; }

# remember a server's pid for cleanup (pid file or pid)
track_pid() { ACT_PIDS="$ACT_PIDS $1"; }

act_cleanup() {
    for p in $ACT_PIDS; do
        case $p in
        /*) [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null || true ;;
        *) kill "$p" 2>/dev/null || true ;;
        esac
    done
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds
wait_for() {
    _n=$(( $1 * 10 )); shift
    while [ $_n -gt 0 ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1; _n=$((_n - 1))
    done
    return 1
}
