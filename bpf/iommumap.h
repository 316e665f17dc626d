/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by iommumap.bpf.c and iommumap.c */
#ifndef __IOMMUMAP_H
#define __IOMMUMAP_H

#define TASK_COMM_LEN	16
#define MAX_SLOTS	32

enum iommumap_op {
	IOMMUMAP_MAP,
	IOMMUMAP_UNMAP,
	IOMMUMAP_NR_OPS,
};

struct iommumap_event {
	__u64 ts_ns;
	__u64 iova;
	__u64 paddr;		/* map only */
	__u64 size;
	__u64 unmapped;		/* unmap only */
	__u32 pid;
	__u32 op;
	char comm[TASK_COMM_LEN];
};

/* Calls and bytes per operation: mapped (size) or unmapped (unmapped) */
struct iommumap_totals {
	__u64 calls[IOMMUMAP_NR_OPS];
	__u64 bytes[IOMMUMAP_NR_OPS];
};

/* log2 histogram of sizes, one per operation */
struct iommumap_hist {
	__u32 slots[MAX_SLOTS];
};

#endif /* __IOMMUMAP_H */
