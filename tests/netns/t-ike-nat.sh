#!/bin/bash
# t-ike-nat: a spoke behind a NAT router (nftables masquerade) with
# dmvpnd's IKEv2.  NAT detection (RFC 7296 2.23) moves IKE to UDP 4500 and
# the CHILD SAs to ESP in UDP (RFC 3948): the hub registers spoke 2 at the
# NAT's outside address, and a shortcut between spoke 1 and spoke 2 comes
# up through the NAT (spoke 2 answers spoke 1's resolution itself and so
# starts IKE from the inside).  Spoke 2 keeps the NAT open with keepalives.
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
ns_watch_wire

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 198.51.100.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
dm_conf s2 spoke 203.0.113.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"
for n in hub s1 s2; do dm_ike "$n" "nat-keepalive 5s"; done
dm_start hub
dm_start s1
dm_start s2
dm_star_routes

dm_step "registration through the NAT, over UDP 4500"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register: $(dm_rows s1 nhs)"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register: $(dm_rows s2 nhs)"
row=$(dm_peer hub 172.16.0.12) || fail "the hub lacks s2: $(dm_rows hub peers)"
[ "$(dm_field "$row" nbma)" = 192.0.2.20 ] || fail "s2's NBMA on the hub is not the NAT's: $row"
[ "$(dm_field "$row" state)" = up ] || fail "s2 not up on the hub: $row"
nsx hub ip xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500' ||
    fail "no ESP in UDP toward the NAT: $(nsx hub ip xfrm state)"
json=$(dm_ctl s2 -j show ike)
echo "$json" | grep -q '"nat_local": true' || fail "s2 does not know it is behind a NAT: $json"
echo "$json" | grep -q '"local_port": 4500' || fail "s2's IKE did not move to 4500: $json"
dm_ctl hub show ike
dm_ctl hub show sa

dm_step "LAN 1 -> LAN 2: a shortcut through the NAT"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 through the hub"
wait_until 30 eval 'dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 "' ||
    fail "no shortcut route on s1: $(dm_routes s1) / $(dm_rows s1 peers)"
wait_until 10 ns_ping lan1 10.2.0.2 1 >/dev/null ||
    fail "no ping over the shortcut to the NAT"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "pings over the shortcut lost"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
[ $((after - before)) -lt 5 ] || fail "traffic still crosses the hub"
dm_ctl s1 show sa
dm_ctl s1 -j show sa | grep -q '"encap": true' || fail "s1-s2 SA is not ESP in UDP"

dm_step "the wire: ESP in UDP between s1 and the NAT, no cleartext GRE"
natt=$(ns_wire_count natt)
dm_step "internet forwarded $natt UDP 4500 and $(ns_wire_count gre) GRE packets"
[ "$natt" -gt 5 ] || fail "too little ESP in UDP: $natt"
[ "$(ns_wire_count gre)" -eq 0 ] || fail "cleartext GRE crossed the internet"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
for n in hub s1 s2; do
	[ "$(dm_xfrm_states "$n")" -eq 0 ] || fail "$n keeps XFRM states"
done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "IKEv2 through NAT: UDP 4500, ESP in UDP, shortcut"
