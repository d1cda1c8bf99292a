#!/bin/bash
# t-ike-strongswan: interop of dmvpnd's IKEv2 engine with strongSwan's
# charon (swanctl configuration), pre-shared key.  Router Y runs dmvpnd
# with "ipsec no" (plain NHRP over GRE) and charon, which protects GRE
# between Y and X in ESP transport mode; router X runs dmvpnd with
# "ipsec yes" and an ike block.  Two pairs run side by side:
#
#   1. dmvpnd initiates: x1 is a spoke of y1; its IKE_SA_INIT goes to
#      charon (responder) before the first Registration Request.
#   2. charon initiates: y2 is a spoke of x2; charon's trap policy on the
#      GRE child catches y2's first Registration Request (ACQUIRE), and
#      charon initiates to dmvpnd (responder).
#
# Both must register, ping over the tunnel, show the internet ESP and no
# cleartext GRE, and agree on the ESP SPIs (swanctl --list-sas against
# dmvpnd's show sa and the kernel).  dmvpnd (pair 1) and charon (pair 2)
# check liveness (DPD, 5 s) and the other answers; on pair 1, charon's
# Delete of the IKE SA is followed by a new SA from dmvpnd, and dmvpnd's
# stop by a Delete charon acts on.
#
#   x1  192.0.2.1     / 172.16.0.11   dmvpnd spoke, ipsec yes
#   y1  198.51.100.1  / 172.16.0.1    dmvpnd hub, ipsec no + charon
#   x2  192.0.2.2     / 172.16.0.1    dmvpnd hub, ipsec yes
#   y2  198.51.100.2  / 172.16.0.12   dmvpnd spoke, ipsec no + charon
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
# new_sa NAME OLD: charon on NAME has a CHILD SA, and not the SPIs OLD.
new_sa() { local n; n=$(ss_spis "$1"); [ -n "$n" ] && [ "$n" != "$2" ]; }

dm_step "topology"
ns_internet
ns_router x1 192.0.2.1/24
ns_router y1 198.51.100.1/24
ns_router x2 192.0.2.2/24
ns_router y2 198.51.100.2/24
ns_watch_wire

dm_step "charon on y1 and y2"
# Pair 1: dmvpnd spoke x1 -> charon responder on the hub y1.
dm_conf x1 spoke 192.0.2.1 172.16.0.11/24 "nhs 172.16.0.1 nbma 198.51.100.1"
dm_ike x1 "dpd 5s"
dm_conf y1 hub 198.51.100.1 172.16.0.1/24 "ipsec no"
ss_conn 198.51.100.1 192.0.2.1 psk none | ss_start y1

# Pair 2: charon (trap) on the spoke y2 -> dmvpnd hub x2.
dm_conf x2 hub 192.0.2.2 172.16.0.1/24
dm_ike x2
dm_conf y2 spoke 198.51.100.2 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.2" "ipsec no"
ss_conn 198.51.100.2 192.0.2.2 psk trap "dpd_delay = 5s" | ss_start y2
ss_swanctl y2 --list-pols --trap | grep -q 'dmvpn/gre' || fail "charon on y2 has no trap policy"
dm_step "6. $(ss_version y1)"

dm_step "dmvpnd on all four"
dm_start y1
dm_start x2
t1=$(ss_now)
dm_start x1
t2=$(ss_now)
dm_start y2

dm_step "1. dmvpnd initiates to charon"
wait_until 30 dm_is up dm_nhs x1 198.51.100.1 state ||
    fail "x1 did not register with y1: $(dm_rows x1 nhs)"
dm_step "x1 registered $(ss_since "$t1") s after its dmvpnd started"
grep -q "ike: SA with 198.51.100.1 up (psk, initiator)" "$DM_WORK/x1.log" ||
    fail "x1's log has no IKE SA up as initiator"
[ "$(ss_nchild y1)" -eq 1 ] || fail "charon on y1: not one CHILD SA"
ss_swanctl y1 --list-sas
ns_ping x1 172.16.0.1 3 >/dev/null || fail "x1 cannot ping y1 over the tunnel"
ns_ping y1 172.16.0.11 3 >/dev/null || fail "y1 cannot ping x1 over the tunnel"

