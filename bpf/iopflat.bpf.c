// SPDX-License-Identifier: GPL-2.0
/*
 * I/O page fault latency: from a page request (iommu:iopf_report) to the
 * response sent to the device (iommu:iopf_response), matched on device, PASID
 * and group ID.  With targ_exact, each latency also goes to user space through
 * a ring buffer, for exact percentiles.  With targ_per_pgrp, the requests and
 * their responses are also counted per process group of the task that
 * reported them, which for a software fault source (iommufd's selftest mock
 * DMA engine) is the test that caused them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "iopflat.h"
#include "bits.bpf.h"

const volatile bool targ_per_dev = false;
const volatile bool targ_per_pasid = false;
const volatile __u64 targ_div = 1;	/* ns per histogram unit */
const volatile bool targ_exact = false;
const volatile bool targ_per_pgrp = false;

struct iopflat_counts counts = {};

/* Page request groups that await their response */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_GROUPS);
	__type(key, struct group_key);
	__type(value, struct group_val);
} groups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_HISTS);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PGRPS);
	__type(key, __u32);
	__type(value, struct pgrp_counts);
} pgrps SEC(".maps");

/* With targ_exact: one struct iopflat_event per matched response */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* The counts of process group @pgrp, created zeroed; NULL when full */
static __always_inline struct pgrp_counts *pgrp_counts(__u32 pgrp)
{
	static const struct pgrp_counts zero;
	struct pgrp_counts *c = bpf_map_lookup_elem(&pgrps, &pgrp);

	if (c)
		return c;
	bpf_map_update_elem(&pgrps, &pgrp, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&pgrps, &pgrp);
}

static __always_inline __u32 current_pgrp(void)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	return BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID], numbers[0].nr);
}

static __always_inline int handle_report(struct device *dev,
					 struct iommu_fault *fault)
{
	struct group_key key = {};
	struct group_val *v, val = {};
	__u32 flags = BPF_CORE_READ(fault, prm.flags), pgrp = 0;
	struct pgrp_counts *c;

	__sync_fetch_and_add(&counts.reports, 1);
	if (flags & IOPF_LAST_PAGE)
		__sync_fetch_and_add(&counts.requests, 1);
	if (targ_per_pgrp) {
		pgrp = current_pgrp();
		c = pgrp_counts(pgrp);
		if (c) {
			__sync_fetch_and_add(&c->reports, 1);
			if (flags & IOPF_LAST_PAGE)
				__sync_fetch_and_add(&c->requests, 1);
		} else {
			__sync_fetch_and_add(&counts.pgrp_lost, 1);
		}
	}

	key.dev = (__u64)dev;
	key.pasid = BPF_CORE_READ(fault, prm.pasid);
	key.grpid = BPF_CORE_READ(fault, prm.grpid);

	/*
	 * The requests of a group share its ID and only the last one is
	 * answered (though the core also answers a partial request INVALID
	 * when no handler is attached), so the group's latency runs from its
	 * first request.
	 */
	v = bpf_map_lookup_elem(&groups, &key);
	if (v) {
		if (v->flags & IOPF_LAST_PAGE) {
			/* Reused while the earlier group awaits its response */
			__sync_fetch_and_add(&counts.lost, 1);
			return 0;
		}
		v->flags |= flags;
		v->addr = BPF_CORE_READ(fault, prm.addr);
		v->perm = BPF_CORE_READ(fault, prm.perm);
		return 0;
	}

	val.ts_ns = bpf_ktime_get_ns();
	val.flags = flags;
	val.addr = BPF_CORE_READ(fault, prm.addr);
	val.perm = BPF_CORE_READ(fault, prm.perm);
	val.pgrp = pgrp;
	bpf_probe_read_kernel_str(val.device, sizeof(val.device),
				  BPF_CORE_READ(dev, kobj.name));
	if (bpf_map_update_elem(&groups, &key, &val, BPF_NOEXIST))
		__sync_fetch_and_add(&counts.lost, 1);
	return 0;
}

static __always_inline int handle_response(struct device *dev,
					   struct iommu_page_response *resp)
{
	static const struct hist zero;
	struct group_key key = {};
	struct hist_key hkey = {};
	struct iopflat_event *e;
	struct group_val *v;
	struct pgrp_counts *c;
	struct hist *h;
	__u32 code = BPF_CORE_READ(resp, code), pasid;
	__u64 now = bpf_ktime_get_ns(), lat, slot;

	__sync_fetch_and_add(&counts.responses, 1);
	if (code > IOPFLAT_OTHER)
		code = IOPFLAT_OTHER;
	__sync_fetch_and_add(&counts.codes[code], 1);

	key.dev = (__u64)dev;
	key.pasid = BPF_CORE_READ(resp, pasid);
	key.grpid = BPF_CORE_READ(resp, grpid);
	v = bpf_map_lookup_elem(&groups, &key);
	if (!v) {
		__sync_fetch_and_add(&counts.unmatched, 1);
		return 0;
	}

	if (targ_per_pgrp) {
		c = pgrp_counts(v->pgrp);
		if (c) {
			__sync_fetch_and_add(&c->responses, 1);
			__sync_fetch_and_add(&c->codes[code], 1);
		} else {
			__sync_fetch_and_add(&counts.pgrp_lost, 1);
		}
	}

	lat = now - v->ts_ns;
	pasid = v->flags & IOPF_PASID_VALID ? key.pasid : PASID_NONE;
	if (targ_per_dev)
		__builtin_memcpy(hkey.device, v->device, sizeof(hkey.device));
	if (targ_per_pasid)
		hkey.pasid = pasid;
	h = bpf_map_lookup_elem(&hists, &hkey);
	if (!h) {
		bpf_map_update_elem(&hists, &hkey, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &hkey);
	}
	if (h) {
		slot = log2l(lat / targ_div);
		if (slot >= MAX_SLOTS)
			slot = MAX_SLOTS - 1;
		__sync_fetch_and_add(&h->slots[slot], 1);
	}
	if (targ_exact) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->lat_ns = lat;
			e->pasid = pasid;
			e->code = code;
			bpf_ringbuf_submit(e, 0);
		} else {
			__sync_fetch_and_add(&counts.dropped, 1);
		}
	}
	bpf_map_delete_elem(&groups, &key);
	return 0;
}

SEC("tp_btf/iopf_report")
int BPF_PROG(iopf_report_btf, struct device *dev, struct iommu_fault *fault)
{
	return handle_report(dev, fault);
}

SEC("tp_btf/iopf_response")
int BPF_PROG(iopf_response_btf, struct device *dev,
	     struct iommu_page_response *resp)
{
	return handle_response(dev, resp);
}

/* Fallbacks for kernels whose BTF lacks the tracepoint prototypes. */
SEC("raw_tp/iopf_report")
int BPF_PROG(iopf_report_raw, struct device *dev, struct iommu_fault *fault)
{
	return handle_report(dev, fault);
}

SEC("raw_tp/iopf_response")
int BPF_PROG(iopf_response_raw, struct device *dev,
	     struct iommu_page_response *resp)
{
	return handle_response(dev, resp);
}

char LICENSE[] SEC("license") = "GPL";
