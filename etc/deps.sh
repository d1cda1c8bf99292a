#!/bin/sh
# `make deps`: install what building and testing dmvpnd needs and is not
# there yet, with apt-get on Debian/Ubuntu and apk on Alpine.  Idempotent:
# it prints what it installs, or that nothing was missing.
#
# The interop tests run FRR (nhrpd) and strongSwan (charon and swanctl;
# on Debian the openssl plugin, for X25519, AES-GCM and ECDSA, is in
# libstrongswan-standard-plugins), and make certificates with openssl.
#
# The real-kernel test tier fetches its own Debian kernel image when the
# host kernel lacks GRE/ESP (tests/vm/fetch-kernel); it is not listed here.
set -eu

debian_pkgs="make gcc clang libclang-rt-dev pkg-config libc6-dev
libev-dev libmnl-dev libc-ares-dev libssl-dev libcmocka-dev
clang-format cppcheck shellcheck musl-tools
iproute2 nftables procps kmod cpio busybox-static xz-utils qemu-system-x86 frr
strongswan-charon strongswan-swanctl libstrongswan-standard-plugins openssl"

alpine_pkgs="make gcc clang compiler-rt musl-dev linux-headers pkgconf
libev-dev libmnl-dev c-ares-dev openssl-dev cmocka-dev
clang-extra-tools cppcheck shellcheck bash coreutils
iproute2 nftables procps kmod cpio busybox-static xz qemu-system-x86_64 frr
strongswan openssl"

if command -v apt-get >/dev/null 2>&1; then
	missing=""
	for p in $debian_pkgs; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in
		*" installed") ;;
		*) missing="$missing $p" ;;
		esac
	done
	if [ -z "$missing" ]; then
		echo "deps: all build and test packages are installed"
		exit 0
	fi
	echo "deps: installing (apt-get):$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: not root; install them with apt-get as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # word splitting is the point
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "deps: done"
elif command -v apk >/dev/null 2>&1; then
	missing=""
	for p in $alpine_pkgs; do
		apk info -e "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		echo "deps: all build and test packages are installed"
		exit 0
	fi
	echo "deps: installing (apk):$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: not root; install them with apk as root" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	apk add --no-progress -q $missing
	echo "deps: done"
else
	echo "deps: neither apt-get nor apk found; install by hand:" >&2
	echo "  $debian_pkgs" | tr '\n' ' ' >&2
	echo >&2
	exit 1
fi
