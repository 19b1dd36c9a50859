# rpz_env.sh — starts the DNS world the rpz tests and benchmark use (sourced
# after lib.sh and act_lib.sh; everything under $TMP, loopback, ports picked
# at run time):
#   an authoritative named for evil.test (the "real" answers),
#   a BIND resolver with the allow/delta/base policy zones (dynamic, TSIG),
#   an Unbound resolver taking allow+delta from sakimori's primary and the
#     base from a zone file,
#   sakimori's primary (act_driver serve rpz) and its config $TMP/sk.yaml.
# Set RPZ_BASE_FILE to a prepared base zone to start the resolvers with it.
set -- $(free_ports 127.0.0.1 5)
P_AUTH=$1 P_BIND=$2 P_UB=$3 P_UCTL=$4 P_PRI=$5
D=$TMP/dns
mkdir -p "$D/bind"
tsig-keygen -a hmac-sha256 sakimori-test > "$D/tsig.key"

cat > "$D/auth.conf" <<CONF
options { directory "$D"; listen-on port $P_AUTH { 127.0.0.1; }; listen-on-v6 { none; };
  pid-file "$D/auth.pid"; recursion no; dnssec-validation no; };
controls { };
zone "evil.test" { type primary; file "$D/evil.test.zone"; };
CONF
cat > "$D/evil.test.zone" <<ZONE
\$TTL 60
@ IN SOA ns.evil.test. h.evil.test. 1 60 60 600 60
@ NS ns
ns A 127.0.0.1
c2 A 192.0.2.66
www.c2 A 192.0.2.67
bad A 192.0.2.68
x.bad A 192.0.2.69
good.bad A 192.0.2.70
ZONE

policy_zone() { # NAME FILE: an empty policy zone unless FILE exists
    [ -s "$2" ] || printf '$TTL 60\n@ SOA localhost. hostmaster.localhost. 1 300 60 2592000 60\n@ NS localhost.\n' > "$2"
}
base_src=${RPZ_BASE_FILE:-}
for z in allow delta base; do policy_zone $z "$D/bind/$z.zone"; done
[ -n "$base_src" ] && cp "$base_src" "$D/bind/base.zone"
cp "$D/bind/base.zone" "$D/base.rpz"
cat > "$D/res.conf" <<CONF
include "$D/tsig.key";
options { directory "$D/bind"; listen-on port $P_BIND { 127.0.0.1; }; listen-on-v6 { none; };
  pid-file "$D/res.pid"; recursion yes; allow-query { 127.0.0.1; }; dnssec-validation no;
  response-policy { zone "allow.sakimori.rpz"; zone "delta.sakimori.rpz"; zone "base.sakimori.rpz"; }
    min-update-interval 0 qname-wait-recurse no;
};
controls { };
logging { channel l { file "$D/res.log"; print-time yes; }; category default { l; }; category rpz { l; }; };
zone "evil.test" { type forward; forward only; forwarders { 127.0.0.1 port $P_AUTH; }; };
CONF
for z in allow delta base; do
    printf 'zone "%s.sakimori.rpz" { type primary; file "%s/bind/%s.zone"; allow-update { key "sakimori-test"; }; allow-transfer { key "sakimori-test"; }; allow-query { 127.0.0.1; }; };\n' $z "$D" $z >> "$D/res.conf"
done

cat > "$D/ub.conf" <<CONF
server:
  interface: 127.0.0.1@$P_UB
  port: $P_UB
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$D"
  pidfile: "$D/ub.pid"
  use-syslog: no
  logfile: "$D/ub.log"
  verbosity: 1
  module-config: "respip iterator"
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  local-zone: "test." nodefault
stub-zone:
  name: "evil.test"
  stub-addr: 127.0.0.1@$P_AUTH
rpz:
  name: "allow.sakimori.rpz"
  primary: 127.0.0.1@$P_PRI
rpz:
  name: "delta.sakimori.rpz"
  primary: 127.0.0.1@$P_PRI
rpz:
  name: "base.sakimori.rpz"
  zonefile: "$D/base.rpz"
remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: $P_UCTL
  control-use-cert: no
CONF

cat > "$TMP/sk.yaml" <<CONF
store:
  path: $TMP/act.db
act:
  rpz:
    sinkhole: [127.0.0.7, "::7"]
    base_file: $D/base.rpz
    verify_timeout: 5s
    primary:
      listen: ["127.0.0.1@$P_PRI"]
    unbound:
      servers: ["127.0.0.1@$P_UB"]
      control: ["127.0.0.1@$P_UCTL"]
    bind:
      servers: ["127.0.0.1@$P_BIND"]
      tsig_key_file: $D/tsig.key
      fold_settle: 1s
CONF

start_primary() {
    "$DRV" --config "$TMP/sk.yaml" serve rpz 2> "$D/primary.log" &
    PRIMARY_PID=$!
    track_pid $PRIMARY_PID
}
start_auth() { named -c "$D/auth.conf" -g > "$D/auth.out" 2>&1 & track_pid $!; }
start_bind() { named -c "$D/res.conf" -g > "$D/res.out" 2>&1 & BIND_PID=$!; track_pid $BIND_PID; }
start_unbound() { unbound -d -c "$D/ub.conf" > "$D/ub.out" 2>&1 & UB_PID=$!; track_pid $UB_PID; }
ask_bind() { dig +short +time=1 +tries=1 @127.0.0.1 -p "$P_BIND" "$@"; }
ask_ub() { dig +short +time=1 +tries=1 @127.0.0.1 -p "$P_UB" "$@"; }
