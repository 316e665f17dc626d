/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by msidoorbell.bpf.c and msidoorbell.c */
#ifndef __MSIDOORBELL_H
#define __MSIDOORBELL_H

#define TASK_COMM_LEN	16
#define DEV_NAME_LEN	64
#define MAX_ENTRIES	1024

/* One row per device, doorbell, IOVA and way; no implicit padding. */
struct msidoorbell_key {
	char device[DEV_NAME_LEN];
	__u64 doorbell;		/* physical address the irqchip asked for */
	__u64 iova;		/* what the device writes; 0 on error */
	__u32 via;		/* IOMMU_TRACE_MSI_*: how the device reaches it */
	__u32 pad;
};

struct msidoorbell_val {
	__u64 calls;		/* successful iommu_dma_prepare_msi() calls */
	__u64 errors;		/* failed ones */
	__s32 last_err;		/* -errno of the last failed call */
	__u32 pad;
};

#endif /* __MSIDOORBELL_H */
