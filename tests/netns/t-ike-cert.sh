#!/bin/bash
# t-ike-cert: dmvpnd's IKEv2 with X.509 certificates from a test CA: an
# ECDSA hub, an RSA-2048 spoke and an ECDSA spoke.  Their certificates name
# their tunnel addresses (subjectAltName IP), and that is what each may
# register: a third spoke with a valid certificate for 172.16.0.13 that
# claims spoke 1's 172.16.0.11 is refused (NHRP code 4, counted), and
# spoke 1 registers it afterwards.  Then spoke to spoke over a shortcut.
#
#   hub  192.0.2.1      / 172.16.0.1    ECDSA P-256
#   s1   198.51.100.11  / 172.16.0.11   RSA-2048     lan1 10.1.0.0/24
#   s2   203.0.113.12   / 172.16.0.12   ECDSA P-256  lan2 10.2.0.0/24
#   s3   203.0.113.13   / 172.16.0.11 (its certificate says .13)
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
command -v openssl >/dev/null || skip "openssl not installed"
dm_init

ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 198.51.100.11/24
ns_router s2 203.0.113.12/24
ns_router s3 203.0.113.13/24
ns_lan s1 lan1 10.1.0.0/24
ns_lan s2 lan2 10.2.0.0/24
ns_watch_wire

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 198.51.100.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
dm_conf s2 spoke 203.0.113.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"
dm_conf s3 spoke 203.0.113.13 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1"
dm_ike_cert hub ec "IP:192.0.2.1,IP:172.16.0.1"
dm_ike_cert s1 rsa "IP:198.51.100.11,IP:172.16.0.11"
dm_ike_cert s2 ec "IP:203.0.113.12,IP:172.16.0.12"
dm_ike_cert s3 ec "IP:203.0.113.13,IP:172.16.0.13"
dm_start hub
dm_start s3

dm_step "a valid certificate for .13 cannot register .11"
unauthorized() { [ "$(dm_stat hub nhrp registrations_unauthorized)" -ge 1 ]; }
wait_until 20 unauthorized ||
    fail "s3's claim was not refused: $(dm_rows hub peers)"
grep -q "ike: SA with 203.0.113.13 up (certificate, responder)" "$DM_WORK/hub.log" ||
    fail "s3 did not authenticate with its certificate"
if dm_peer hub 172.16.0.11 >/dev/null 2>&1; then
	fail "hub registered s3 as 172.16.0.11: $(dm_rows hub peers)"
fi
[ "$(dm_nhs s3 192.0.2.1 state)" != up ] || fail "s3 thinks it is registered"
dm_stop s3

dm_step "the owners register: RSA and ECDSA spokes"
dm_start s1
dm_start s2
dm_star_routes
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register: $(dm_rows s1 nhs)"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register: $(dm_rows s2 nhs)"
[ "$(dm_peer hub 172.16.0.11 nbma)" = 198.51.100.11 ] || fail "hub: $(dm_rows hub peers)"
grep -q "ike: SA with 192.0.2.1 up (certificate, initiator)" "$DM_WORK/s1.log" ||
    fail "s1 did not authenticate with certificates"
dm_ctl hub show peers

dm_step "spoke to spoke: IKE with certificates on demand"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 through the hub"
wait_until 30 eval 'dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 "' ||
    fail "no shortcut route on s1: $(dm_routes s1) / $(dm_rows s1 peers)"
ns_ping lan1 10.2.0.2 3 >/dev/null || fail "pings over the shortcut lost"
grep -q "ike: SA with 198.51.100.11 up (certificate" "$DM_WORK/s2.log" ||
    fail "s1-s2 SA not authenticated by certificate: $(grep 'ike:' "$DM_WORK/s2.log")"
[ "$(ns_wire_count gre)" -eq 0 ] || fail "cleartext GRE crossed the internet"

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
for n in hub s1 s2; do
	[ "$(dm_xfrm_states "$n")" -eq 0 ] || fail "$n keeps XFRM states"
done
dm_sanitizers_clean hub s1 s2 s3 || fail "sanitizer reports"
dm_pass "IKEv2 certificates (ECDSA, RSA), identity binds registration"
