/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by iopflat.bpf.c and iopflat.c */
#ifndef __IOPFLAT_H
#define __IOPFLAT_H

#define DEV_NAME_LEN	64
#define MAX_SLOTS	40	/* log2 buckets; 2^40 ns is over 18 minutes */
#define MAX_GROUPS	10240	/* page request groups awaiting their response */
#define MAX_HISTS	1024
#define MAX_PGRPS	4096	/* -G: process groups counted */
#define PASID_NONE	0xffffffffu	/* -P key of requests without a PASID */

/* include/linux/iommu.h, struct iommu_fault_page_request.flags */
#define IOPF_PASID_VALID	(1 << 0)	/* IOMMU_FAULT_PAGE_REQUEST_PASID_VALID */
#define IOPF_LAST_PAGE		(1 << 1)	/* IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE */

/* enum iommu_page_response_code, and one slot for anything else */
enum iopflat_code {
	IOPFLAT_SUCCESS,
	IOPFLAT_INVALID,
	IOPFLAT_FAILURE,
	IOPFLAT_OTHER,
	IOPFLAT_NR_CODES,
};

/* A response matches its request on device, PASID and group ID. */
struct group_key {
	__u64 dev;		/* struct device pointer */
	__u32 pasid;
	__u32 grpid;
};

struct group_val {
	__u64 ts_ns;		/* first page request of the group */
	__u64 addr;		/* of the last page request seen */
	__u32 flags;		/* IOPF_*, or-ed over the group's requests */
	__u32 perm;
	__u32 pgrp;		/* -G: of the task that reported the first */
	__u32 pad;
	char device[DEV_NAME_LEN];
};

/* Zero for the fields that -D and -P do not break down by. */
struct hist_key {
	char device[DEV_NAME_LEN];
	__u32 pasid;
	__u32 pad;
};

struct hist {
	__u32 slots[MAX_SLOTS];
};

struct iopflat_counts {
	__u64 reports;		/* every page request (iopf_report) */
	__u64 requests;		/* last-page ones, which need a response */
	__u64 responses;	/* every response (iopf_response) */
	__u64 codes[IOPFLAT_NR_CODES];
	__u64 unmatched;	/* responses to no traced request */
	/* Requests not tracked: table full, or their group still awaited */
	__u64 lost;
	__u64 dropped;		/* -e: latencies the ring buffer had no room for */
	__u64 pgrp_lost;	/* -G: requests or responses not counted, map full */
};

/* -G: per process group of the task that reported the requests */
struct pgrp_counts {
	__u64 reports;
	__u64 requests;
	__u64 responses;	/* matched to a traced request */
	__u64 codes[IOPFLAT_NR_CODES];
};

/* -e: the latency of each response matched to its request, in ns */
struct iopflat_event {
	__u64 lat_ns;
	__u32 pasid;		/* PASID_NONE for requests without a PASID */
	__u32 code;		/* enum iopflat_code */
};

#endif /* __IOPFLAT_H */
