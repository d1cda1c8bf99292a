#!/bin/bash
# t-dmvpn-hub-restart: the hub is killed with SIGKILL (nothing withdrawn:
# its GRE device and neighbour entries stay) and started again with the
# same configuration.  The new run adopts the device, removes the entries
# the old run left, and the spokes register again on their next refresh:
# the new hub lists them, its kernel has exactly one nhrp neighbour per
# live spoke (none for a spoke that died meanwhile), and it answers
# resolutions again.
#
#   hub  192.0.2.1  / 172.16.0.1
#   s1   192.0.2.11 / 172.16.0.11
#   s2   192.0.2.12 / 172.16.0.12
#   s3   192.0.2.13 / 172.16.0.13   killed while the hub is down
#
# The spokes register for 15 s (refresh about every 5 s).
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init

ns_internet
ns_router hub 192.0.2.1/24
spokes="s1 s2 s3"
for n in 1 2 3; do ns_router "s$n" "192.0.2.1$n/24"; done

dm_conf hub hub 192.0.2.1 172.16.0.1/24
for n in 1 2 3; do
	dm_conf "s$n" spoke "192.0.2.1$n" "172.16.0.1$n/24" \
	    "holding-time 15s" "nhs 172.16.0.1 nbma 192.0.2.1"
done
dm_start hub
for n in $spokes; do dm_start "$n"; done

want_all="172.16.0.11 192.0.2.11
172.16.0.12 192.0.2.12
172.16.0.13 192.0.2.13"
want_live="172.16.0.11 192.0.2.11
172.16.0.12 192.0.2.12"
hub_neighs_are() { [ "$(dm_neighs hub)" = "$1" ]; }
registered() { [ "$(dm_peer hub "$1" type)" = dynamic ]; }

dm_step "the spokes register"
for n in 1 2 3; do
	wait_until 20 registered "172.16.0.1$n" || fail "s$n did not register: $(dm_rows hub peers)"
done
wait_until 5 hub_neighs_are "$want_all" || fail "hub neighbours: $(dm_neighs hub)"
old_ifindex=$(nsx hub cat /sys/class/net/gre1/ifindex)

dm_step "kill -9 the hub: its device and neighbours stay behind"
dm_stop hub KILL
nsx hub ip link show gre1 >/dev/null || fail "gre1 went with the hub"
hub_neighs_are "$want_all" || fail "the killed hub's neighbours: $(dm_neighs hub)"
dm_step "s3 dies while the hub is down"
dm_stop s3 KILL

dm_step "the hub starts again"
dm_start hub
[ "$(nsx hub cat /sys/class/net/gre1/ifindex)" = "$old_ifindex" ] ||
    fail "gre1 was created anew instead of adopted"
grep -q "adopting the existing device" "$DM_WORK/hub.log" || fail "no adoption logged"
# Whatever the old run installed is gone before anything registers again.
for n in 1 2; do
	wait_until 20 registered "172.16.0.1$n" ||
	    fail "s$n did not register again: $(dm_rows hub peers)"
done
dm_step "both live spokes registered again"
dm_ctl hub show peers
wait_until 5 hub_neighs_are "$want_live" || fail "hub neighbours after restart: $(dm_neighs hub)"
! dm_peer hub 172.16.0.13 >/dev/null || fail "the hub lists the dead s3: $(dm_rows hub peers)"
# Exactly one entry per spoke, whatever its protocol.
[ "$(nsx hub ip neigh show dev gre1 | grep -c lladdr)" -eq 2 ] ||
    fail "hub neighbour table: $(nsx hub ip neigh show dev gre1)"
for n in 1 2; do
	[ "$(dm_nhs "s$n" 192.0.2.1 state)" = up ] || fail "s$n: NHS not up: $(dm_rows "s$n" nhs)"
done

dm_step "the new hub answers resolutions: s1 reaches s2 directly"
wait_until 15 ns_ping s1 172.16.0.12 1 >/dev/null || fail "s1 cannot reach 172.16.0.12"
[ "$(dm_peer s1 172.16.0.12 nbma)" = 192.0.2.12 ] || fail "s1 peers: $(dm_rows s1 peers)"
# Still one neighbour per spoke after a refresh period.
sleep 6
hub_neighs_are "$want_live" || fail "hub neighbours later: $(dm_neighs hub)"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
# The adopted device stays; what we installed on it does not.
[ -z "$(dm_neighs hub 2>/dev/null || true)" ] || fail "hub left neighbours: $(dm_neighs hub)"
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "hub kill -9 and restart: spokes re-registered, one neighbour per spoke, nothing stale"
