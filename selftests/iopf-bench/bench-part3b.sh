#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part 3b's figures (README, "Part 3b"), in a guest booted on the --bench
# kernel with iopflat and iopf_fault_bench beside this script: the fault
# service latency of the native path (demand) and of the two VFIO paths
# (vfio: the cdev; compat: the type1 compat container), four interleaved
# rounds; then a VM start of 1 GiB and of the whole mock aperture through
# the compat container, pinned and pin on fault.
set -eu
cd "$(dirname "$0")"
lat() { # ROUND MODE
	./iopflat -j -e >/tmp/lat.json 2>/tmp/lat.err &
	p=$!
	i=0
	while ! grep -q '^Tracing' /tmp/lat.err; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt 300 ] || { cat /tmp/lat.err; exit 1; }
	done
	./iopf_fault_bench -j -m "$2" -p 256 -r 8 | sed "s/^/BENCH $1 $2 /"
	kill -INT $p
	wait $p
	grep '"exact"' /tmp/lat.json | sed "s/^/LAT $1 $2 /"
}
for r in 1 2 3 4; do
	for m in demand vfio compat; do
		lat $r $m
	done
done
for mib in 1024 2032; do
	./iopf_fault_bench -j -m compat -M $mib | sed "s/^/VMSTART /"
done
