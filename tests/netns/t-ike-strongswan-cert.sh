#!/bin/bash
# t-ike-strongswan-cert: dmvpnd's IKEv2 engine and strongSwan's charon
# authenticate each other with X.509 certificates from a test CA (made
# with openssl in the test's directory; subjectAltName IP = the router's
# NBMA address and its tunnel address, which a dmvpnd hub requires before
# it accepts a registration).  Router Y runs dmvpnd with "ipsec no" and
# charon (GRE in ESP transport mode), router X dmvpnd with "ipsec yes".
#
#   1. ECDSA P-256, dmvpnd initiates: x1 is a spoke of y1 (charon
#      responds).
#   2. RSA-2048, charon initiates: y2 is a spoke of x2; charon's trap on
#      the GRE child fires on y2's first Registration Request.  charon
#      fragments its IKE_AUTH (RFC 7383, fragment_size 600).
#
#   x1  192.0.2.1     / 172.16.0.11   dmvpnd spoke, ipsec yes (ECDSA)
#   y1  198.51.100.1  / 172.16.0.1    dmvpnd hub, ipsec no + charon (ECDSA)
#   x2  192.0.2.2     / 172.16.0.1    dmvpnd hub, ipsec yes (RSA)
#   y2  198.51.100.2  / 172.16.0.12   dmvpnd spoke, ipsec no + charon (RSA)
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
# auth NAME: how NAME's dmvpnd says its peer authenticated, and who it is.
auth() {
	dm_ctl "$1" -j show ike 2>/dev/null | tr -d '\n' |
	    grep -o '"\(auth\|remote_id\)": *"[^"]*"' | tr '\n' ' '
}

dm_step "test CA and certificates"
dm_conf x1 spoke 192.0.2.1 172.16.0.11/24 "nhs 172.16.0.1 nbma 198.51.100.1"
dm_ike_cert x1 ec "IP:192.0.2.1,IP:172.16.0.11"
dm_conf y1 hub 198.51.100.1 172.16.0.1/24 "ipsec no"
dm_cert y1 ec "IP:198.51.100.1,IP:172.16.0.1"
dm_conf x2 hub 192.0.2.2 172.16.0.1/24
dm_ike_cert x2 rsa "IP:192.0.2.2,IP:172.16.0.1"
dm_conf y2 spoke 198.51.100.2 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.2" "ipsec no"
dm_cert y2 rsa "IP:198.51.100.2,IP:172.16.0.12"
for y in y1 y2; do
	d=$(ss_dir "$y")
	cp "$DM_WORK/ca.pem" "$d/x509ca/ca.pem"
	cp "$DM_WORK/$y.pem" "$d/x509/$y.pem"
	cp "$DM_WORK/$y.key" "$d/private/$y.key"
done
openssl x509 -in "$DM_WORK/x2.pem" -noout -text | grep -q 'rsaEncryption' ||
    fail "x2's certificate is not RSA"

dm_step "topology and charon"
ns_internet
ns_router x1 192.0.2.1/24
ns_router y1 198.51.100.1/24
ns_router x2 192.0.2.2/24
ns_router y2 198.51.100.2/24
ns_watch_wire
ss_conn 198.51.100.1 192.0.2.1 y1.pem none | ss_start y1
# Small IKE fragments (RFC 7383) on y2: its IKE_AUTH with an RSA
# certificate reaches dmvpnd in several SKF payloads.
ss_conn 198.51.100.2 192.0.2.2 y2.pem trap |
    SS_CHARON_EXTRA="fragment_size = 600" ss_start y2
dm_step "6. $(ss_version y1)"

dm_start y1
dm_start x2
t1=$(ss_now)
dm_start x1
t2=$(ss_now)
dm_start y2

dm_step "1. ECDSA: dmvpnd initiates to charon"
wait_until 30 dm_is up dm_nhs x1 198.51.100.1 state ||
    fail "x1 did not register with y1: $(dm_rows x1 nhs)"
dm_step "x1 registered $(ss_since "$t1") s after its dmvpnd started"
grep "ike: SA with 198.51.100.1 up" "$DM_WORK/x1.log" | tail -n 1
info "x1 show ike: $(auth x1)"
grep -q "ike: SA with 198.51.100.1 up (certificate, initiator)" "$DM_WORK/x1.log" ||
    fail "x1 did not authenticate y1 by certificate"
grep -q "authentication of 'O=dmvpnd test, CN=x1' with ECDSA.* successful" \
    "$SS_WORK/y1/charon.log" || fail "charon on y1 did not authenticate x1 by ECDSA"
ss_same_spis x1 192.0.2.1 y1 198.51.100.1
ns_ping x1 172.16.0.1 3 >/dev/null || fail "x1 cannot ping y1 over the tunnel"

dm_step "2. RSA: charon initiates to dmvpnd (trap on y2's GRE)"
wait_until 30 dm_is up dm_nhs y2 192.0.2.2 state ||
    fail "y2 did not register with x2: $(dm_rows y2 nhs)"
dm_step "y2 registered $(ss_since "$t2") s after its dmvpnd started"
grep "ike: SA with 198.51.100.2 up" "$DM_WORK/x2.log" | tail -n 1
info "x2 show ike: $(auth x2)"
grep -q "ike: SA with 198.51.100.2 up (certificate, responder)" "$DM_WORK/x2.log" ||
    fail "x2 did not authenticate y2 by certificate"
grep -q "authentication of 'O=dmvpnd test, CN=x2' with RSA.* successful" \
    "$SS_WORK/y2/charon.log" || fail "charon on y2 did not authenticate x2 by RSA"
grep 'splitting IKE message' "$SS_WORK/y2/charon.log" | head -n 2
grep -q 'splitting IKE message.* into [2-9] fragments' "$SS_WORK/y2/charon.log" ||
    fail "charon on y2 did not fragment its IKE_AUTH"
[ "$(dm_peer x2 172.16.0.12 state)" = up ] || fail "x2: y2 not up: $(dm_rows x2 peers)"
ss_same_spis x2 192.0.2.2 y2 198.51.100.2
ns_ping y2 172.16.0.1 3 >/dev/null || fail "y2 cannot ping x2 over the tunnel"

esp=$(ns_wire_count esp)
gre=$(ns_wire_count gre)
dm_step "internet forwarded $esp ESP and $gre cleartext GRE packets"
[ "$gre" -eq 0 ] || fail "cleartext GRE crossed the internet: $gre packets"

for n in x1 y1 x2 y2; do dm_stop "$n"; done
dm_sanitizers_clean x1 y1 x2 y2 || fail "sanitizer reports"
dm_pass "certificates with strongSwan: ECDSA (dmvpnd initiating), RSA (charon initiating)"
