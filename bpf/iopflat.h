/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by iopflat.bpf.c and iopflat.c */
#ifndef __IOPFLAT_H
#define __IOPFLAT_H

#define DEV_NAME_LEN	64
#define MAX_SLOTS	40	/* log2 buckets; 2^40 ns is over 18 minutes */
#define MAX_GROUPS	10240	/* page request groups awaiting their response */
#define MAX_HISTS	1024
#define MAX_PGRPS	4096	/* -G: process groups counted */
#define MAX_TASKS	1024	/* -S: threads in a demand-paging path at once */
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

/* -S: which handler the core gave the group to */
enum iopflat_handler {
	HANDLER_ANY,		/* without -S: not told apart */
	HANDLER_KERNEL,		/* iommufd_demand_iopf_handler(): demand paging */
	HANDLER_SVA,		/* iommu_sva_iopf_handler() */
	HANDLER_USER,		/* iommufd_fault_iopf_handler(): a fault queue */
	HANDLER_NONE,		/* answered by the core: no handler */
	HANDLER_NR,
};

/*
 * -S: the service time of a group, report to response, and its stages.  For
 * the kernel handler: queue (handler to worker), lookup (worker start to the
 * first pin, or to the response when nothing is pinned: locks, area walk),
 * pin, map (summed over the group's runs) and response (last map to the
 * response).  For SVA: queue (handler to worker) and the rest (resolve).
 */
enum iopflat_stage {
	STAGE_TOTAL,
	STAGE_QUEUE,
	STAGE_LOOKUP,
	STAGE_PIN,
	STAGE_MAP,
	STAGE_RESPONSE,
	STAGE_RESOLVE,
	STAGE_NR,
};

struct group_val {
	__u64 ts_ns;		/* first page request of the group */
	__u64 addr;		/* of the last page request seen */
	__u32 flags;		/* IOPF_*, or-ed over the group's requests */
	__u32 perm;
	__u32 pgrp;		/* -G: of the task that reported the first */
	__u32 handler;		/* -S: enum iopflat_handler */
	__u64 ts_handler;	/* -S: when the handler got it */
	__u64 ts_worker;	/* -S: when a worker took it */
	__u64 pin_ns;		/* -S: kernel handler: pinning, summed */
	__u64 map_ns;		/* -S: kernel handler: mapping, summed */
	__u64 ts_first_pin;	/* -S: kernel handler: start of the first pin */
	__u64 ts_last_map;	/* -S: kernel handler: end of the last map */
	char device[DEV_NAME_LEN];
};

/* -S: what the task in a demand-paging path is doing, by thread */
struct task_state {
	struct group_key key;	/* the group a worker resolves; dev 0: none */
	__u64 ts;		/* start of the pin or map under way */
	__u32 pgrp;		/* to charge pins and unpins to (-G) */
	__u32 in;		/* TASK_IN_* */
	__u64 npages;		/* iopt_pages_update_pinned() under way */
	__u32 inc;
	__u32 pad;
};

#define TASK_IN_FAULT_MAP	(1 << 0)	/* iopt_area_fault_map() */
#define TASK_IN_UNFILL		(1 << 1)	/* iopt_area_unfill_demand() */

/* Zero for the fields that -D, -P and -S do not break down by. */
struct hist_key {
	char device[DEV_NAME_LEN];
	__u32 pasid;
	__u16 handler;		/* -S: enum iopflat_handler */
	__u16 stage;		/* -S: enum iopflat_stage */
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
	/* -S: pages the demand-paging fault path pinned, and unpinned */
	__u64 fault_pinned;
	__u64 fault_unpinned;
	__u64 handlers[HANDLER_NR];	/* -S: groups given to each */
};

/* -G: per process group of the task that reported the requests */
struct pgrp_counts {
	__u64 reports;
	__u64 requests;
	__u64 responses;	/* matched to a traced request */
	__u64 codes[IOPFLAT_NR_CODES];
	/* -S: pages the fault path pinned for it, and unpinned by it */
	__u64 fault_pinned;
	__u64 fault_unpinned;
};

/* -e: the latency of each response matched to its request, in ns */
struct iopflat_event {
	__u64 lat_ns;
	__u32 pasid;		/* PASID_NONE for requests without a PASID */
	__u32 code;		/* enum iopflat_code */
};

#endif /* __IOPFLAT_H */
