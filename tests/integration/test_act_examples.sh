#!/bin/sh
# The examples/ snippets are real: the act: configuration loads, the
# contact database and operator registry parse, and Unbound, BIND and BIRD
# accept their snippets (with paths pointed into this test's directory).
. "$(dirname "$0")/lib.sh"
need_cmd unbound-checkconf
need_cmd named-checkconf
need_cmd bird
EX="$SK_SOURCE_DIR/examples"

# sakimori's own configuration and registries
"$SAKIMORI" act --config "$EX/act/sakimori-act.yaml" --db "$TMP/x.db" list > /dev/null \
    || fail "examples/act/sakimori-act.yaml does not load"
sed -e "s#/etc/sakimori/abuse-contacts.json#$EX/act/abuse-contacts.json#" \
    -e "s#/var/spool/sakimori/takedown#$TMP/outbox#" \
    -e "s#/etc/sakimori/operators.json#$EX/act/operators.json#" \
    "$EX/act/sakimori-act.yaml" > "$TMP/act.yaml"
for t in 203.0.113.9 2001:db8:66::1 c2.evil.example; do
    "$SAKIMORI" act --config "$TMP/act.yaml" --db "$TMP/x.db" check takedown_request "$t" > "$TMP/c.txt" \
        || { cat "$TMP/c.txt"; fail "example contact database has no contact for $t"; }
done

# Unbound
sed -e "s#/var/lib/sakimori/base.rpz#$TMP/base.rpz#" "$EX/unbound/sakimori-rpz.conf" > "$TMP/rpz.conf"
printf 'server:\n  username: ""\n  chroot: ""\n  directory: "%s"\ninclude: "%s"\n' "$TMP" "$TMP/rpz.conf" > "$TMP/unbound.conf"
cp "$EX/bind/sakimori-empty.zone" "$TMP/base.rpz"
unbound-checkconf "$TMP/unbound.conf" > "$TMP/u.txt" 2>&1 || { cat "$TMP/u.txt"; fail "unbound-checkconf"; }

# BIND
tsig-keygen -a hmac-sha256 sakimori > "$TMP/sakimori.key"
sed -e "s#/etc/bind/sakimori.key#$TMP/sakimori.key#" -e "s#/var/lib/bind/#$TMP/#g" \
    -e "s#// ... your options ...#directory \"$TMP\";#" "$EX/bind/named.conf.sakimori" > "$TMP/named.conf"
for z in allow delta base; do cp "$EX/bind/sakimori-empty.zone" "$TMP/sakimori-$z.zone"; done
named-checkconf -z "$TMP/named.conf" > "$TMP/n.txt" 2>&1 || { cat "$TMP/n.txt"; fail "named-checkconf"; }

# BIRD (parse only)
printf 'protocol static sakimori_rtbh4 { ipv4; }\nprotocol static sakimori_rtbh6 { ipv6; }\n' > "$TMP/rtbh.conf"
{ echo "router id 192.0.2.9;"; echo "protocol device {}";
  sed "s#/etc/bird/sakimori-rtbh.conf#$TMP/rtbh.conf#" "$EX/bird/bird.conf.sakimori"; } > "$TMP/bird.conf"
bird -p -c "$TMP/bird.conf" > "$TMP/b.txt" 2>&1 || { cat "$TMP/b.txt"; fail "bird -p"; }
echo "ok"
