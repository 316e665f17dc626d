// SPDX-License-Identifier: GPL-2.0
/*
 * I/O page fault latency: from a page request (iommu:iopf_report) to the
 * response sent to the device (iommu:iopf_response), matched on device, PASID
 * and group ID.  With targ_exact, each latency also goes to user space through
 * a ring buffer, for exact percentiles.  With targ_per_pgrp, the requests and
 * their responses are also counted per process group of the task that
 * reported them, which for a software fault source (iommufd's selftest mock
 * DMA engine) is the test that caused them.  With targ_stages, the handler
 * each group went to is told apart (iommufd's kernel handler of pin on fault
 * IOAS mappings, SVA, an iommufd fault queue, none), the kernel handler's
 * service time is broken into stages (queue, lookup, pin, map, response),
 * and the pages its fault path pins and unpins are counted.
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
const volatile bool targ_stages = false;

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

/* With targ_stages: the threads in a demand-paging path, by pid_tgid */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TASKS);
	__type(key, __u64);
	__type(value, struct task_state);
} tasks SEC(".maps");

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

/* Count @ns in the log2 histogram of @hkey's breakdown, for @stage */
static __always_inline void hist_add(struct hist_key *hkey, __u16 stage,
				     __u64 ns)
{
	static const struct hist zero;
	struct hist *h;
	__u64 slot;

	hkey->stage = stage;
	h = bpf_map_lookup_elem(&hists, hkey);
	if (!h) {
		bpf_map_update_elem(&hists, hkey, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, hkey);
	}
	if (!h)
		return;
	slot = log2l(ns / targ_div);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
}

/* The stages of a group answered at @now, for the handlers that have them */
static __always_inline void stages_add(struct hist_key *hkey,
				       struct group_val *v, __u64 now)
{
	__u64 start;

	if (!v->ts_worker || !v->ts_handler)
		return;
	hist_add(hkey, STAGE_QUEUE, v->ts_worker - v->ts_handler);
	if (v->handler == HANDLER_SVA) {
		hist_add(hkey, STAGE_RESOLVE, now - v->ts_worker);
		return;
	}
	if (v->handler != HANDLER_KERNEL)
		return;
	start = v->ts_first_pin ? v->ts_first_pin : now;
	hist_add(hkey, STAGE_LOOKUP, start - v->ts_worker);
	if (!v->ts_first_pin)
		return;
	hist_add(hkey, STAGE_PIN, v->pin_ns);
	hist_add(hkey, STAGE_MAP, v->map_ns);
	if (v->ts_last_map)
		hist_add(hkey, STAGE_RESPONSE, now - v->ts_last_map);
}

static __always_inline int handle_response(struct device *dev,
					   struct iommu_page_response *resp)
{
	struct group_key key = {};
	struct hist_key hkey = {};
	struct iopflat_event *e;
	struct group_val *v;
	struct pgrp_counts *c;
	__u32 code = BPF_CORE_READ(resp, code), pasid;
	__u64 now = bpf_ktime_get_ns(), lat;

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
	if (targ_stages) {
		hkey.handler = v->handler;
		if (hkey.handler == HANDLER_ANY) {
			hkey.handler = HANDLER_NONE;
			__sync_fetch_and_add(&counts.handlers[HANDLER_NONE], 1);
		}
		stages_add(&hkey, v, now);
	}
	hist_add(&hkey, STAGE_TOTAL, lat);
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

/*
 * -S: which handler each group goes to, and the kernel handler's stages.  The
 * programs below are kprobes on functions of the IOMMU core and of iommufd
 * (see drivers/iommu/iommufd/io_pagetable.c and pages.c): fentry would need
 * CONFIG_FUNCTION_TRACER, which the test kernels do without.  The front end
 * loads them only with -S.
 */
static __always_inline void group_key_of(struct iopf_group *group,
					 struct group_key *key)
{
	key->dev = (__u64)BPF_CORE_READ(group, fault_param, dev);
	key->pasid = BPF_CORE_READ(group, last_fault.fault.prm.pasid);
	key->grpid = BPF_CORE_READ(group, last_fault.fault.prm.grpid);
}

static __always_inline int handler_enter(struct iopf_group *group,
					 enum iopflat_handler handler)
{
	struct group_key key = {};
	struct group_val *v;

	__sync_fetch_and_add(&counts.handlers[handler], 1);
	group_key_of(group, &key);
	v = bpf_map_lookup_elem(&groups, &key);
	if (v) {
		v->handler = handler;
		v->ts_handler = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("kprobe/iommufd_demand_iopf_handler")
int BPF_KPROBE(demand_handler, struct iopf_group *group)
{
	return handler_enter(group, HANDLER_KERNEL);
}

SEC("kprobe/iommu_sva_iopf_handler")
int BPF_KPROBE(sva_handler, struct iopf_group *group)
{
	return handler_enter(group, HANDLER_SVA);
}

SEC("kprobe/iommufd_fault_iopf_handler")
int BPF_KPROBE(user_handler, struct iopf_group *group)
{
	return handler_enter(group, HANDLER_USER);
}

/* A worker takes @group: the end of its queue wait */
static __always_inline struct group_val *worker_enter(struct iopf_group *group,
						      struct group_key *key)
{
	struct group_val *v;

	group_key_of(group, key);
	v = bpf_map_lookup_elem(&groups, key);
	if (v)
		v->ts_worker = bpf_ktime_get_ns();
	return v;
}

SEC("kprobe/iommu_sva_handle_iopf")
int BPF_KPROBE(sva_work, struct work_struct *work)
{
	struct group_key key = {};

	/* SVA queues the group's own work */
	worker_enter((void *)work - bpf_core_field_offset(struct iopf_group,
							  work), &key);
	return 0;
}

SEC("kprobe/iommufd_demand_iopf_work")
int BPF_KPROBE(demand_work, struct work_struct *work)
{
	/* iommufd queues a request that holds the group */
	struct iommufd_demand_req *req = (void *)work -
		bpf_core_field_offset(struct iommufd_demand_req, work);
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state t = {};
	struct group_val *v;

	v = worker_enter(BPF_CORE_READ(req, group), &t.key);
	if (v)
		t.pgrp = v->pgrp;
	bpf_map_update_elem(&tasks, &id, &t, BPF_ANY);
	return 0;
}

SEC("kretprobe/iommufd_demand_iopf_work")
int BPF_KRETPROBE(demand_work_exit)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&tasks, &id);
	return 0;
}

/*
 * The thread enters a demand-paging path: a fault map (from a worker, or
 * inline in the reporting task) or the unpinning of an area's runs.
 */
static __always_inline int task_enter(__u32 in)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state *t, zero = {};

