#!/bin/bash
# t-dmvpn-nbma-change: a spoke's NBMA (underlay) address changes.  Spoke 2
# registers without the unique flag; spoke 1 resolves it through the hub
# (phase 2), so the hub remembers spoke 1 as a holder of that binding.
# Spoke 2 stops, moves from 192.0.2.12 to 198.51.100.12 and starts again:
# its registration moves the hub's binding (and the hub's neighbour entry)
# to the new address, the hub purges spoke 1's stale mapping, and spoke 1
# then resolves the new address and reaches LAN 2 again.
#
#   hub  192.0.2.1  / 172.16.0.1
#   s1   192.0.2.11 / 172.16.0.11   lan1 10.1.0.0/24
#   s2   192.0.2.12 -> 198.51.100.12 / 172.16.0.12   lan2 10.2.0.0/24
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
dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1"
s2_conf() {
	dm_conf s2 spoke "$1" 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.1" \
	    "registration no-unique"
}
s2_conf 192.0.2.12
dm_start hub
dm_start s1
dm_start s2
nsx s1 ip route add 10.2.0.0/24 via 172.16.0.12 dev gre1 onlink
nsx s2 ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink

dm_step "registration and a phase 2 mapping of s2 on s1"
wait_until 20 dm_is dynamic dm_peer hub 172.16.0.11 type || fail "s1 did not register"
wait_until 20 dm_is 192.0.2.12 dm_peer hub 172.16.0.12 nbma || fail "s2 did not register"
[ "$(dm_peer hub 172.16.0.12 flags.unique)" = false ] ||
    fail "s2 registered unique: $(dm_peer hub 172.16.0.12)"
wait_until 15 ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2"
[ "$(dm_peer s1 172.16.0.12 nbma)" = 192.0.2.12 ] || fail "s1 peers: $(dm_rows s1 peers)"
dm_neighs s1 | grep -qx "172.16.0.12 192.0.2.12" || fail "s1 neighbours: $(dm_neighs s1)"

dm_step "s2 stops and moves to 198.51.100.12"
dm_stop s2
nsx inet ip addr add 198.51.100.254/24 dev br0
nsx s2 ip addr flush dev eth0
nsx s2 ip addr add 198.51.100.12/24 dev eth0
nsx s2 ip route add default via 198.51.100.254
s2_conf 198.51.100.12
purges_before=$(dm_stat s1 rx_by_type "Purge Request")
dm_start s2
nsx s2 ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink

dm_step "the hub's binding moves; s1's stale mapping is purged"
wait_until 20 dm_is 198.51.100.12 dm_peer hub 172.16.0.12 nbma ||
    fail "the hub's binding did not move: $(dm_peer hub 172.16.0.12)"
row=$(dm_peer hub 172.16.0.12)
dm_step "hub:$row"
[ "$(dm_field "$row" claimed_nbma)" = 198.51.100.12 ] || fail "claimed NBMA: $row"
[ "$(dm_field "$row" state)" = up ] || fail "not up: $row"
wait_until 5 eval 'dm_neighs hub | grep -qx "172.16.0.12 198.51.100.12"' ||
    fail "hub neighbours: $(dm_neighs hub)"
dm_neighs hub | grep -q " 192.0.2.12$" && fail "the hub kept the old mapping: $(dm_neighs hub)"
wait_until 10 eval '! dm_neighs s1 | grep -q " 192.0.2.12$"' ||
    fail "s1 kept the stale mapping: $(dm_neighs s1)"
[ "$(dm_peer s1 172.16.0.12 nbma 2>/dev/null || echo none)" != 192.0.2.12 ] ||
    fail "s1 still lists s2 at the old address: $(dm_rows s1 peers)"
[ "$(dm_stat s1 rx_by_type "Purge Request")" -gt "$purges_before" ] ||
    fail "s1 received no purge request"
[ "$(dm_stat hub nhrp purges_sent)" -ge 1 ] || fail "the hub sent no purge"

dm_step "s1 resolves the new address and reaches LAN 2 again"
wait_until 15 ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 after the move"
[ "$(dm_peer s1 172.16.0.12 nbma)" = 198.51.100.12 ] || fail "s1 peers: $(dm_rows s1 peers)"
dm_neighs s1 | grep -qx "172.16.0.12 198.51.100.12" || fail "s1 neighbours: $(dm_neighs s1)"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 4 >/dev/null || fail "no ping over the new direct path"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
[ $((after - before)) -lt 4 ] || fail "traffic crosses the hub ($((after - before)) packets)"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "NBMA change: binding moved, stale mapping purged, re-resolved"
