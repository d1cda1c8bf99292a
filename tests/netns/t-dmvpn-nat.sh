#!/bin/bash
# t-dmvpn-nat: a spoke behind a NAT router (nftables masquerade).  Plain
# GRE crosses the masquerade for one spoke behind it.  The hub sees spoke
# 2's registration come from the NAT's outside address while the packet
# claims the inside one: it keeps the binding at the outside address
# (nat flag, claimed NBMA = the inside address) and tells spoke 2 so.
# Spoke 1 then reaches LAN 2 (phase 3) through a shortcut to the NAT's
# outside address, without the hub.
#
# For that the NAT must hold a mapping for GRE between spoke 2 and spoke
# 1 before spoke 1 sends its first packet to the outside address: spoke 2
# has to send first.  Cisco and FRR get that from the Resolution Reply,
# which the answering spoke sends straight to the requester's NBMA address
# (from the request's NAT extension); a reply relayed by the hub opens
# nothing, spoke 1's packets hit the NAT unmapped, and the conntrack entry
# they leave blocks spoke 2's later packets to spoke 1 (GRE has no port to
# remap) for as long as spoke 1 keeps sending.
#
#   hub  192.0.2.1      / 172.16.0.1
#   s1   198.51.100.11  / 172.16.0.11   lan1 10.1.0.0/24
#   nat  192.0.2.20 outside, 203.0.113.254 inside (203.0.113.0/24)
#   s2   203.0.113.12   / 172.16.0.12   lan2 10.2.0.0/24, behind nat
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
command -v nft >/dev/null || skip "nft (nftables) not installed"
dm_init

ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 198.51.100.11/24
ns_nat_router nat 192.0.2.20/24 203.0.113.0/24
ns_router s2 203.0.113.12/24
ns_lan s1 lan1 10.1.0.0/24
ns_lan s2 lan2 10.2.0.0/24

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 198.51.100.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
dm_conf s2 spoke 203.0.113.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"
dm_start hub
dm_start s1
dm_start s2
# Routing as BGP would give it (phase 3: the spokes go via the hub).
dm_star_routes

dm_step "registration through the NAT"
wait_until 20 dm_is dynamic dm_peer hub 172.16.0.11 type || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register: $(dm_rows s2 nhs)"
row=$(dm_peer hub 172.16.0.12) || fail "the hub lacks s2: $(dm_rows hub peers)"
dm_step "hub:$row"
[ "$(dm_field "$row" nbma)" = 192.0.2.20 ] || fail "s2's NBMA on the hub is not the NAT's: $row"
[ "$(dm_field "$row" claimed_nbma)" = 203.0.113.12 ] || fail "s2's claimed NBMA: $row"
[ "$(dm_field "$row" flags.nat)" = true ] || fail "s2 not flagged as NATed: $row"
[ "$(dm_field "$row" state)" = up ] || fail "s2 not up on the hub: $row"
dm_neighs hub | grep -qx "172.16.0.12 192.0.2.20" || fail "hub neighbours: $(dm_neighs hub)"
[ "$(dm_stat hub nhrp registrations_nat)" -ge 1 ] || fail "no NATed registration counted"
# s1 is not behind a NAT.
[ "$(dm_peer hub 172.16.0.11 flags.nat)" = false ] || fail "s1 flagged as NATed"
wait_until 5 grep -q "NAT detected: our NBMA address is 192.0.2.20" "$DM_WORK/s2.log" ||
    fail "s2 did not learn its outside address"
dm_ctl hub show peers

dm_step "LAN 1 -> LAN 2: through the hub, then a shortcut to the NAT"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 through the hub"
wait_until 20 eval 'dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 "' ||
    fail "no shortcut route on s1: $(dm_routes s1)"
dm_neighs s1 | grep -qx "172.16.0.12 192.0.2.20" ||
    fail "s1's mapping of s2 is not the NAT's outside address: $(dm_neighs s1)"
row=$(dm_peer s1 10.2.0.0) || fail "s1 has no shortcut: $(dm_rows s1 peers)"
dm_step "s1:$row"
[ "$(dm_field "$row" type)" = shortcut ] || fail "s1: $row"
[ "$(dm_field "$row" nbma)" = 192.0.2.20 ] || fail "s1's shortcut NBMA: $row"
dm_ctl s1 show peers

dm_step "the shortcut carries the traffic"
if ! wait_until 20 ns_ping lan1 10.2.0.2 1 >/dev/null; then
	nsx nat cat /proc/net/nf_conntrack 2>&1 || true
	nsx nat nft list ruleset
	fail "no ping over the shortcut to the NAT (was the Resolution Reply sent directly from s2 to s1?)"
fi
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "pings over the shortcut lost"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
dm_step "hub gre1 received $((after - before)) packets during 5 pings"
[ $((after - before)) -lt 5 ] || fail "traffic still crosses the hub"
nsx nat cat /proc/net/nf_conntrack 2>/dev/null || true

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "spoke behind NAT: registered at the outside address, shortcut through the NAT"
