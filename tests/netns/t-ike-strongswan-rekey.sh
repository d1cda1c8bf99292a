#!/bin/bash
# t-ike-strongswan-rekey: rekeying between dmvpnd's IKEv2 engine and
# strongSwan's charon while a ping runs every 0.2 s over the tunnel.
# Router Y runs dmvpnd with "ipsec no" and charon (GRE in ESP transport
# mode), router X dmvpnd with "ipsec yes".  Two pairs side by side:
#
#   A. charon rekeys: y1 is a spoke of x1 and charon initiates (trap).
#      Its lifetimes are short: the CHILD SA is rekeyed every ~15 s, the
#      IKE SA every ~30 s; dmvpnd keeps its defaults (1h, 4h).
#   B. dmvpnd rekeys: x2 is a spoke of y2 and dmvpnd initiates, with its
#      shortest lifetimes (esp-lifetime and ike-lifetime 60s, rekeyed at
#      54..60 s); charon never rekeys (rekey_time 0).  charon takes only
#      AES-CBC, HMAC-SHA-256 and ECP-256 here (INVALID_KE_PAYLOAD first).
#
# Each pair must lose at most SS_MAX_LOST (1) of the pings, end with one
# CHILD SA on both sides with the same SPIs and one IKE SA on charon's,
# and no GRE may cross the internet in the clear.
#
#   x1  192.0.2.1     / 172.16.0.1    dmvpnd hub, ipsec yes
#   y1  198.51.100.1  / 172.16.0.11   dmvpnd spoke, ipsec no + charon
#   x2  192.0.2.2     / 172.16.0.12   dmvpnd spoke, ipsec yes
#   y2  198.51.100.2  / 172.16.0.1    dmvpnd hub, ipsec no + charon
#
# Exit: 0 pass, 1 fail, 77 skip (strongSwan absent, unless CI=true).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
has_esp || skip "kernel lacks ESP (esp4, rfc4106(gcm(aes)))"
ss_require
dm_init
ss_logs_on_failure y1 y2
max_lost=${SS_MAX_LOST:-1}
# est NAME: how long ago NAME's (first) IKE SA was established, in s
# (before any rekey).
est() {
	dm_ctl "$1" -j show ike 2>/dev/null | tr -d ' \t\n' |
	    grep -o '"established_s":[0-9]*' | head -n 1 | cut -d: -f2
}
# top: the highest of the ids on stdin (0 for none).
top() { awk '{ for (i = 1; i <= NF; i++) if ($i + 0 > m) m = $i + 0 } END { print m + 0 }'; }

dm_step "topology"
ns_internet
ns_router x1 192.0.2.1/24
ns_router y1 198.51.100.1/24
ns_router x2 192.0.2.2/24
ns_router y2 198.51.100.2/24
ns_watch_wire

dm_step "charon on y1 (short lifetimes, trap) and y2 (no rekeying)"
ss_conn 198.51.100.1 192.0.2.1 psk trap \
    "rekey_time = 30s" "child.rekey_time = 15s" "child.life_time = 25s" \
    "child.rand_time = 2s" | ss_start y1
# y2 takes only AES-CBC with HMAC-SHA-256 and ECP-256: dmvpnd's first
# KE (X25519) draws INVALID_KE_PAYLOAD, and its rekeys use CBC and ECP.
ss_conn 198.51.100.2 192.0.2.2 psk none \
    "proposals = aes256-sha256-ecp256" "rekey_time = 0s" \
    "child.esp_proposals = aes256-sha256" "child.rekey_time = 0s" | ss_start y2
dm_step "6. $(ss_version y1)"

dm_conf x1 hub 192.0.2.1 172.16.0.1/24
dm_ike x1
dm_conf y1 spoke 198.51.100.1 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1" "ipsec no"
dm_conf x2 spoke 192.0.2.2 172.16.0.12/24 "nhs 172.16.0.1 nbma 198.51.100.2"
dm_ike x2 "esp-lifetime 60s" "ike-lifetime 60s"
dm_conf y2 hub 198.51.100.2 172.16.0.1/24 "ipsec no"

dm_step "dmvpnd on all four"
dm_start x1
dm_start y2
dm_start y1
dm_start x2
wait_until 30 dm_is up dm_nhs y1 192.0.2.1 state ||
    fail "y1 did not register with x1: $(dm_rows y1 nhs)"
ta=$(ss_now)
wait_until 30 dm_is up dm_nhs x2 198.51.100.2 state ||
    fail "x2 did not register with y2: $(dm_rows x2 nhs)"
ike_a=$(ss_ike_ids y1 | top)
child_a=$(ss_child_ids y1 | top)
ike_b=$(ss_ike_ids y2 | top)
child_b=$(ss_child_ids y2 | top)
ss_same_spis x1 192.0.2.1 y1 198.51.100.1
ss_same_spis x2 192.0.2.2 y2 198.51.100.2
ss_swanctl y2 --list-sas | grep -q 'AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256' ||
    fail "B: the IKE SA is not AES-CBC/SHA-256/ECP-256: $(ss_swanctl y2 --list-sas)"
nsx x2 ip xfrm state | grep -q 'enc cbc(aes)' ||
    fail "B: x2's SAs are not AES-CBC: $(nsx x2 ip xfrm state)"
grep -Eq 'N\(INVAL_KE\)|unacceptable, requesting' "$SS_WORK/y2/charon.log" ||
    fail "B: charon on y2 did not ask dmvpnd for another KE group"