	t = bpf_map_lookup_elem(&tasks, &id);
	if (!t) {
		zero.pgrp = targ_per_pgrp ? current_pgrp() : 0;
		bpf_map_update_elem(&tasks, &id, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&tasks, &id);
		if (!t)
			return 0;
	}
	t->in |= in;
	return 0;
}

static __always_inline int task_exit(__u32 in)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state *t = bpf_map_lookup_elem(&tasks, &id);

	if (!t)
		return 0;
	t->in &= ~in;
	/* Not a worker: nothing else to keep */
	if (!t->in && !t->key.dev)
		bpf_map_delete_elem(&tasks, &id);
	return 0;
}

SEC("kprobe/iopt_area_fault_map")
int BPF_KPROBE(fault_map)
{
	return task_enter(TASK_IN_FAULT_MAP);
}

SEC("kretprobe/iopt_area_fault_map")
int BPF_KRETPROBE(fault_map_exit)
{
	return task_exit(TASK_IN_FAULT_MAP);
}

SEC("kprobe/iopt_area_unfill_demand")
int BPF_KPROBE(unfill_demand)
{
	return task_enter(TASK_IN_UNFILL);
}

SEC("kretprobe/iopt_area_unfill_demand")
int BPF_KRETPROBE(unfill_demand_exit)
{
	return task_exit(TASK_IN_UNFILL);
}

/* The worker's group, while it is in a fault map */
static __always_inline struct task_state *fault_map_task(struct group_val **v)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state *t = bpf_map_lookup_elem(&tasks, &id);

	if (!t || !(t->in & TASK_IN_FAULT_MAP) || !t->key.dev)
		return NULL;
	*v = bpf_map_lookup_elem(&groups, &t->key);
	return *v ? t : NULL;
}

SEC("kprobe/iopt_pages_add_access")
int BPF_KPROBE(pin)
{
	struct task_state *t;
	struct group_val *v;

	t = fault_map_task(&v);
	if (!t)
		return 0;
	t->ts = bpf_ktime_get_ns();
	if (!v->ts_first_pin)
		v->ts_first_pin = t->ts;
	return 0;
}

SEC("kretprobe/iopt_pages_add_access")
int BPF_KRETPROBE(pin_exit)
{
	struct task_state *t;
	struct group_val *v;

	t = fault_map_task(&v);
	if (t && t->ts)
		v->pin_ns += bpf_ktime_get_ns() - t->ts;
	return 0;
}

SEC("kprobe/iopt_fault_run_map")
int BPF_KPROBE(map)
{
	struct task_state *t;
	struct group_val *v;

	t = fault_map_task(&v);
	if (t)
		t->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("kretprobe/iopt_fault_run_map")
int BPF_KRETPROBE(map_exit)
{
	struct task_state *t;
	struct group_val *v;
	__u64 now;

	t = fault_map_task(&v);
	if (!t || !t->ts)
		return 0;
	now = bpf_ktime_get_ns();
	v->map_ns += now - t->ts;
	v->ts_last_map = now;
	return 0;
}

/*
 * Pages charged (inc) or uncharged by the fault path: every page iommufd
 * pins or unpins goes through here, once per change of the pages' count.
 * The entry notes the change, the return counts it if it took.
 */
SEC("kprobe/iopt_pages_update_pinned")
int BPF_KPROBE(update_pinned, void *pages, unsigned long npages, bool inc)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state *t = bpf_map_lookup_elem(&tasks, &id);

	if (!t)
		return 0;
	t->npages = npages;
	t->inc = inc;
	return 0;
}

SEC("kretprobe/iopt_pages_update_pinned")
int BPF_KRETPROBE(update_pinned_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_state *t = bpf_map_lookup_elem(&tasks, &id);
	struct pgrp_counts *c = NULL;
	__u64 npages;
	bool pin;

	if (!t || ret)
		return 0;
	npages = t->npages;
	if (t->inc && (t->in & TASK_IN_FAULT_MAP))
		pin = true;
	else if (!t->inc && t->in)
		pin = false;
	else
		return 0;
	if (targ_per_pgrp)
		c = pgrp_counts(t->pgrp);
	if (pin) {
		__sync_fetch_and_add(&counts.fault_pinned, npages);
		if (c)
			__sync_fetch_and_add(&c->fault_pinned, npages);
	} else {
		__sync_fetch_and_add(&counts.fault_unpinned, npages);
		if (c)
			__sync_fetch_and_add(&c->fault_unpinned, npages);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
