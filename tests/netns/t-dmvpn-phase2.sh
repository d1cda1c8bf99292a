#!/bin/bash
# t-dmvpn-phase2: DMVPN phase 2.  The spokes route each other's LANs via
# the other spoke's tunnel address directly, as BGP with the next hop left
# unchanged would give them.  The kernel's neighbour miss for that address
# reaches dmvpnd, which resolves it through the hub; the neighbour entry
# (proto nhrp, lladdr the other spoke's NBMA address) appears and the
# traffic goes spoke to spoke, never through the hub.  A miss for an
# address nobody registered is answered negatively (no route, no hang).
#
#   hub  192.0.2.1  / 172.16.0.1    (redirect no: nothing of phase 3)
#   s1   192.0.2.11 / 172.16.0.11   lan1 10.1.0.0/24
#   s2   192.0.2.12 / 172.16.0.12   lan2 10.2.0.0/24
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init

ns_star

dm_conf hub hub 192.0.2.1 172.16.0.1/24 "redirect no"
dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1"
dm_conf s2 spoke 192.0.2.12 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.1"
dm_start hub
dm_start s1
dm_start s2

# What BGP with "next-hop unchanged" gives: the other spoke's LAN via its
# own tunnel address; a third LAN via a spoke that does not exist.
nsx s1 ip route add 10.2.0.0/24 via 172.16.0.12 dev gre1 onlink
nsx s1 ip route add 10.3.0.0/24 via 172.16.0.13 dev gre1 onlink
nsx s2 ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink

dm_step "registration"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register"
[ "$(dm_peer hub 172.16.0.12 nbma)" = 192.0.2.12 ] || fail "hub lacks s2: $(dm_rows hub peers)"
[ -z "$(nsx s1 ip neigh show dev gre1 to 172.16.0.12)" ] ||
    fail "s1 knows s2 before any traffic: $(nsx s1 ip neigh show dev gre1)"

dm_step "phase 2: LAN 1 -> LAN 2, the kernel's miss resolved through the hub"
res_before=$(dm_stat hub rx_by_type "Resolution Request")
wait_until 15 ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2"
nsx s1 ip neigh show dev gre1 proto nhrp | grep -q "^172.16.0.12 lladdr 192.0.2.12 " ||
    fail "s1: no nhrp neighbour for s2: $(nsx s1 ip neigh show dev gre1)"
nsx s2 ip neigh show dev gre1 proto nhrp | grep -q "^172.16.0.11 lladdr 192.0.2.11 " ||
    fail "s2: no nhrp neighbour for s1: $(nsx s2 ip neigh show dev gre1)"
row=$(dm_peer s1 172.16.0.12) || fail "s1 has no peer 172.16.0.12: $(dm_rows s1 peers)"
dm_step "s1 peer:$row"
[ "$(dm_field "$row" type)" = shortcut ] || fail "s1: peer 172.16.0.12 is not a shortcut: $row"
[ "$(dm_field "$row" nbma)" = 192.0.2.12 ] || fail "s1: peer 172.16.0.12 at the wrong NBMA: $row"
[ "$(dm_field "$row" state)" = up ] || fail "s1: peer 172.16.0.12 not up: $row"
[ "$(dm_stat hub rx_by_type "Resolution Request")" -gt "$res_before" ] ||
    fail "the hub saw no resolution request"
[ "$(dm_stat hub nhrp resolutions_answered)" -ge 1 ] ||
    fail "the hub answered no resolution"
# Phase 2 maps next hops; it installs no route.
[ -z "$(nsx s1 ip route show proto nhrp)" ] ||
    fail "s1 has nhrp routes in phase 2: $(nsx s1 ip route show proto nhrp)"

dm_step "the traffic goes spoke to spoke"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "no ping over the direct path"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
dm_step "hub gre1 received $((after - before)) packets during 5 pings"
[ $((after - before)) -lt 5 ] || fail "traffic crosses the hub"
s2_rx=$(nsx s2 cat /sys/class/net/gre1/statistics/rx_packets)
[ "$s2_rx" -ge 5 ] || fail "s2's tunnel received only $s2_rx packets"

dm_step "a miss for an address nobody registered fails cleanly"
if ns_ping lan1 10.3.0.2 1 >/dev/null 2>&1; then
	fail "ping to the unregistered spoke's LAN succeeded"
fi
wait_until 10 dm_is negative dm_peer s1 172.16.0.13 type ||
    fail "s1 has no negative entry for 172.16.0.13: $(dm_rows s1 peers)"
! nsx s1 ip neigh show dev gre1 to 172.16.0.13 | grep -q lladdr ||
    fail "s1 mapped 172.16.0.13: $(nsx s1 ip neigh show dev gre1)"
# The known path still works.
ns_ping lan1 10.2.0.2 2 >/dev/null || fail "the direct path broke"

dm_step "clean stop"
dm_stop s1
dm_stop s2
dm_stop hub
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "phase 2: neighbour miss resolved via the hub, spoke to spoke, negative answer"
