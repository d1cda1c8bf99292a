#!/bin/bash
# vm.sh: the VM half of the NHRP engine benchmark: our engine (hub.c) and
# FRR nhrpd, each as the hub of a multipoint GRE tunnel, under the same
# registration load (loadgen.c), in namespaces made here.  Run as root
# inside the project's VM (tests/vm/run), which has a kernel with GRE;
# the run script next to this file does that.
#
# Usage: vm.sh BINDIR N [ROUNDS [WINDOW]]
#   BINDIR  where hub and loadgen were built
#   N       spokes per load (each registers once, then refreshes once)
#   ROUNDS  measurements per system; medians are reported (default 3)
#   WINDOW  requests outstanding at a time (default 64)
#
# Topology (tests/netns/lib.sh), built once and shared:
#
#   hub  eth0 192.0.2.1/24 ---- inet ---- lg eth0 198.51.100.2/24
#   hub  gre1 key 42, 172.16.0.1/12       lg gre1 key 42 (no address)
#
# "lg" runs the load generator: N spokes 172.16.1.0 + i, all behind lg's
# NBMA address.  Each measurement makes the hub's gre1 anew (deleting it
# takes its neighbours and routes along) and starts that hub afresh, so
# every "first" load meets an empty hub.  The systems take turns, round
# by round, so a host that slows down mid-run (TCG is sensitive to other
# load on the machine) weighs on both sides of the ratio alike.
# Everything stays inside these namespaces, in a VM with no network
# device.
#
# Per round and system: replies/s for the first registrations and the
# refreshes (loadgen's clock), the hub's CPU time per registration (user
# + system time of its processes: FRR's count nhrpd and zebra, which
# programs the kernel for it; ours is one process), resident memory
# growth per spoke, and what the hub left in the kernel.
#
# Output: progress lines, then "RESULT vm_SYS_KEY MEDIAN MIN MAX" lines
# for the run script.  A system that cannot be measured prints
# "RESULT vm_SYS_error reason" and the others still run.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
frr=/usr/lib/frr

usage() {
	echo "usage: vm.sh BINDIR N [ROUNDS [WINDOW]]" >&2
	exit 2
}

# --- measurements ------------------------------------------------------------

# kB of resident memory of a process.
rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# Clock ticks of user + system time of the given processes.
cpu_ticks() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# record KEY VALUE: one round's figure of $sys, summarised by summarise().
record() {
	echo "$1 $2" >>"$work/rounds-$sys"
}

# Median, min and max per key, as RESULT lines.
summarise() {
	local sys=$1
	[ -s "$work/rounds-$sys" ] || return 0
	sort -k1,1 -k2,2g "$work/rounds-$sys" | awk -v sys="$sys" '
		function flush() {
			if (key == "") return
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			printf "RESULT vm_%s_%s %.1f %.1f %.1f\n", sys, key, m, v[1], v[n]
		}
		$1 != key { flush(); key = $1; n = 0 }
		{ v[++n] = $2 }
		END { flush() }'
}

# load LABEL REQID: N registrations through the generator.
load() {
	local label=$1 reqid=$2 out line
	out=$(nsx lg "$bindir/loadgen" -i gre1 -H 192.0.2.1 -S 198.51.100.2 \
	    -b 172.16.1.0 -n "$n" -q "$reqid" -w "$window" -t 3 -T 240 \
	    -l "$sys-$label" 2>&1) || true
	echo "$out"
	# LOAD label sent S ok O refused R lost L stray X seconds T rate Y
	line=$(echo "$out" | awk '$1 == "LOAD" && $3 == "sent"')
	record "${label}_per_s" "$(echo "$line" | awk '{ print $16 + 0 }')"
	record "${label}_lost" "$(echo "$line" | awk '{ print $10 + $8 }')"
}

# --- the hubs ------------------------------------------------------------------

# Each start_* sets hubpids (all processes of the hub) and mainpid.
start_dmvpnd() {
	# ip netns exec execs the program, so $! is the hub itself.
	ip netns exec "$(ns_name hub)" "$bindir/hub" -i gre1 -a 172.16.0.1/12 \
	    -N 192.0.2.1 -k >"$work/hub.out" 2>&1 &
	mainpid=$!
	hubpids=$mainpid
}

stop_dmvpnd() {
	kill -TERM "$mainpid" 2>/dev/null || true
	wait "$mainpid" 2>/dev/null || true
	grep -v '^HUBSTAT' "$work/hub.out" | sed 's/^/    /' || true
	awk '$1 == "HUBSTAT" && ($2 ~ /rejected|err/) && $3 != 0' "$work/hub.out" |
	    sed 's/^/    /'
}

