# SPDX-License-Identifier: GPL-2.0
# Guest side of ci/stages/50-vm-x86_64.  Results go to /results, the host
# judges them; this script fails only when the setup itself fails.
. /opt/guest/common.sh
set -e

edu=$(pci_find 0x1234 0x11e8)
igb=$(pci_find 0x8086 0x10c9)
vfio_bind "$edu"
vfio_bind "$igb"
echo "edu at $edu, igb at $igb, both bound to vfio-pci"

# The SVA kselftests lock the pages they fault in (MLOCK_ONFAULT), so that
# "one fault per page" holds; keep compaction from migrating them as well.
[ ! -w /proc/sys/vm/compact_unevictable_allowed ] ||
	echo 0 >/proc/sys/vm/compact_unevictable_allowed

# Mainline's kselftests (iommu, vfio) through kselftest's own runner.
export VFIO_SELFTESTS_BDF=$igb
# run_kselftest.sh passes $KSELFTEST_<NAME>_ARGS to program <name>.
export KSELFTEST_VFIO_PCI_DRIVER_TEST_ARGS="${VFIO_DRIVER_TEST_ARGS:-}"
cd /opt/kselftest
# The runner reopens /dev/stdout with >> for each program's output, so the
# file must be in append mode here too or the two overwrite each other.
: >/results/kselftest.tap
./run_kselftest.sh -o "${KSFT_TIMEOUT:-1200}" ${KSFT_TESTS:+$KSFT_TESTS} >>/results/kselftest.tap 2>&1 || true
cd /

# The mock DMA engine's and mock SVA's fixtures once more, alone, their page
# requests and responses counted per test (process group) by iopflat.
# iopf_hold_bad_cmd causes none and waits 10 s: it ran above.
trace_start iopflat -j -e -G
/opt/kselftest/iommu/iommufd -T iopf_hold_bad_cmd -f iommufd_dma -f iommufd_sva \
	>/results/iommufd_iopf.tap 2>&1 || true
trace_stop iopflat

# The SVA fault service latency baseline: a fixed load, measured by iopflat.
trace_start -o iopflat_bench iopflat -j -e
/opt/bin/sva_fault_bench -j -p "$SVA_BENCH_PAGES" -r "$SVA_BENCH_ROUNDS" \
	>/results/sva_fault_bench.json 2>&1 || true
trace_stop iopflat_bench

# The edu end-to-end test, traced by iommumap.
trace_start iommumap -j -c vfio_edu_test
EDU_BDF=$edu /opt/bin/vfio_edu_test >/results/edu.tap 2>&1 || true
trace_stop iommumap
