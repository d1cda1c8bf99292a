#!/bin/bash
# t-ike-psk: dmvpnd's own IKEv2 with a pre-shared key.  A hub and two
# spokes, `ipsec yes`: each spoke brings up IKE to the hub before NHRP
# registers, GRE (NHRP included) crosses the internet only inside ESP
# (transport mode, kernel XFRM), and a phase 3 shortcut brings up IKE
# between the spokes on demand.  A clean stop leaves no SA and no policy.
#
#   hub  192.0.2.1      / 172.16.0.1
#   s1   198.51.100.11  / 172.16.0.11   lan1 10.1.0.0/24
#   s2   203.0.113.12   / 172.16.0.12   lan2 10.2.0.0/24
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
ns_router s2 203.0.113.12/24
ns_lan s1 lan1 10.1.0.0/24
ns_lan s2 lan2 10.2.0.0/24
ns_watch_wire

dm_conf hub hub 192.0.2.1 172.16.0.1/24
dm_conf s1 spoke 198.51.100.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"
dm_conf s2 spoke 203.0.113.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"
for n in hub s1 s2; do dm_ike "$n" "dpd 10s"; done
dm_start hub
dm_start s1
dm_start s2
dm_star_routes

dm_step "registration over IKE"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register: $(dm_rows s1 nhs)"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register: $(dm_rows s2 nhs)"
[ "$(dm_peer hub 172.16.0.11 state)" = up ] || fail "hub: s1 not up: $(dm_rows hub peers)"
[ "$(dm_xfrm_states hub)" -eq 4 ] || fail "hub XFRM states: $(nsx hub ip xfrm state)"
nsx hub ip xfrm state | grep -q 'aead rfc4106(gcm(aes))' || fail "hub SAs are not AES-GCM"
nsx hub ip xfrm policy | grep -q 'proto gre' || fail "no GRE policy on the hub"
grep -q "ike: SA with 192.0.2.1 up (psk, initiator)" "$DM_WORK/s1.log" || fail "s1 log has no IKE SA"
dm_ctl hub show peers

dm_step "LAN 1 -> LAN 2 through the hub, then a shortcut with IKE on demand"
ns_ping lan1 10.2.0.2 1 >/dev/null || fail "no ping from LAN 1 to LAN 2 through the hub"
wait_until 30 eval 'dm_routes s1 | grep -q "^10.2.0.0/24 via 172.16.0.12 "' ||
    fail "no shortcut route on s1: $(dm_routes s1) / $(dm_rows s1 peers)"
wait_until 10 eval 'nsx s1 ip xfrm state | grep -q "dst 203.0.113.12"' ||
    fail "no SA from s1 to s2: $(nsx s1 ip xfrm state)"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "pings over the shortcut lost"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
[ $((after - before)) -lt 5 ] || fail "traffic still crosses the hub"

dm_step "dmvpnctl show ike / show sa agree with the kernel"
dm_ctl s1 show ike
dm_ctl s1 show sa
json=$(dm_ctl s1 -j show sa)
echo "$json" | grep -q '"state": "established"' || fail "show sa: $json"
echo "$json" | grep -q '"esp_proposal": "aes256gcm16"' || fail "show sa: $json"
echo "$json" | grep -Eq '"kernel_driver": "[a-z]' || fail "no kernel driver: $json"
for spi in $(echo "$json" | grep -Eo '"spi_(in|out)": "[0-9a-f]{8}"' | grep -Eo '[0-9a-f]{8}'); do
	nsx s1 ip xfrm state | grep -q "spi 0x$spi" ||
	    fail "SPI $spi of show sa is not in the kernel: $(nsx s1 ip xfrm state)"
done
echo "$json" | grep -Eq '"bytes_in": [1-9]' || fail "no bytes counted in: $json"
[ "$(dm_stat hub ike ike_sas_established)" -ge 2 ] || fail "hub ike stats: $(dm_ctl hub show stats)"

dm_step "the wire: ESP only"
esp=$(ns_wire_count esp)
gre=$(ns_wire_count gre)
dm_step "internet forwarded $esp ESP and $gre cleartext GRE packets"
[ "$esp" -gt 10 ] || fail "too little ESP: $esp"
[ "$gre" -eq 0 ] || fail "cleartext GRE crossed the internet: $gre packets"
if command -v tshark >/dev/null && command -v dumpcap >/dev/null; then
	# What a decoder we did not write sees on the internet's bridge.
	# Six seconds from the capture's start (a background job ignores
	# SIGINT, so it ends by itself); the pings come once it runs.
	nsx inet dumpcap -q -i br0 -a duration:6 -w "$DM_WORK/wire.pcap" \
	    >/dev/null 2>&1 &
	cap=$!
	wait_until 20 test -s "$DM_WORK/wire.pcap" || fail "dumpcap did not start"
	ns_ping lan1 10.2.0.2 3 >/dev/null || fail "pings lost during the capture"
	ns_ping lan1 172.16.0.1 2 >/dev/null || fail "pings to the hub lost"
	wait "$cap" 2>/dev/null || true
	tgre=$(tshark -r "$DM_WORK/wire.pcap" -Y gre 2>/dev/null | wc -l)
	tesp=$(tshark -r "$DM_WORK/wire.pcap" -Y esp 2>/dev/null | wc -l)
	dm_step "tshark on the internet: $tesp ESP, $tgre GRE packets"
	[ "$tesp" -ge 10 ] || fail "tshark saw too little ESP: $tesp"
	[ "$tgre" -eq 0 ] || fail "tshark saw cleartext GRE: $tgre packets"
fi

dm_step "kill -9 of s2 and a restart: what it left goes, new SAs come"
dm_stop s2 KILL
[ "$(dm_xfrm_states s2)" -gt 0 ] || fail "kill -9 left no SA behind (the test needs some)"
dm_start s2
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register again"
# The old SAs went at start; the new ones are the only ones.
[ "$(dm_xfrm_states s2)" -eq 2 ] || fail "s2 after restart: $(nsx s2 ip xfrm state)"
grep -q "XFRM reconciled: [1-9]" "$DM_WORK/s2.log" || fail "s2 did not clean what it left"
dm_step "kill -9 again, restart without an ike block: nothing of ours stays"
dm_stop s2 KILL
sed -i '/^ike {/,/^}/d; s/^\tnhs .*/&\n\tipsec no/' "$DM_WORK/s2.conf"
dm_start s2
[ "$(dm_xfrm_states s2)" -eq 0 ] || fail "stale SAs: $(nsx s2 ip xfrm state)"
if nsx s2 ip xfrm policy | grep -q '^src'; then
	fail "stale policies: $(nsx s2 ip xfrm policy)"
fi
dm_stop s2

dm_step "clean stop: no SA, no policy left"
for n in s1 hub; do dm_stop "$n"; done
for n in hub s1 s2; do
	[ "$(dm_xfrm_states "$n")" -eq 0 ] || fail "$n keeps XFRM states: $(nsx "$n" ip xfrm state)"
	if nsx "$n" ip xfrm policy | grep -q '^src'; then
		fail "$n keeps XFRM policies: $(nsx "$n" ip xfrm policy)"
	fi
done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "IKEv2 PSK: registration, shortcut and ESP-only wire"
