#!/bin/bash
# t-gre-esp: the kernel data path dmvpnd drives, set up by hand with iproute2.
#
# Two routers on different internet subnets (so the internet namespace routes
# between them), each with a multipoint GRE device (no remote: the peer's NBMA
# address comes from a static neighbour entry, as NHRP will install it), and
# ESP transport SAs with rfc4106(gcm(aes)) protecting GRE between them.
#
#   r1 eth0 192.0.2.1/24 --- inet (br0, forwards, counts) --- r2 eth0 198.51.100.2/24
#   r1 gre1 172.16.0.1/24 ======= GRE key 42 in ESP ======== r2 gre1 172.16.0.2/24
#
# Checks: a ping across the tunnel works; both SAs on both routers counted
# packets; the internet saw ESP and no cleartext GRE; and, on a CPU with AES,
# the kernel bound an AES-NI driver for rfc4106(gcm(aes)).
# Exit: 0 pass, 1 fail, 77 skip (not root, or no GRE/ESP in this kernel).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
has_esp || skip "kernel lacks ESP with rfc4106(gcm(aes)) (esp4, gcm)"

ns_internet
ns_router r1 192.0.2.1/24
ns_router r2 198.51.100.2/24
a1=$(ns_addr r1)
a2=$(ns_addr r2)

# Count what crosses the internet: ESP must flow, cleartext GRE must not.
nsx inet nft -f - <<'EOF'
table ip watch {
	counter esp_pkts {}
	counter gre_pkts {}
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip protocol esp counter name esp_pkts
		ip protocol gre counter name gre_pkts
	}
}
EOF

# A fresh random key per SA and run: 32 bytes of AES key plus a 4-byte salt.
key() { od -An -tx1 -N36 /dev/urandom | tr -d ' \n'; }
k12=$(key)
k21=$(key)
spi12=0x00001012
spi21=0x00001021

# setup ME LOCAL PEER_TUNNEL_ADDR PEER_NBMA TUNNEL_ADDR
setup() {
	local me=$1 local=$2 peer=$3 remote=$4 addr=$5
	nsx "$me" ip tunnel add gre1 mode gre key 42 ttl 64 local "$local"
	nsx "$me" ip addr add "$addr" dev gre1
	nsx "$me" ip link set gre1 up
	nsx "$me" ip neigh add "$peer" lladdr "$remote" dev gre1
	nsx "$me" ip xfrm state add src "$a1" dst "$a2" proto esp spi "$spi12" \
	    reqid 1 mode transport replay-window 32 \
	    aead 'rfc4106(gcm(aes))' "0x$k12" 128
	nsx "$me" ip xfrm state add src "$a2" dst "$a1" proto esp spi "$spi21" \
	    reqid 1 mode transport replay-window 32 \
	    aead 'rfc4106(gcm(aes))' "0x$k21" 128
	# GRE between the two NBMA addresses must go out in ESP and may only
	# come in through ESP ("level required" is the default).
	nsx "$me" ip xfrm policy add src "$local/32" dst "$remote/32" proto gre \
	    dir out tmpl src "$local" dst "$remote" proto esp reqid 1 mode transport
	nsx "$me" ip xfrm policy add src "$remote/32" dst "$local/32" proto gre \
	    dir in tmpl src "$remote" dst "$local" proto esp reqid 1 mode transport
}
setup r1 "$a1" 172.16.0.2 "$a2" 172.16.0.1/24
setup r2 "$a2" 172.16.0.1 "$a1" 172.16.0.2/24

info "ping 172.16.0.1 -> 172.16.0.2 over GRE in ESP"
ns_ping r1 172.16.0.2 3 || fail "no ping across the GRE/ESP tunnel"

# sa_packets NS SPI: packets counted on that SA.  With -s the SPI reads
# "0x00001012(4114)", and "lifetime current:" is
# followed by "N(bytes), M(packets)").
sa_packets() {
	nsx "$1" ip -s xfrm state | awk -v spi="$2" '
		$1 == "proto" && $2 == "esp" { cur = $4; sub(/\(.*/, "", cur) }
		/lifetime current:/ { grab = 1; next }
		grab { if (cur == spi) { sub(/\(packets\)/, "", $2); print $2 }; grab = 0 }'
}
for ns in r1 r2; do
	for spi in $spi12 $spi21; do
		n=$(sa_packets "$ns" "$spi")
		[ "${n:-0}" -gt 0 ] || fail "$ns: SA $spi counted no packets"
		info "$ns: SA $spi: $n packets"
	done
done

# counter NAME: packets of that named counter in the internet's table.
counter() {
	nsx inet nft list counter ip watch "$1" |
	    awk '$1 == "packets" { print $2 }'
}
esp=$(counter esp_pkts)
gre=$(counter gre_pkts)
info "internet forwarded $esp ESP and $gre cleartext GRE packets"
[ "${esp:-0}" -gt 0 ] || fail "no ESP crossed the internet"
[ "${gre:-1}" -eq 0 ] || fail "cleartext GRE crossed the internet"

# /proc/crypto lists each algorithm instance as "name : ..." then
# "driver : ...".  With AES in the CPU flags the kernel must have picked an
# AES-NI implementation (rfc4106-gcm-aesni) for our SAs.
drivers=$(awk -F': ' '$1 ~ /^name/ { n = $2 } $1 ~ /^driver/ && n == "rfc4106(gcm(aes))" { print $2 }' /proc/crypto)
info "rfc4106(gcm(aes)) drivers: $(echo "$drivers" | tr '\n' ' ')"
if grep -qw aes /proc/cpuinfo; then
	echo "$drivers" | grep -q aesni || fail "no AES-NI driver for rfc4106(gcm(aes))"
else
	info "CPU without AES: AES-NI check not applicable"
fi
echo "PASS: ping through GRE in ESP ($a1 <-> $a2)"
