#!/bin/bash
# t-topology: the lib.sh topology builders work (no GRE or ESP needed).
#
#   r1 192.0.2.1/24 ---------+                       +--- r2 198.51.100.2/24
#   h1 203.0.113.130/25 -- r1 (LAN 203.0.113.128/25)  |
#   r3 203.0.113.1/25 -- nat (inside 203.0.113.0/25, outside 192.0.2.10/24)
#                            +---- inet (br0, routes the /24s) ----+
#
# Checks: routing between internet subnets, a LAN host reaching its router,
# masquerade (r2 sees r3's pings from the NAT's outside address) and that the
# NAT's inside is not reachable from the internet.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root

ns_internet
ns_router r1 192.0.2.1/24
ns_router r2 198.51.100.2/24
ns_nat_router nat 192.0.2.10/24 203.0.113.0/25
ns_router r3 203.0.113.1/25
ns_lan r1 h1 203.0.113.128/25

[ "$(ns_addr h1)" = 203.0.113.130 ] || fail "h1 got $(ns_addr h1)"

# Count echo requests reaching r2 by source address.
nsx r2 nft -f - <<'EOF'
table ip watch {
	counter from_nat {}
	counter from_inside {}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 192.0.2.10 icmp type echo-request counter name from_nat
		ip saddr 203.0.113.1 icmp type echo-request counter name from_inside
	}
}
EOF

ns_ping r1 198.51.100.2 2 >/dev/null || fail "r1 cannot reach r2 across the internet"
ns_ping h1 203.0.113.129 2 >/dev/null || fail "h1 cannot reach its router r1"
ns_ping r3 198.51.100.2 2 >/dev/null || fail "r3 cannot reach r2 through the NAT"

packets() {
	nsx r2 nft list counter ip watch "$1" | awk '$1 == "packets" { print $2 }'
}
[ "$(packets from_nat)" -gt 0 ] || fail "r2 saw no pings from the NAT address"
[ "$(packets from_inside)" -eq 0 ] || fail "r3's inside address leaked past the NAT"
if ns_ping r2 203.0.113.1 1 >/dev/null 2>&1; then
	fail "the NAT's inside is reachable from the internet"
fi

# wait_until gives up after its timeout.
start=$SECONDS
if wait_until 1 false; then
	fail "wait_until false succeeded"
fi
[ $((SECONDS - start)) -le 3 ] || fail "wait_until overran its timeout"
echo "PASS: internet routing, LAN, NAT"