start_frr() {
	local zpid
	cat >"$work/zebra.conf" <<-EOF
	hostname hub
	EOF
	# A hub (NHS): NHRP on gre1; spokes register dynamically.  No
	# IPsec profile, so peers are up at once, as in our hub.
	cat >"$work/nhrpd.conf" <<-EOF
	hostname hub
	interface gre1
	 ip nhrp network-id 1
	 ip nhrp holdtime 7200
	 ip nhrp redirect
	!
	EOF
	rm -f "$work/zserv.api"
	# As Debian runs them: started as root, running as frr (a member
	# of frrvty) with the capabilities each daemon keeps.
	chown -R frr:frr "$work"
	local common=(-u frr -g frr -z "$work/zserv.api" --vty_socket "$work")
	ip netns exec "$(ns_name hub)" "$frr/zebra" "${common[@]}" \
	    -f "$work/zebra.conf" -i "$work/zebra.pid" \
	    --log "file:$work/zebra.log" >"$work/zebra.out" 2>&1 &
	zpid=$!
	hubpids=$zpid
	wait_until 20 test -S "$work/zserv.api" || {
		cat "$work/zebra.out" "$work/zebra.log" 2>/dev/null
		return 1
	}
	ip netns exec "$(ns_name hub)" "$frr/nhrpd" "${common[@]}" \
	    -f "$work/nhrpd.conf" -i "$work/nhrpd.pid" \
	    --log "file:$work/nhrpd.log" >"$work/nhrpd.out" 2>&1 &
	mainpid=$!
	hubpids="$mainpid $zpid"
}

stop_frr() {
	local p
	for p in $hubpids; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# Only what says something went wrong, bar the shutdown itself and
	# the probes that come before nhrpd has enabled gre1 ("peer not
	# online"; a request dropped during the loads counts as lost).
	grep -ihE 'error|warn|refus|fail' "$work/nhrpd.log" "$work/zebra.log" \
	    2>/dev/null | grep -vE 'is shutting down|peer not online' |
	    sed 's/^[0-9/]* [0-9:]* //' |
	    sort | uniq -c | sort -rn | head -n 10 | sed 's/^/    /' || true
	rm -f "$work/nhrpd.log" "$work/zebra.log"
}

# One measurement of a hub, on a fresh gre1.
round() {
	local r=$1 kb0 kb1 c0 c1 c2 m0 m1 z0 z1 tck
	tck=$(getconf CLK_TCK)
	nsx hub ip tunnel add gre1 mode gre key 42 ttl 64 local 192.0.2.1
	nsx hub ip addr add 172.16.0.1/12 dev gre1
	nsx hub ip link set gre1 up
	info "$sys round $r: starting the hub"
	if ! "start_$sys"; then
		record start_failed 1
		nsx hub ip link del gre1
		return 1
	fi
	if ! nsx lg "$bindir/loadgen" -P -i gre1 -H 192.0.2.1 -S 198.51.100.2 \
	    -b 172.16.0.2 -T 60 -l probe; then
		"stop_$sys" || true
		nsx hub ip link del gre1
		return 1
	fi
	kb0=$(rss_kb "$mainpid")
	[ "$sys" != frr ] || z0=$(rss_kb "${hubpids#* }")
	# shellcheck disable=SC2086 # a list of pids
	c0=$(cpu_ticks $hubpids)
	m0=$(cpu_ticks "$mainpid")
	load first 100000
	# shellcheck disable=SC2086
	c1=$(cpu_ticks $hubpids)
	m1=$(cpu_ticks "$mainpid")
	kb1=$(rss_kb "$mainpid")
	load refresh $((100000 + n))
	# shellcheck disable=SC2086
	c2=$(cpu_ticks $hubpids)
	record cpu_us_per_first "$(echo "$c0 $c1 $tck $n" | awk '{ printf "%.1f", ($2 - $1) / $3 * 1e6 / $4 }')"
	record cpu_us_per_refresh "$(echo "$c1 $c2 $tck $n" | awk '{ printf "%.1f", ($2 - $1) / $3 * 1e6 / $4 }')"
	# FRR: nhrpd's own share, apart from zebra's.
	[ "$sys" != frr ] || record nhrpd_cpu_us_per_first "$(echo "$m0 $m1 $tck $n" | awk '{ printf "%.1f", ($2 - $1) / $3 * 1e6 / $4 }')"
	record rss_bytes_per_spoke "$(echo "$kb0 $kb1 $n" | awk '{ printf "%.1f", ($2 - $1) * 1024 / $3 }')"
	if [ "$sys" = frr ]; then
		z1=$(rss_kb "${hubpids#* }")
		record zebra_rss_bytes_per_spoke "$(echo "$z0 $z1 $n" | awk '{ printf "%.1f", ($2 - $1) * 1024 / $3 }')"
	fi
	# What the hub left in the kernel: neighbours (and FRR's routes).
	record kernel_neigh "$(nsx hub ip -4 neigh show dev gre1 nud all | wc -l)"
	record kernel_routes "$(nsx hub ip -4 route show | wc -l)"
	"stop_$sys"
	nsx hub ip link del gre1
}

