#!/bin/bash
# t-dmvpn-kill9: a spoke with a shortcut route and neighbour entries
# installed is killed with SIGKILL (it withdraws nothing), then started
# again with the same configuration.  The new run adopts the GRE device
# and leaves no orphan: the proto nhrp routes and neighbours are exactly
# the ones it wants (the old shortcut is gone until traffic resolves it
# again, so is the old run's negative answer to a neighbour miss, and the
# NHS neighbour is there once).  Then a clean stop (SIGTERM) of that run,
# whose device was adopted and so stays, leaves no proto nhrp route or
# neighbour behind (negative answers included), and nothing of anyone
# else's is touched.  On the way, a shortcut route deleted behind
# dmvpnd's back is put back.
#
#   hub  192.0.2.1  / 172.16.0.1
#   s1   192.0.2.11 / 172.16.0.11   lan1 10.1.0.0/24   (killed)
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
dm_start hub
dm_start s1
dm_start s2
dm_star_routes
# Someone else's neighbour on the tunnel (no proto): never ours to touch.
nsx s1 ip neigh replace 172.16.0.99 lladdr 192.0.2.99 dev gre1 nud permanent

shortcut_installed() { dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 dev gre1 "; }
neighs_are() { [ "$(dm_neighs s1)" = "$1" ]; }
want_nhs="172.16.0.1 192.0.2.1"
want_both="172.16.0.1 192.0.2.1
172.16.0.12 192.0.2.12"

dm_step "s1 builds a shortcut to LAN 2"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2"
wait_until 20 shortcut_installed || fail "no shortcut on s1: $(dm_routes s1)"
wait_until 5 neighs_are "$want_both" || fail "s1 neighbours: $(dm_neighs s1)"
# And a negative answer: the kernel's FAILED entry for 172.16.0.13.
ns_ping s1 172.16.0.13 1 >/dev/null 2>&1 && fail "172.16.0.13 answered"
wait_until 10 dm_is negative dm_peer s1 172.16.0.13 type ||
    fail "no negative entry for 172.16.0.13: $(dm_rows s1 peers)"
wait_until 5 neighs_are "$want_both
172.16.0.13 -" || fail "s1 neighbours: $(dm_neighs s1)"
ifindex=$(nsx s1 cat /sys/class/net/gre1/ifindex)

dm_step "kill -9 s1: everything stays in the kernel"
dm_stop s1 KILL
shortcut_installed || fail "the shortcut went with the process"
neighs_are "$want_both
172.16.0.13 -" || fail "the neighbours went with the process: $(dm_neighs s1)"

dm_step "s1 starts again"
dm_start s1
[ "$(nsx s1 cat /sys/class/net/gre1/ifindex)" = "$ifindex" ] || fail "gre1 was not adopted"
grep -q "adopting the existing device" "$DM_WORK/s1.log" || fail "no adoption logged"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register again"
wait_until 5 neighs_are "$want_nhs" || fail "s1 neighbours after restart: $(dm_neighs s1)"
[ -z "$(dm_routes s1)" ] || fail "orphan routes on s1: $(dm_routes s1)"
[ -z "$(dm_rows s1 routes)" ] || fail "s1 wants routes: $(dm_rows s1 routes)"
! dm_peer s1 10.2.0.0 >/dev/null || fail "s1 lists the old shortcut: $(dm_rows s1 peers)"
stale=$(dm_stat s1 kernel stale_removed)
dm_step "stale kernel objects removed at start: $stale"
[ "$stale" -ge 2 ] || fail "stale_removed is $stale, want at least 2 (route and neighbour)"
nsx s1 ip neigh show dev gre1 | grep -q "^172.16.0.99 lladdr 192.0.2.99 PERMANENT" ||
    fail "the foreign neighbour was touched: $(nsx s1 ip neigh show dev gre1)"
# Still the same after a while (nothing comes back by itself).
sleep 3
neighs_are "$want_nhs" || fail "s1 neighbours later: $(dm_neighs s1)"
[ -z "$(dm_routes s1)" ] || fail "routes came back on s1: $(dm_routes s1)"

dm_step "traffic resolves the shortcut again, once"
# To 10.2.0.1, not 10.2.0.2: the hub stays quiet about a flow for 30 s
# after its source resolved it (NHRP_FLOW_QUIET), restarted or not.
ns_ping lan1 10.2.0.1 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 after the restart"
wait_until 20 shortcut_installed || fail "no shortcut on s1 after the restart: $(dm_routes s1)"
[ "$(dm_routes s1 | wc -l)" -eq 1 ] || fail "s1 routes: $(dm_routes s1)"
wait_until 5 neighs_are "$want_both" || fail "s1 neighbours: $(dm_neighs s1)"
ns_ping lan1 10.2.0.2 3 >/dev/null || fail "no ping over the new shortcut"
nsx s1 ip route del 10.2.0.0/24 proto nhrp
wait_until 10 shortcut_installed || fail "a deleted shortcut route was not put back"
[ "$(dm_peer s1 10.2.0.0 type)" = shortcut ] || fail "s1 peers: $(dm_rows s1 peers)"

dm_step "a miss for an unregistered address is answered negatively again"
ns_ping s1 172.16.0.13 1 >/dev/null 2>&1 && fail "172.16.0.13 answered"
wait_until 10 dm_is negative dm_peer s1 172.16.0.13 type ||
    fail "no negative entry for 172.16.0.13: $(dm_rows s1 peers)"

dm_step "a clean stop withdraws everything of ours from the adopted device"
dm_stop s1
nsx s1 ip link show gre1 >/dev/null || fail "the adopted gre1 was deleted"
[ -z "$(nsx s1 ip route show proto nhrp table all)" ] ||
    fail "s1 left routes: $(nsx s1 ip route show proto nhrp table all)"
[ -z "$(nsx s1 ip neigh show proto nhrp)" ] ||
    fail "s1 left neighbours: $(nsx s1 ip neigh show proto nhrp)"
nsx s1 ip route show | grep -q "^10.0.0.0/8 via 172.16.0.1 dev gre1 onlink" ||
    fail "s1's own route was removed: $(nsx s1 ip route show)"
nsx s1 ip neigh show dev gre1 | grep -q "^172.16.0.99 lladdr 192.0.2.99 PERMANENT" ||
    fail "the foreign neighbour was removed"

dm_step "clean stop"
dm_stop s2
dm_stop hub
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "kill -9 and restart: no orphan routes or neighbours; clean stop withdraws all"