dm_step "2. charon initiates to dmvpnd (trap on y2's GRE)"
wait_until 30 dm_is up dm_nhs y2 192.0.2.2 state ||
    fail "y2 did not register with x2: $(dm_rows y2 nhs)"
dm_step "y2 registered $(ss_since "$t2") s after its dmvpnd started"
grep -q "ike: SA with 198.51.100.2 up (psk, responder)" "$DM_WORK/x2.log" ||
    fail "x2's log has no IKE SA up as responder"
[ "$(dm_peer x2 172.16.0.12 state)" = up ] || fail "x2: y2 not up: $(dm_rows x2 peers)"
[ "$(ss_nchild y2)" -eq 1 ] || fail "charon on y2: not one CHILD SA"
ss_swanctl y2 --list-sas
ns_ping y2 172.16.0.1 3 >/dev/null || fail "y2 cannot ping x2 over the tunnel"
ns_ping x2 172.16.0.12 3 >/dev/null || fail "x2 cannot ping y2 over the tunnel"

dm_step "5. charon and dmvpnd agree on the ESP SPIs"
ss_same_spis x1 192.0.2.1 y1 198.51.100.1
ss_same_spis x2 192.0.2.2 y2 198.51.100.2
nsx x1 ip xfrm state | grep -q 'aead rfc4106(gcm(aes))' ||
    fail "x1's SAs are not AES-GCM: $(nsx x1 ip xfrm state)"

dm_step "liveness checks (DPD every 5 s of silence): dmvpnd's on pair 1, charon's on pair 2"
# One side's checks keep the other's quiet (each counts the peer's as
# traffic), hence one direction per pair.
wait_until 30 grep -Eq 'parsed INFORMATIONAL request [0-9]+ \[ \]' "$SS_WORK/y1/charon.log" ||
    fail "x1 sent charon no liveness check"
wait_until 30 grep -Eq 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$SS_WORK/y2/charon.log" ||
    fail "x2 did not answer charon's liveness check"
[ "$(dm_nhs x1 198.51.100.1 state)" = up ] || fail "x1 lost its NHS during DPD"
[ "$(dm_nhs y2 192.0.2.2 state)" = up ] || fail "y2 lost its NHS during DPD"

dm_step "charon deletes the IKE SA: dmvpnd notices and brings it back"
old_spis=$(ss_spis y1)
ss_swanctl y1 --terminate --ike dmvpn >/dev/null ||
    fail "swanctl --terminate failed on y1"
t3=$(ss_now)
wait_until 30 new_sa y1 "$old_spis" ||
    fail "x1 did not set up a new SA after charon deleted the old one"
wait_until 30 dm_is up dm_nhs x1 198.51.100.1 state ||
    fail "x1 is not registered after the new SA: $(dm_rows x1 nhs)"
dm_step "x1 back $(ss_since "$t3") s after charon's Delete"
ss_same_spis x1 192.0.2.1 y1 198.51.100.1
ns_ping x1 172.16.0.1 3 >/dev/null || fail "x1 cannot ping y1 over the new SA"

dm_step "the wire: ESP only"
esp=$(ns_wire_count esp)
gre=$(ns_wire_count gre)
dm_step "internet forwarded $esp ESP and $gre cleartext GRE packets"
[ "$esp" -gt 20 ] || fail "too little ESP: $esp"
[ "$gre" -eq 0 ] || fail "cleartext GRE crossed the internet: $gre packets"

dm_step "dmvpnd stops: charon hears the Delete"
dm_stop x1
wait_until 10 dm_is 0 ss_nchild y1 ||
    fail "charon on y1 keeps a CHILD SA after x1 stopped: $(ss_swanctl y1 --list-sas)"
for n in y1 x2 y2; do dm_stop "$n"; done
dm_sanitizers_clean x1 y1 x2 y2 || fail "sanitizer reports"
dm_pass "dmvpnd <-> strongSwan with a PSK, both ways"
