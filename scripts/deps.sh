#!/bin/sh
# Install every Debian package sakimori needs to build, test and benchmark.
# Idempotent: packages already present are skipped; apt-get runs only when one
# is missing. Daemons pulled in by the packages (unbound, named, redis, bird)
# are not started at install time: the tests start their own instances on
# loopback ports.
set -eu

PKGS="
build-essential cmake pkg-config clang llvm libclang-rt-14-dev
libpcap-dev libjansson-dev libfyaml-dev libsqlite3-dev sqlite3
libmicrohttpd-dev libgnutls28-dev libcurl4-gnutls-dev libsodium-dev
libpsl-dev publicsuffix libnftables-dev nftables libhiredis-dev zlib1g-dev
libcmocka-dev libpcre2-dev nettle-dev libidn2-dev
unbound bind9 bind9-dnsutils bird2 exabgp redis-server redis-tools
tshark nfdump softflowd tcpdump iproute2 jq time libfixbuf-dev curl openssl python3
wamerican
"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages:$missing" >&2
    echo "deps: run as root (or: sudo $0)" >&2
    exit 2
fi

echo "deps: installing:$missing"
# Keep package maintainer scripts from starting system daemons on port 53/6379.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [ "$made_policy" = 1 ] && rm -f "$policy"; }
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
