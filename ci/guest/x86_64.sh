# SPDX-License-Identifier: GPL-2.0
# Guest side of ci/stages/50-vm-x86_64: the suites of $SUITES (see run_suites
# in common.sh), in order; bpf/iommumap counts vfio_pci_driver_test's IOMMU
# maps and unmaps from the setup to the suite "maps".  Results go to /results, the host judges them; this
# script fails only when the setup itself fails.
. /opt/guest/common.sh
set -e

edu=$(pci_find 0x1234 0x11e8)
vfio_bind "$edu"
echo "edu at $edu, bound to vfio-pci"

# The SVA kselftests lock the pages they fault in (MLOCK_ONFAULT), so that
# "one fault per page" holds; keep compaction from migrating them as well.
[ ! -w /proc/sys/vm/compact_unevictable_allowed ] ||
	echo 0 >/proc/sys/vm/compact_unevictable_allowed

# Mainline's vfio kselftests (run_ksft) on edu, vfio_pci_driver_test through
# the edu driver of the series, in every IOMMU mode.
export VFIO_SELFTESTS_BDF=$edu

trace_start iommumap -j -s -c vfio_pci_driver

# The mock DMA engine's and mock SVA's fixtures once more, alone, their page
# requests and responses counted per test (process group) by iopflat, and,
# for the pin on fault fixtures, the pages the kernel fault handler pinned
# and unpinned (-S).
# iopf_hold_bad_cmd causes none and waits 10 s: it ran with the rest.
suite_iopflat() {
	trace_start iopflat -j -e -G -S
	/opt/kselftest/iommu/iommufd -T iopf_hold_bad_cmd -f iommufd_dma -f iommufd_sva \
		-f iommufd_demand -f iommufd_demand_account \
		>/results/iommufd_iopf.tap 2>&1 || true
	trace_stop iopflat
	resolve_error_trace
}

# iommufd_demand.invalid and .immediate_attach alone with the
# iommu:iopf_resolve_error tracepoint on: the host checks the errno and
# address of each of their INVALID answers, in order (one clock for all CPUs).
resolve_error_trace() {
	local t=/sys/kernel/tracing ev=/sys/kernel/tracing/events/iommu/iopf_resolve_error
	[ -d "$ev" ] || { echo "no $ev" >/results/resolve_error.trace; return 0; }
	echo global >$t/trace_clock
	echo >$t/trace
	echo 1 >"$ev/enable"
	/opt/kselftest/iommu/iommufd -r iommufd_demand.invalid \
		-r iommufd_demand.immediate_attach \
		>/results/resolve_error.tap 2>&1 || true
	echo 0 >"$ev/enable"
	grep -o 'iopf_resolve_error: .*' $t/trace \
		>/results/resolve_error.trace || true
}

# Fault service latency on the three paths, each under the same fixed load
# and measured by iopflat: SVA, iommufd's kernel handler of pin on fault
# IOAS mappings, an iommufd fault queue answered from userspace.  Then the
# kernel handler's stages (iopflat -S: kprobes, so not in the latencies).
suite_bench() {
	for m in sva demand user; do
		trace_start -o "iopflat_bench_$m" iopflat -j -e
		/opt/bin/iopf_fault_bench -j -m $m -p "$IOPF_BENCH_PAGES" \
			-r "$IOPF_BENCH_ROUNDS" >"/results/iopf_fault_bench_$m.json" 2>&1 || true
		trace_stop "iopflat_bench_$m"
	done
	trace_start -o iopflat_bench_stages iopflat -j -S
	/opt/bin/iopf_fault_bench -j -m demand -p "$IOPF_BENCH_PAGES" \
		-r "$IOPF_BENCH_ROUNDS" >/results/iopf_fault_bench_stages.json 2>&1 || true
	trace_stop iopflat_bench_stages
	# Pre-touched memory, without and with a prefault window of 16 pages
	/opt/bin/iopf_fault_bench -j -m demand -t -w 0 -p "$IOPF_BENCH_PAGES" \
		-r "$IOPF_BENCH_ROUNDS" >/results/iopf_fault_bench_window_0.json 2>&1 || true
	trace_start -o iopflat_bench_window_16 iopflat -j -S
	/opt/bin/iopf_fault_bench -j -m demand -t -w 16 -p "$IOPF_BENCH_PAGES" \
		-r "$IOPF_BENCH_ROUNDS" >/results/iopf_fault_bench_window_16.json 2>&1 || true
	trace_stop iopflat_bench_window_16
}

# vfio_iopf_test once more, alone, on the mock VFIO devices: its page
# requests and responses counted per test by iopflat, per device (-D) with
# the VFIO device that holds it.
suite_vfio_iopf() {
	trace_start -o iopflat_vfio iopflat -j -e -G -S -D
	/opt/kselftest/vfio/vfio_iopf_test >/results/vfio_iopf.tap 2>&1 || true
	trace_stop iopflat_vfio
}

# What iommumap counted of vfio_pci_driver_test's IOMMU maps and unmaps (the
# kernel truncates the task's name to 15 characters) since the setup.
suite_maps() {
	trace_stop iommumap
}

run_suites
