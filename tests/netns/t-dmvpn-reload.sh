#!/bin/bash
# t-dmvpn-reload: `dmvpnctl reload` and SIGHUP on a running spoke.
#
# 1. A file that does not parse changes nothing: the errors are logged as
#    file:line, `dmvpnctl reload` exits 1, and every registration,
#    shortcut and the device itself stay as they were.
# 2. SIGHUP with an unchanged file keeps everything.
# 3. Spoke 1 registers with hub1 and hub2 and has a shortcut to spoke 2.
#    Its file changes: hub2 is removed, hub3 added.  After the reload hub2
#    is gone from show nhs (and its neighbour entry with it) and hub3
#    registers, while the rest does not drop: the same GRE device, hub1's
#    registration and the shortcut to spoke 2 keep their uptime.
#
#   hub1 192.0.2.1  / 172.16.0.1     s1 192.0.2.11 / 172.16.0.11
#   hub2 192.0.2.2  / 172.16.0.2     s2 192.0.2.12 / 172.16.0.12 (hub1)
#   hub3 192.0.2.3  / 172.16.0.3
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init

ns_internet
for n in 1 2 3; do ns_router "hub$n" "192.0.2.$n/24"; done
ns_router s1 192.0.2.11/24
ns_router s2 192.0.2.12/24

for n in 1 2 3; do dm_conf "hub$n" hub "192.0.2.$n" "172.16.0.$n/24"; done
s1_conf() {
	dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 "$@"
}
s1_conf "nhs 172.16.0.1 nbma 192.0.2.1" "nhs 172.16.0.2 nbma 192.0.2.2"
dm_conf s2 spoke 192.0.2.12 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.1"
for n in hub1 hub2 hub3 s1 s2; do dm_start "$n"; done

up() { [ "$(dm_nhs "$1" "$2" state)" = up ]; }
uptime_nhs() { dm_nhs s1 "$1" uptime; }
uptime_peer() { dm_peer s1 "$1" uptime; }
ifindex() { nsx s1 cat /sys/class/net/gre1/ifindex; }

dm_step "s1 registers with hub1 and hub2, resolves s2"
wait_until 20 up s1 192.0.2.1 || fail "s1 not on hub1: $(dm_rows s1 nhs)"
wait_until 20 up s1 192.0.2.2 || fail "s1 not on hub2: $(dm_rows s1 nhs)"
wait_until 20 up s2 192.0.2.1 || fail "s2 not on hub1: $(dm_rows s2 nhs)"
wait_until 15 ns_ping s1 172.16.0.12 1 >/dev/null || fail "s1 cannot reach s2"
[ "$(dm_peer s1 172.16.0.12 type)" = shortcut ] || fail "no shortcut to s2: $(dm_rows s1 peers)"
aged() { [ "$(uptime_peer 172.16.0.12)" -ge 3 ]; }
wait_until 10 aged || fail "shortcut uptime: $(dm_peer s1 172.16.0.12)"
dm_ctl s1 show nhs

# state: "ifindex hub1-uptime shortcut-uptime" now
state() { echo "$(ifindex) $(uptime_nhs 192.0.2.1) $(uptime_peer 172.16.0.12)"; }
# kept BEFORE: nothing reset since BEFORE was taken
kept() {
	local i0 h0 p0 i1 h1 p1
	read -r i0 h0 p0 <<<"$1"
	read -r i1 h1 p1 <<<"$(state)"
	dm_step "before: ifindex $i0, hub1 up $h0 s, shortcut up $p0 s; now: $i1, $h1 s, $p1 s"
	[ "$i1" = "$i0" ] || { echo "gre1 was re-created"; return 1; }
	[ "$h1" -ge "$h0" ] || { echo "hub1's registration was reset"; return 1; }
	[ "${p1:--1}" -ge "$p0" ] || { echo "the shortcut to s2 was reset or lost"; return 1; }
	up s1 192.0.2.1 || { echo "hub1 not up"; return 1; }
}

dm_step "1. a broken file changes nothing"
cp "$DM_WORK/s1.conf" "$DM_WORK/s1.conf.good"
s1_conf "nhs 172.16.0.1 nbma 192.0.2.1" "holding-time 0" "nhs-falback 5s"
before=$(state)
rc=0
out=$(dm_ctl s1 reload 2>&1) || rc=$?
dm_step "dmvpnctl reload: exit $rc: $out"
[ "$rc" -eq 1 ] || fail "dmvpnctl reload of a broken file exited $rc"
grep -Eq "s1\.conf:[0-9]+: .*holding-time" "$DM_WORK/s1.log" ||
    fail "no file:line error for holding-time in the log"
grep -Eq "s1\.conf:[0-9]+: .*nhs-falback" "$DM_WORK/s1.log" ||
    fail "no file:line error for the misspelt keyword in the log"
why=$(kept "$before") || fail "a failed reload changed things: $why"
up s1 192.0.2.2 || fail "a failed reload dropped hub2: $(dm_rows s1 nhs)"
dm_ctl s1 show config | grep -q "nhs 172.16.0.2 nbma 192.0.2.2" ||
    fail "the running configuration changed"

dm_step "2. SIGHUP with an unchanged file keeps everything"
cp "$DM_WORK/s1.conf.good" "$DM_WORK/s1.conf"
before=$(state)
kill -HUP "$(dm_pid s1)"
wait_until 10 grep -q "reloaded: 1 tunnel unchanged" "$DM_WORK/s1.log" ||
    fail "SIGHUP: no reload logged"
why=$(kept "$before") || fail "an unchanged reload changed things: $why"

dm_step "3. hub2 out, hub3 in: the rest stays up"
s1_conf "nhs 172.16.0.1 nbma 192.0.2.1" "nhs 172.16.0.3 nbma 192.0.2.3"
before=$(state)
out=$(dm_ctl s1 reload) || fail "dmvpnctl reload failed: $out"
dm_step "dmvpnctl reload: $out"
wait_until 20 up s1 192.0.2.3 || fail "hub3 did not come up: $(dm_rows s1 nhs)"
! dm_nhs s1 192.0.2.2 >/dev/null || fail "hub2 is still listed: $(dm_rows s1 nhs)"
wait_until 5 eval '! dm_neighs s1 | grep -q "^172.16.0.2 "' ||
    fail "hub2's neighbour stayed: $(dm_neighs s1)"
dm_neighs s1 | grep -qx "172.16.0.3 192.0.2.3" || fail "no neighbour for hub3: $(dm_neighs s1)"
dm_ctl s1 show nhs
why=$(kept "$before") ||
    fail "the reload dropped what it did not change: $why (NHS changes must apply in place)"
ns_ping s1 172.16.0.12 2 >/dev/null || fail "s1 cannot reach s2 after the reload"
[ "$(dm_peer hub3 172.16.0.11 type)" = dynamic ] || fail "hub3 lacks s1: $(dm_rows hub3 peers)"

dm_step "clean stop"
for n in s1 s2 hub1 hub2 hub3; do dm_stop "$n"; done
dm_sanitizers_clean hub1 hub2 hub3 s1 s2 || fail "sanitizer reports"
dm_pass "reload: a broken file changes nothing, NHS changes apply in place"
