// SPDX-License-Identifier: GPL-2.0
/* Trace IOMMU map/unmap (the iommu:map and iommu:unmap tracepoints). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "iommumap.h"
#include "bits.bpf.h"
#include "comm.bpf.h"

const volatile bool targ_events = false;	/* stream every event */

struct iommumap_totals totals = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IOMMUMAP_NR_OPS);
	__type(key, __u32);
	__type(value, struct iommumap_hist);
} hists SEC(".maps");

static __always_inline int record(__u32 op, __u64 iova, __u64 paddr,
				  __u64 size, __u64 unmapped)
{
	struct iommumap_event *e;
	struct iommumap_hist *h;
	char comm[TASK_COMM_LEN];
	__u64 slot;

	bpf_get_current_comm(comm, sizeof(comm));
	if (!comm_allowed(comm))
		return 0;

	/* Constant indices: op goes through the stack for the map lookup */
	if (op == IOMMUMAP_MAP) {
		__sync_fetch_and_add(&totals.calls[IOMMUMAP_MAP], 1);
		__sync_fetch_and_add(&totals.bytes[IOMMUMAP_MAP], size);
	} else {
		__sync_fetch_and_add(&totals.calls[IOMMUMAP_UNMAP], 1);
		__sync_fetch_and_add(&totals.bytes[IOMMUMAP_UNMAP], unmapped);
	}
	h = bpf_map_lookup_elem(&hists, &op);
	if (h) {
		slot = log2l(size);
		if (slot >= MAX_SLOTS)
			slot = MAX_SLOTS - 1;
		__sync_fetch_and_add(&h->slots[slot], 1);
	}
	if (!targ_events)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->iova = iova;
	e->paddr = paddr;
	e->size = size;
	e->unmapped = unmapped;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->op = op;
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/map")
int BPF_PROG(map_btf, unsigned long iova, phys_addr_t paddr, size_t size)
{
	return record(IOMMUMAP_MAP, iova, paddr, size, 0);
}

SEC("tp_btf/unmap")
int BPF_PROG(unmap_btf, unsigned long iova, size_t size, size_t unmapped)
{
	return record(IOMMUMAP_UNMAP, iova, 0, size, unmapped);
}

/* Fallbacks for kernels whose BTF lacks the tracepoint prototypes. */
SEC("raw_tp/map")
int BPF_PROG(map_raw, unsigned long iova, phys_addr_t paddr, size_t size)
{
	return record(IOMMUMAP_MAP, iova, paddr, size, 0);
}

SEC("raw_tp/unmap")
int BPF_PROG(unmap_raw, unsigned long iova, size_t size, size_t unmapped)
{
	return record(IOMMUMAP_UNMAP, iova, 0, size, unmapped);
}

char LICENSE[] SEC("license") = "GPL";