# Long enough for dmvpnd's rekeys on x2 (at most 60 s after its IKE SA
# came up) and three of charon's CHILD rekeys on y1 (every 13..15 s after
# y1 registered), with a few seconds to spare.
ea=$(ss_since "$ta")
ea=${ea%.*}
eb=$(est x2)
secs=$((64 - ${eb:-0}))
[ "$secs" -ge $((48 - ea)) ] || secs=$((48 - ea))
dm_step "4. ping -i 0.2 for $secs s on both pairs while they rekey (up ${ea}s and ${eb:-0}s)"
ss_ping y1 172.16.0.1 "$secs" "$DM_WORK/ping-a"
ss_ping x2 172.16.0.1 "$secs" "$DM_WORK/ping-b"
wait_until $((secs * 2 + 10)) grep -q 'packets transmitted' "$DM_WORK/ping-a" ||
    fail "pair A: ping did not finish: $(cat "$DM_WORK/ping-a")"
wait_until 15 grep -q 'packets transmitted' "$DM_WORK/ping-b" ||
    fail "pair B: ping did not finish: $(cat "$DM_WORK/ping-b")"
read -r sent_a lost_a < <(ss_ping_lost "$DM_WORK/ping-a")
read -r sent_b lost_b < <(ss_ping_lost "$DM_WORK/ping-b")

# charon numbers each new SA: the rise of the highest id counts rekeys.
rk_child_a=$(($(ss_child_ids y1 | top) - child_a))
rk_ike_a=$(($(ss_ike_ids y1 | top) - ike_a))
rk_child_b=$(($(ss_child_ids y2 | top) - child_b))
rk_ike_b=$(($(ss_ike_ids y2 | top) - ike_b))
dm_step "A (charon rekeys): $rk_child_a CHILD and $rk_ike_a IKE rekeys, $lost_a of $sent_a pings lost"
dm_step "B (dmvpnd rekeys): $rk_child_b CHILD and $rk_ike_b IKE rekeys, $lost_b of $sent_b pings lost"
ss_swanctl y1 --list-sas
ss_swanctl y2 --list-sas
# Where a lost packet died: the kernel's XFRM error counters per router
# (XfrmInNoStates: ESP with an SPI the receiver has no SA for yet).
for n in x1 y1 x2 y2; do
	# shellcheck disable=SC2016 # awk's fields
	info "$n XFRM errors: $(nsx "$n" awk '$2 != 0 { printf "%s=%s ", $1, $2 }' /proc/net/xfrm_stat)"
done

# Pair A: charon rekeyed the CHILD SA at least 3 times and the IKE SA at
# least once; dmvpnd installed each new CHILD SA.
[ "$rk_child_a" -ge 3 ] || fail "A: charon rekeyed the CHILD SA $rk_child_a times, not 3"
[ "$rk_ike_a" -ge 1 ] || fail "A: charon did not rekey the IKE SA"
n=$(grep -c 'ike: CHILD SA with 198.51.100.1: in' "$DM_WORK/x1.log" || true)
[ "$n" -ge 4 ] || fail "A: x1 installed $n CHILD SAs, not 4 or more"
# Pair B: charon never rekeys, so its new SAs come from dmvpnd's rekeys.
[ "$rk_child_b" -ge 1 ] || fail "B: dmvpnd did not rekey the CHILD SA"
[ "$rk_ike_b" -ge 1 ] || fail "B: dmvpnd did not rekey the IKE SA"
grep -q 'received CREATE_CHILD_SA request' "$SS_WORK/y2/charon.log" ||
    grep -q 'parsed CREATE_CHILD_SA request' "$SS_WORK/y2/charon.log" ||
    fail "B: charon on y2 never got a CREATE_CHILD_SA request"

[ "$sent_a" -ge $((secs * 4)) ] || fail "A: only $sent_a pings sent"
[ "$sent_b" -ge $((secs * 4)) ] || fail "B: only $sent_b pings sent"
[ "$lost_a" -le "$max_lost" ] || fail "A: $lost_a pings lost while charon rekeyed"
[ "$lost_b" -le "$max_lost" ] || fail "B: $lost_b pings lost while dmvpnd rekeyed"

dm_step "both ends: one IKE SA, one CHILD SA, the same SPIs"
ss_same_spis x1 192.0.2.1 y1 198.51.100.1
ss_same_spis x2 192.0.2.2 y2 198.51.100.2
for y in y1 y2; do
	n=$(ss_ike_ids "$y" | wc -w)
	[ "$n" -eq 1 ] || fail "$y: charon has $n IKE SAs: $(ss_swanctl "$y" --list-sas)"
done
[ "$(dm_xfrm_states x1)" -eq 2 ] || fail "x1: not 2 XFRM states: $(nsx x1 ip xfrm state)"
[ "$(dm_xfrm_states x2)" -eq 2 ] || fail "x2: not 2 XFRM states: $(nsx x2 ip xfrm state)"
ns_ping y1 172.16.0.1 2 >/dev/null || fail "A: no ping after the rekeys"
ns_ping x2 172.16.0.1 2 >/dev/null || fail "B: no ping after the rekeys"
esp=$(ns_wire_count esp)
gre=$(ns_wire_count gre)
dm_step "internet forwarded $esp ESP and $gre cleartext GRE packets"
[ "$gre" -eq 0 ] || fail "cleartext GRE crossed the internet during the rekeys: $gre packets"

for n in x1 y1 x2 y2; do dm_stop "$n"; done
dm_sanitizers_clean x1 y1 x2 y2 || fail "sanitizer reports"
dm_pass "rekeys with strongSwan: lost $lost_a/$sent_a (charon rekeying), $lost_b/$sent_b (dmvpnd rekeying)"
