#!/bin/bash
# t-dmvpn-static-map: "map" statements.  Each spoke maps the other's tunnel
# address to its NBMA address: the neighbour entries are there from the
# start (type static in show peers, never expiring), the spokes reach each
# other's LAN directly without a single resolution, a flush of dynamic
# entries leaves them alone, and a neighbour deleted behind dmvpnd's back
# is put back.
#
#   hub  192.0.2.1  / 172.16.0.1
#   s1   192.0.2.11 / 172.16.0.11   lan1 10.1.0.0/24   map 172.16.0.12
#   s2   192.0.2.12 / 172.16.0.12   lan2 10.2.0.0/24   map 172.16.0.11
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init

ns_star

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1" \
    "map 172.16.0.12 nbma 192.0.2.12"
dm_conf s2 spoke 192.0.2.12 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.1" \
    "map 172.16.0.11 nbma 192.0.2.11"
dm_start hub
dm_start s1
dm_start s2

dm_step "the mappings are installed at start"
for pair in "s1 172.16.0.12 192.0.2.12" "s2 172.16.0.11 192.0.2.11"; do
	read -r n addr nbma <<<"$pair"
	wait_until 5 eval "dm_neighs $n | grep -qx '$addr $nbma'" ||
	    fail "$n: no neighbour $addr -> $nbma: $(dm_neighs "$n")"
	row=$(dm_peer "$n" "$addr") || fail "$n has no peer $addr: $(dm_rows "$n" peers)"
	dm_step "$n:$row"
	[ "$(dm_field "$row" type)" = static ] || fail "$n: $addr is not static: $row"
	[ "$(dm_field "$row" nbma)" = "$nbma" ] || fail "$n: $addr NBMA: $row"
	[ "$(dm_field "$row" state)" = up ] || fail "$n: $addr not up: $row"
	[ "$(dm_field "$row" expires_in)" = -1 ] || fail "$n: $addr expires: $row"
done
dm_ctl s1 show dmvpn

nsx s1 ip route add 10.2.0.0/24 via 172.16.0.12 dev gre1 onlink
nsx s2 ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register"

dm_step "LAN 1 <-> LAN 2 directly, without resolution"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "no ping from LAN 1 to LAN 2"
ns_ping lan2 10.1.0.2 2 >/dev/null || fail "no ping from LAN 2 to LAN 1"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
dm_step "hub gre1 received $((after - before)) packets during 7 pings"
[ $((after - before)) -lt 7 ] || fail "traffic crosses the hub"
for n in s1 s2; do
	[ "$(dm_stat "$n" tx_by_type "Resolution Request")" -eq 0 ] ||
	    fail "$n sent resolution requests"
done
[ "$(dm_stat hub rx_by_type "Resolution Request")" -eq 0 ] || fail "the hub saw resolution requests"

dm_step "a flush of dynamic entries keeps the static ones"
dm_ctl s1 flush
[ "$(dm_peer s1 172.16.0.12 type)" = static ] || fail "flush removed the map: $(dm_rows s1 peers)"
dm_neighs s1 | grep -qx "172.16.0.12 192.0.2.12" || fail "flush removed the neighbour: $(dm_neighs s1)"
ns_ping lan1 10.2.0.2 2 >/dev/null || fail "no ping after the flush"

dm_step "a neighbour deleted behind dmvpnd's back comes back"
nsx s1 ip neigh del 172.16.0.12 dev gre1
wait_until 10 eval "dm_neighs s1 | grep -qx '172.16.0.12 192.0.2.12'" ||
    fail "the static neighbour was not restored: $(nsx s1 ip neigh show dev gre1)"
ns_ping lan1 10.2.0.2 2 >/dev/null || fail "no ping after the repair"
[ "$(dm_stat s1 tx_by_type "Resolution Request")" -eq 0 ] || fail "s1 resolved after the repair"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "static maps: installed at start, direct traffic without resolution, kept and repaired"
