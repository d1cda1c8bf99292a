#!/bin/bash
# The demo `make demo` runs: a hub and two spokes, each with a LAN, all
# running dmvpnd over GRE protected by dmvpnd's own IKEv2 and kernel ESP
# (a pre-shared key), in network namespaces (inside a VM when this kernel
# lacks GRE or ESP).  It shows the registrations, a ping from spoke 1's
# LAN to spoke 2's LAN that first crosses the hub and then moves to a
# direct shortcut (IKE between the spokes on demand), each router's
# `dmvpnctl show dmvpn` and its IPsec SAs (`dmvpnctl show sa`).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
build=${DMVPN_BUILD:-build}
dmvpnd=$build/dmvpnd
dmvpnctl=$build/dmvpnctl
work=$(mktemp -d /tmp/dmvpn-demo.XXXXXX)
on_exit rm -rf "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "topology: an internet, a hub and two spokes with a LAN each"
ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 198.51.100.11/24
ns_router s2 203.0.113.12/24
ns_lan s1 lan1 10.1.0.0/24
ns_lan s2 lan2 10.2.0.0/24
cat <<'TXT'
   lan1 10.1.0.0/24 - s1 198.51.100.11 \                  / s2 203.0.113.12 - lan2 10.2.0.0/24
                       172.16.0.11      >-- internet --<      172.16.0.12
                                        |   hub 192.0.2.1 / 172.16.0.1
TXT

conf() { # NAME ROLE NBMA TUNNEL [lines...]
	local name=$1 role=$2 nbma=$3 tun=$4
	shift 4
	{
		printf 'control-socket %s/%s.sock\nstate-dir %s/%s\n' \
		    "$work" "$name" "$work" "$name"
		printf 'tunnel gre1 {\n\trole %s\n\tlocal %s\n\taddress %s\n' \
		    "$role" "$nbma" "$tun"
		printf '\tgre-key 42\n'
		printf '\t%s\n' "$@"
		printf '}\n'
		printf 'ike {\n\tpsk-file %s/psk\n}\n' "$work"
	} >"$work/$name.conf"
}
# One pre-shared key for the cloud; certificates work too (dmvpn.conf(5)).
printf 'demo key, change me\n' >"$work/psk"
chmod 600 "$work/psk"
conf hub hub 192.0.2.1 172.16.0.1/24 "redirect yes"
conf s1 spoke 198.51.100.11 172.16.0.11/24 "nhs 172.16.0.1 nbma 192.0.2.1" \
    "shortcut-destination 10.1.0.0/24"
conf s2 spoke 203.0.113.12 172.16.0.12/24 "nhs 172.16.0.1 nbma 192.0.2.1" \
    "shortcut-destination 10.2.0.0/24"
say "the spoke 1 configuration ($work/s1.conf)"
cat "$work/s1.conf"

for n in hub s1 s2; do
	nsx "$n" "$dmvpnd" -u root -d -f "$work/$n.conf" -p "$work/$n.pid" \
	    >"$work/$n.log" 2>&1 &
done
ctl() { nsx "$1" "$dmvpnctl" -s "$work/$1.sock" "${@:2}"; }
for n in hub s1 s2; do
	wait_until 10 nsx "$n" ip link show gre1 >/dev/null 2>&1
done
# What BGP would install: spokes reach other LANs via the hub.
nsx hub ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink
nsx hub ip route add 10.2.0.0/24 via 172.16.0.12 dev gre1 onlink
nsx s1 ip route add 10.0.0.0/8 via 172.16.0.1 dev gre1 onlink
nsx s2 ip route add 10.0.0.0/8 via 172.16.0.1 dev gre1 onlink

say "registrations (dmvpnctl show nhs on the spokes, show dmvpn on the hub)"
wait_until 20 bash -c "ip netns exec $(ns_name s2) $dmvpnctl -s $work/s2.sock -j show nhs | grep -q '\"up\"'"
wait_until 20 bash -c "ip netns exec $(ns_name s1) $dmvpnctl -s $work/s1.sock -j show nhs | grep -q '\"up\"'"
ctl s1 show nhs
ctl hub show dmvpn

say "ping 10.1.0.2 -> 10.2.0.2: the first packets cross the hub"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 3 || true
wait_until 20 bash -c "ip netns exec $(ns_name s1) ip route show proto nhrp | grep -q 10.2.0.0/24"
mid=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
echo "the hub relayed $((mid - before)) packets and sent a Traffic Indication;"
echo "spoke 1 resolved 10.2.0.2 and installed a shortcut:"
nsx s1 ip route show proto nhrp

say "ping again: spoke to spoke, the hub sees nothing"
ns_ping lan1 10.2.0.2 5
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
echo "the hub relayed $((after - mid)) packets this time"

for n in hub s1 s2; do
	say "dmvpnctl show dmvpn on $n"
	ctl "$n" show dmvpn
done
for n in hub s1; do
	say "dmvpnctl show sa on $n: ESP in the kernel, keyed by dmvpnd's IKEv2"
	ctl "$n" show sa
done
say "done: stopping the routers (everything they installed is removed)"
for n in hub s1 s2; do
	kill -TERM "$(cat "$work/$n.pid")"
done
for n in hub s1 s2; do
	wait_until 10 test ! -e "$work/$n.pid" || true
done