# The kernel's own price of N neighbour entries on gre1, set by the
# fastest plain client (iproute2's batch mode): a reference for what the
# hubs pay for their neighbour installs.
round_iproute2() {
	local i t0 t1
	nsx hub ip tunnel add gre1 mode gre key 42 ttl 64 local 192.0.2.1
	nsx hub ip link set gre1 up
	for ((i = 0; i < n; i++)); do
		printf 'neigh replace 172.16.%d.%d lladdr 198.51.100.2 dev gre1 nud noarp\n' \
		    $((1 + i / 256)) $((i % 256))
	done >"$work/batch"
	t0=$(date +%s.%N)
	nsx hub ip -batch "$work/batch"
	t1=$(date +%s.%N)
	record neigh_per_s "$(echo "$n $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) }')"
	record kernel_neigh "$(nsx hub ip -4 neigh show dev gre1 nud all | wc -l)"
	nsx hub ip link del gre1
}

# Every system, round by round, in one topology.
all() {
	local r sys ok
	require_root
	if ! has_gre; then
		echo "RESULT vm_error no-GRE-in-kernel"
		exit 0
	fi
	work=/tmp/nhrp-bench
	rm -rf "$work"
	mkdir -p "$work"
	ns_internet
	ns_router hub 192.0.2.1/24
	ns_router lg 198.51.100.2/24
	nsx lg ip tunnel add gre1 mode gre key 42 ttl 64 local 198.51.100.2
	nsx lg ip link set gre1 up
	for ((r = 1; r <= rounds; r++)); do
		for sys in $systems; do
			if [ "$sys" = iproute2 ]; then
				round_iproute2
			elif ! round "$r"; then
				record failed_rounds 1
			fi
		done
	done
	for sys in $systems; do
		ok=$(grep -c '^first_per_s ' "$work/rounds-$sys" 2>/dev/null || true)
		[ "$sys" = iproute2 ] || [ "${ok:-0}" -gt 0 ] ||
		    echo "RESULT vm_${sys}_error hub-never-answered"
		summarise "$sys"
	done
}

# --- top level ---------------------------------------------------------------

[ $# -ge 2 ] || usage
bindir=$1
n=$2
rounds=${3:-3}
window=${4:-64}
if [ ! -x "$bindir/hub" ] || [ ! -x "$bindir/loadgen" ]; then
	echo "vm.sh: no hub/loadgen in $bindir" >&2
	exit 1
fi

# The VM is throwaway, so these global knobs are ours to set.  A hub with
# 10,000 spokes needs more neighbour entries than the default limit of
# 1024 (gc_thresh3), and both hubs get the same socket buffer ceiling.
sysctl -qw net.ipv4.neigh.default.gc_thresh1=$((n * 4)) \
    net.ipv4.neigh.default.gc_thresh2=$((n * 4)) \
    net.ipv4.neigh.default.gc_thresh3=$((n * 4)) \
    net.core.rmem_max=8388608 net.core.wmem_max=8388608
# FRR writes crash-log directories under /var/tmp, which the guest sees
# read-only (the host's root); give it a tmpfs there, in the guest only.
mountpoint -q /var/tmp || mount -t tmpfs -o mode=1777 tmpfs /var/tmp

echo "# VM: kernel $(uname -r), $(nproc) vCPUs (qemu TCG); $n spokes," \
    "$rounds rounds, window $window"
echo "RESULT vm_spokes $n"
echo "RESULT vm_rounds $rounds"
if [ -x "$frr/nhrpd" ]; then
	echo "RESULT frr_version $("$frr/nhrpd" -v | awk 'NR == 1 { print $NF }')"
	systems="dmvpnd frr iproute2"
else
	echo "RESULT vm_frr_error FRR-not-installed"
	systems="dmvpnd iproute2"
fi
# The library owns the EXIT trap: it removes our namespaces, whatever
# happens.
# shellcheck source-path=SCRIPTDIR source=../../netns/lib.sh
. "$repo/tests/netns/lib.sh"
all
