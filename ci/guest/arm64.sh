# SPDX-License-Identifier: GPL-2.0
# Guest side of ci/stages/60-vm-arm64: SMMUv3 + GICv3 ITS, where VFIO maps
# the ITS doorbell through dma-iommu's MSI cookie (type1) or iommufd_sw_msi()
# (iommufd).  Mainline's iommu and vfio kselftests run as the suites of
# $SUITES (see run_suites in common.sh), vfio's on QEMU's edu device through
# the series' edu driver; kprobes record the MSI cookie's window and each
# iommu_dma_sw_msi() call with its result, and bpf/msidoorbell the doorbells
# prepared (iommu:sw_msi_map), from the setup to the suite "msi".
. /opt/guest/common.sh
set -e

edu=$(pci_find 0x1234 0x11e8)
vfio_bind "$edu"
echo "edu at $edu, bound to vfio-pci"
echo "$edu" >/results/edu.bdf
export VFIO_SELFTESTS_BDF=$edu

t=/sys/kernel/tracing
echo 'p:series/msi_cookie iommu_get_msi_cookie base=%x1:x64 size=%x2:x64' >>$t/kprobe_events
echo 'p:series/sw_msi iommu_dma_sw_msi msi_addr=%x2:x64' >>$t/kprobe_events
echo 'r:series/sw_msi_ret iommu_dma_sw_msi ret=$retval:s32' >>$t/kprobe_events
echo 1 >$t/events/series/enable
echo 1 >$t/tracing_on
trace_start msidoorbell -j

# What the tracing saw since the setup of this boot.
suite_msi() {
	trace_stop msidoorbell
	echo 0 >$t/tracing_on
	cat $t/trace >/results/trace.txt
}

run_suites
