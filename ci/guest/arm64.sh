# SPDX-License-Identifier: GPL-2.0
# Guest side of ci/stages/60-vm-arm64: the edu test on SMMUv3 + GICv3 ITS,
# where VFIO maps the ITS doorbell through dma-iommu's MSI cookie.  kprobes
# record the cookie's window and each iommu_dma_sw_msi() call with its
# result; bpf/msidoorbell counts the doorbells prepared (iommu:sw_msi_map).
. /opt/guest/common.sh
set -e

edu=$(pci_find 0x1234 0x11e8)
vfio_bind "$edu"
echo "edu at $edu, bound to vfio-pci"
echo "$edu" >/results/edu.bdf

t=/sys/kernel/tracing
echo 'p:series/msi_cookie iommu_get_msi_cookie base=%x1:x64 size=%x2:x64' >>$t/kprobe_events
echo 'p:series/sw_msi iommu_dma_sw_msi msi_addr=%x2:x64' >>$t/kprobe_events
echo 'r:series/sw_msi_ret iommu_dma_sw_msi ret=$retval:s32' >>$t/kprobe_events
echo 1 >$t/events/series/enable
echo 1 >$t/tracing_on

trace_start msidoorbell -j
EDU_BDF=$edu /opt/bin/vfio_edu_test >/results/edu.tap 2>&1 || true
trace_stop msidoorbell

echo 0 >$t/tracing_on
cat $t/trace >/results/trace.txt
