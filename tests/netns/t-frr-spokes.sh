#!/bin/bash
# t-frr-spokes: interop, a dmvpnd hub and two FRR nhrpd spokes.  Each FRR
# spoke runs zebra and nhrpd on its own multipoint GRE gre1 (a /32 tunnel
# address, as nhrpd requires) and registers with the dmvpnd hub: s1 names
# the hub with "nhs dynamic" (learning its tunnel address from the reply),
# s2 with its tunnel address.  The hub must list both as dynamic and up,
# and FRR must see its NHS answer.
#
#   hub  192.0.2.1  / 172.16.0.1/24  dmvpnd
#   s1   192.0.2.11 / 172.16.0.11    FRR nhrpd, nhs dynamic nbma 192.0.2.1
#   s2   192.0.2.12 / 172.16.0.12    FRR nhrpd, nhs 172.16.0.1 nbma 192.0.2.1
#
# Exit: 0 pass, 1 fail, 77 skip (FRR absent, unless CI=true).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
frr_require
build=${DMVPN_BUILD:-build/asan}
dmvpnd=$build/dmvpnd
dmvpnctl=$build/dmvpnctl
{ [ -x "$dmvpnd" ] && [ -x "$dmvpnctl" ]; } || fail "$build/dmvpnd not built"
info "FRR: $(frr_version)"

work=$(mktemp -d /tmp/dmvpn-t.XXXXXX)
on_exit rm -rf "$work"

ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 192.0.2.11/24
ns_router s2 192.0.2.12/24

cat >"$work/hub.conf" <<EOF
log-level debug
debug all
control-socket $work/hub.sock
state-dir $work/hub-state
tunnel gre1 {
	role hub
	local 192.0.2.1
	address 172.16.0.1/24
	gre-key 42
}
EOF

logs_on_failure() {
	[ "${passed:-0}" = 1 ] && return 0
	ctl hub show dmvpn 2>&1 || true
	ctl hub show stats 2>&1 || true
	echo "--- dmvpnd log of hub"
	tail -n 60 "$work/hub.log" 2>/dev/null || true
	for n in s1 s2; do
		frr_vtysh "$n" "show ip nhrp nhs" "show ip nhrp cache" 2>&1 || true
		frr_logs "$n"
	done
}
on_exit logs_on_failure

ctl() { nsx "$1" "$dmvpnctl" -s "$work/$1.sock" "${@:2}"; }
# The hub's entry for a tunnel address is dynamic and up.
hub_peer_up() {
	ctl hub -j show peers 2>/dev/null | tr -d ' \n' |
	    sed 's/{"interface"/\n&/g' | grep "\"protocol\":\"$1\"" |
	    grep "\"nbma\":\"$2\"" | grep '"type":"dynamic"' |
	    grep -q '"state":"up"'
}
# FRR's NHS list names the hub by its tunnel address (a dynamic NHS only
# once the hub answered) and FRR's cache holds the hub as type nhs.
frr_nhs_up() {
	frr_vtysh "$1" "show ip nhrp nhs" | grep -Eq '^gre1 +.*192\.0\.2\.1 +172\.16\.0\.1( |$)' &&
	    frr_vtysh "$1" "show ip nhrp cache json" | tr -d ' \n' |
	    grep -q '"type":"nhs","protocol":"172.16.0.1","nbma":"192.0.2.1"'
}

nsx hub "$dmvpnd" -u root -d -f "$work/hub.conf" -p "$work/hub.pid" \
    >"$work/hub.log" 2>&1 &
wait_until 10 nsx hub ip link show gre1 >/dev/null 2>&1 || fail "hub: no gre1"

frr_gre s1 192.0.2.11 172.16.0.11
frr_start s1 <<-'EOF'
	interface gre1
	 ip nhrp network-id 1
	 ip nhrp holdtime 300
	 ip nhrp nhs dynamic nbma 192.0.2.1
	 ip nhrp registration no-unique
	 ip nhrp shortcut
	exit
	EOF
frr_gre s2 192.0.2.12 172.16.0.12
frr_start s2 <<-'EOF'
	interface gre1
	 ip nhrp network-id 1
	 ip nhrp holdtime 300
	 ip nhrp nhs 172.16.0.1 nbma 192.0.2.1
	 ip nhrp shortcut
	exit
	EOF

info "FRR spokes register with the dmvpnd hub"
wait_until 30 hub_peer_up 172.16.0.11 192.0.2.11 ||
    fail "hub lacks s1 as dynamic and up: $(ctl hub -j show peers)"
wait_until 30 hub_peer_up 172.16.0.12 192.0.2.12 ||
    fail "hub lacks s2 as dynamic and up: $(ctl hub -j show peers)"
ctl hub show dmvpn
nsx hub ip neigh show dev gre1 | grep -q "172.16.0.11 lladdr 192.0.2.11" ||
    fail "hub: no neighbour entry for s1"
wait_until 10 frr_nhs_up s1 || fail "s1 (FRR): NHS not up"
wait_until 10 frr_nhs_up s2 || fail "s2 (FRR): NHS not up"
frr_vtysh s1 "show ip nhrp nhs" "show ip nhrp cache"
# s1 asked with the unique flag off ("registration no-unique"), s2 with it.
peers=$(ctl hub -j show peers | tr -d ' \n' | sed 's/{"interface"/\n&/g')
echo "$peers" | grep '"protocol":"172.16.0.11"' | grep -q '"unique":false' ||
    fail "s1 registered unique despite no-unique"
echo "$peers" | grep '"protocol":"172.16.0.12"' | grep -q '"unique":true' ||
    fail "s2 registered without the unique flag"

info "data over the tunnel both ways"
ns_ping s1 172.16.0.1 2 >/dev/null || fail "FRR s1 cannot ping the hub"
ns_ping hub 172.16.0.12 2 >/dev/null || fail "the hub cannot ping FRR s2"

passed=1
echo "PASS: FRR nhrpd spokes ($(frr_version)) registered with the dmvpnd hub"
