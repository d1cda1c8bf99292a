#!/bin/bash
# t-ike-rekey: rekeying under traffic and dead peer detection, with the
# shortest lifetimes dmvpn.conf allows (esp-lifetime 60s, ike-lifetime
# 70s, less up to 10 % jitter).  A ping every 0.2 s from spoke 1's LAN to
# the hub crosses at least one CHILD SA rekey and one IKE SA rekey and
# loses nothing (make before break: the responder's new outbound SA goes
# in only once the initiator has its inbound one).  Then spoke 1 falls
# silent: the hub's DPD (dpd 5s, retransmit-tries 3) declares it dead,
# removes its SAs and NHRP takes its registration down.
#
#   hub  192.0.2.1      / 172.16.0.1
#   s1   198.51.100.11  / 172.16.0.11   lan1 10.1.0.0/24
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
ns_router s1 198.51.100.11/24
ns_lan s1 lan1 10.1.0.0/24

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 198.51.100.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
for n in hub s1; do
	dm_ike "$n" "esp-lifetime 60s" "ike-lifetime 70s" "dpd 5s" "retransmit-tries 3"
done
dm_start hub
dm_start s1
nsx hub ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink
nsx s1 ip route add 10.0.0.0/8 via 172.16.0.1 dev gre1 onlink
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register: $(dm_rows s1 nhs)"

dm_step "ping every 0.2 s for 80 s across the rekeys"
ns_ping lan1 172.16.0.1 400 >"$DM_WORK/ping.out" 2>&1 || true
grep -E 'transmitted|loss' "$DM_WORK/ping.out" || true
sent=$(sed -nE 's/^([0-9]+) packets transmitted.*/\1/p' "$DM_WORK/ping.out")
got=$(sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p' "$DM_WORK/ping.out")
dm_step "sent ${sent:-?}, received ${got:-?}"
child=$(( $(dm_stat hub ike child_rekeys) + $(dm_stat s1 ike child_rekeys) ))
ike=$(( $(dm_stat hub ike ike_rekeys) + $(dm_stat s1 ike ike_rekeys) ))
dm_step "CHILD SA rekeys: $child, IKE SA rekeys: $ike"
[ "$child" -ge 1 ] || fail "no CHILD SA rekey in 80 s"
[ "$ike" -ge 1 ] || fail "no IKE SA rekey in 80 s"
if [ -z "$sent" ] || [ "$sent" -lt 390 ]; then
	fail "ping did not run: $(cat "$DM_WORK/ping.out")"
fi
[ "$got" = "$sent" ] || fail "lost $((sent - got)) of $sent pings across the rekeys"
[ "$(dm_xfrm_states hub)" -eq 2 ] || fail "hub keeps old SAs: $(nsx hub ip xfrm state)"
[ "$(dm_xfrm_states s1)" -eq 2 ] || fail "s1 keeps old SAs: $(nsx s1 ip xfrm state)"
dm_ctl hub show sa

dm_step "s1 falls silent: dead peer detection on the hub"
nsx s1 ip link set eth0 down
t0=$SECONDS
gone() { ! dm_peer hub 172.16.0.11 >/dev/null 2>&1; }
wait_until 45 gone || fail "the hub still has s1 after 45 s: $(dm_rows hub peers)"
dm_step "s1 declared dead after $((SECONDS - t0)) s"
[ "$(dm_stat hub ike dpd_dead)" -ge 1 ] || fail "no DPD death counted"
[ "$(dm_xfrm_states hub)" -eq 0 ] || fail "the hub keeps SAs for a dead peer: $(nsx hub ip xfrm state)"

dm_step "clean stop"
nsx s1 ip link set eth0 up
for n in s1 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 || fail "sanitizer reports"
dm_pass "rekeys under traffic lose nothing; DPD removes a dead peer"
