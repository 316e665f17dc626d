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
# requests and responses counted per test (process group) by iopflat.
# iopf_hold_bad_cmd causes none and waits 10 s: it ran with the rest.
suite_iopflat() {
	trace_start iopflat -j -e -G
	/opt/kselftest/iommu/iommufd -T iopf_hold_bad_cmd -f iommufd_dma -f iommufd_sva \
		>/results/iommufd_iopf.tap 2>&1 || true
	trace_stop iopflat
}

# The SVA fault service latency baseline: a fixed load, measured by iopflat.
suite_bench() {
	trace_start -o iopflat_bench iopflat -j -e
	/opt/bin/sva_fault_bench -j -p "$SVA_BENCH_PAGES" -r "$SVA_BENCH_ROUNDS" \
		>/results/sva_fault_bench.json 2>&1 || true
	trace_stop iopflat_bench
}

# What iommumap counted of vfio_pci_driver_test's IOMMU maps and unmaps (the
# kernel truncates the task's name to 15 characters) since the setup.
suite_maps() {
	trace_stop iommumap
}

run_suites
