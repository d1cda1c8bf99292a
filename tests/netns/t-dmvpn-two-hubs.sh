#!/bin/bash
# t-dmvpn-two-hubs: two hubs in one NHS cluster that allows one connection
# (Cisco "ip nhrp nhs cluster 0 max-connections 1").  The spokes register
# with the preferred hub only; when it stops they move to the other; when
# it comes back they return to it and let the other go (no stale NHS
# neighbour, and the other hub's bindings expire).
#
#   hub1 192.0.2.1  / 172.16.0.1   priority 1 (preferred)
#   hub2 192.0.2.2  / 172.16.0.2   priority 2
#   s1   192.0.2.11 / 172.16.0.11
#   s2   192.0.2.12 / 172.16.0.12
#
# The spokes register for 10 s, so they refresh every 3 s or so and a dead
# hub is noticed within about 15 s.
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init

ns_internet
ns_router hub1 192.0.2.1/24
ns_router hub2 192.0.2.2/24
ns_router s1 192.0.2.11/24
ns_router s2 192.0.2.12/24

dm_conf hub1 hub 192.0.2.1 172.16.0.1/24
dm_conf hub2 hub 192.0.2.2 172.16.0.2/24
for n in 1 2; do
	dm_conf "s$n" spoke "192.0.2.1$n" "172.16.0.1$n/24" \
	    "holding-time 10s" \
	    "nhs 172.16.0.1 nbma 192.0.2.1 priority 1 cluster 0" \
	    "nhs 172.16.0.2 nbma 192.0.2.2 priority 2 cluster 0" \
	    "cluster 0 max-connections 1"
done
for n in hub1 hub2 s1 s2; do dm_start "$n"; done

# on_hub SPOKE HUB_NBMA OTHER_NBMA: registered with the one, not the other.
on_hub() {
	local rows
	rows=$(dm_rows "$1" nhs)
	[ "$(dm_pick "$rows" nbma "$2" state)" = up ] &&
	    [ "$(dm_pick "$rows" nbma "$3" state)" != up ]
}
# registered_at HUB SPOKE_ADDR: HUB holds a dynamic binding for it.
registered_at() { [ "$(dm_peer "$1" "$2" type)" = dynamic ]; }
# only_nhs_neigh SPOKE TUNNEL NBMA: its one nhrp neighbour is that hub.
only_nhs_neigh() { [ "$(dm_neighs "$1")" = "$2 $3" ]; }

dm_step "the spokes register with hub1 only"
for n in 1 2; do
	wait_until 20 on_hub "s$n" 192.0.2.1 192.0.2.2 ||
	    fail "s$n is not on hub1 alone: $(dm_rows "s$n" nhs)"
	registered_at hub1 "172.16.0.1$n" || fail "hub1 lacks s$n: $(dm_rows hub1 peers)"
done
# One refresh later, hub2 still has heard nothing.
sleep 4
for n in 1 2; do
	on_hub "s$n" 192.0.2.1 192.0.2.2 || fail "s$n left hub1: $(dm_rows "s$n" nhs)"
	! registered_at hub2 "172.16.0.1$n" || fail "hub2 has s$n: $(dm_rows hub2 peers)"
	only_nhs_neigh "s$n" 172.16.0.1 192.0.2.1 ||
	    fail "s$n neighbours: $(dm_neighs "s$n")"
done
ctl_out=$(dm_ctl s1 show nhs) && printf '%s\n' "$ctl_out"

dm_step "hub1 stops: the spokes move to hub2"
t0=$SECONDS
dm_stop hub1
for n in 1 2; do
	wait_until 40 on_hub "s$n" 192.0.2.2 192.0.2.1 ||
	    fail "s$n did not move to hub2: $(dm_rows "s$n" nhs)"
done
dm_step "moved after $((SECONDS - t0)) s"
for n in 1 2; do
	wait_until 10 registered_at hub2 "172.16.0.1$n" ||
	    fail "hub2 lacks s$n: $(dm_rows hub2 peers)"
	wait_until 5 only_nhs_neigh "s$n" 172.16.0.2 192.0.2.2 ||
	    fail "s$n neighbours after the move: $(dm_neighs "s$n")"
done
[ "$(dm_nhs s1 192.0.2.1 failures)" -ge 1 ] || fail "no failure counted for hub1"
ctl_out=$(dm_ctl s1 show nhs) && printf '%s\n' "$ctl_out"

dm_step "hub1 comes back: the spokes fall back to it and release hub2"
t0=$SECONDS
dm_start hub1
for n in 1 2; do
	wait_until 45 on_hub "s$n" 192.0.2.1 192.0.2.2 ||
	    fail "s$n did not return to hub1: $(dm_rows "s$n" nhs)"
done
dm_step "back after $((SECONDS - t0)) s"
for n in 1 2; do
	registered_at hub1 "172.16.0.1$n" || fail "hub1 lacks s$n again: $(dm_rows hub1 peers)"
	wait_until 5 only_nhs_neigh "s$n" 172.16.0.1 192.0.2.1 ||
	    fail "s$n neighbours after the fallback: $(dm_neighs "s$n")"
	[ "$(dm_nhs "s$n" 192.0.2.2 state)" = down ] ||
	    fail "s$n did not release hub2: $(dm_rows "s$n" nhs)"
done
# Released, not refreshed: hub2's bindings run out (10 s).
for n in 1 2; do
	wait_until 20 eval "! registered_at hub2 172.16.0.1$n" ||
	    fail "hub2 still has s$n: $(dm_rows hub2 peers)"
done
[ -z "$(dm_neighs hub2)" ] || fail "hub2 kept neighbours: $(dm_neighs hub2)"
ctl_out=$(dm_ctl s1 show nhs) && printf '%s\n' "$ctl_out"

dm_step "clean stop"
for n in s1 s2 hub1 hub2; do dm_stop "$n"; done
dm_sanitizers_clean hub1 hub2 s1 s2 || fail "sanitizer reports"
dm_pass "cluster max-connections 1: hub1 only, failover to hub2, fallback to hub1"
