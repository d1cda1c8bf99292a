#!/bin/bash
# t-dmvpn-neigh-aging: the neighbour entries dmvpnd installs age like any
# other (REACHABLE, STALE, DELAY, PROBE), and on a router nothing confirms
# them: forwarded packets and the kernel's own ICMP replies never do.  A
# PROBE asks userspace (app_probes 1) and fails after a second unless
# dmvpnd installs the entry again.  Here every gre1 has a reachable time
# of one second, so entries age all the time, and the traffic must flow
# without loss and without any entry ending FAILED:
#   - hub -> spoke: spoke 1's LAN pings the hub's tunnel address (the hub's
#     replies go through its entry for spoke 1);
#   - spoke -> spoke: LAN 1 pings LAN 2 over a phase 3 shortcut, forwarded
#     by both spokes.
#
#   hub  192.0.2.1  / 172.16.0.1
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

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
dm_conf s2 spoke 192.0.2.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"
for n in hub s1 s2; do
	dm_start "$n"
	# Age fast: reachable for about a second, probe a second later.
	nsx "$n" sysctl -qw net.ipv4.neigh.gre1.base_reachable_time_ms=1000 \
	    net.ipv4.neigh.gre1.delay_first_probe_time=1
done
dm_star_routes
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register"

# pings NAME DST COUNT: how many of COUNT pings, 0.3 s apart, came back.
pings() {
	local ping=(ping)
	command -v ping >/dev/null || ping=(busybox ping)
	nsx "$1" "${ping[@]}" -c "$3" -i 0.3 -W 2 "$2" 2>&1 |
	    sed -n 's/.* \([0-9]*\) \(packets \)*received.*/\1/p'
}
no_failed() {
	local n
	for n in hub s1 s2; do
		if nsx "$n" ip neigh show dev gre1 proto nhrp | grep -q FAILED; then
			nsx "$n" ip neigh show dev gre1
			return 1
		fi
	done
}

dm_step "hub -> spoke: LAN 1 pings the hub's tunnel address for 12 s"
got=$(pings lan1 172.16.0.1 40)
dm_step "$got of 40 came back"
nsx hub ip neigh show dev gre1
[ "${got:-0}" -ge 39 ] || fail "hub -> s1 lost $((40 - ${got:-0})) of 40 pings"
no_failed || fail "a neighbour entry of ours is FAILED"

dm_step "spoke -> spoke: LAN 1 pings LAN 2 over a shortcut for 15 s"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2"
wait_until 20 eval 'dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 "' ||
    fail "no shortcut on s1: $(dm_routes s1)"
wait_until 20 eval 'dm_routes s2 | grep -q "^10.1.0.0/24 via 172.16.0.11 "' ||
    fail "no shortcut on s2: $(dm_routes s2)"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
got=$(pings lan1 10.2.0.2 50)
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
dm_step "$got of 50 came back; the hub relayed $((after - before)) packets"
nsx s1 ip neigh show dev gre1
nsx s2 ip neigh show dev gre1
[ "${got:-0}" -ge 48 ] || fail "LAN 1 -> LAN 2 lost $((50 - ${got:-0})) of 50 pings"
no_failed || fail "a neighbour entry of ours is FAILED"
# A shortcut that failed would send the traffic back through the hub.
[ $((after - before)) -lt 10 ] || fail "the traffic went through the hub"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "aging neighbour entries are installed again: no loss, none FAILED"
