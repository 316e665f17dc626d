// SPDX-License-Identifier: GPL-2.0
/* Count MSI doorbell preparations (the iommu:sw_msi_map tracepoint). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "msidoorbell.h"
#include "comm.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ENTRIES);
	__type(key, struct msidoorbell_key);
	__type(value, struct msidoorbell_val);
} doorbells SEC(".maps");

static __always_inline int record(struct device *dev, phys_addr_t doorbell,
				  dma_addr_t iova, u8 via, int ret)
{
	static const struct msidoorbell_val zero;
	struct msidoorbell_key key;
	struct msidoorbell_val *v;
	char comm[TASK_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!comm_allowed(comm))
		return 0;

	__builtin_memset(&key, 0, sizeof(key));
	bpf_probe_read_kernel_str(key.device, sizeof(key.device),
				  BPF_CORE_READ(dev, kobj.name));
	key.doorbell = doorbell;
	key.iova = iova;
	key.via = via;

	v = bpf_map_lookup_elem(&doorbells, &key);
	if (!v) {
		bpf_map_update_elem(&doorbells, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&doorbells, &key);
		if (!v)
			return 0;
	}
	if (ret) {
		__sync_fetch_and_add(&v->errors, 1);
		v->last_err = ret;
	} else {
		__sync_fetch_and_add(&v->calls, 1);
	}
	return 0;
}

SEC("tp_btf/sw_msi_map")
int BPF_PROG(sw_msi_map_btf, struct device *dev, phys_addr_t doorbell,
	     dma_addr_t iova, u8 via, int ret)
{
	return record(dev, doorbell, iova, via, ret);
}

/* Fallback for kernels whose BTF lacks the tracepoint prototype. */
SEC("raw_tp/sw_msi_map")
int BPF_PROG(sw_msi_map_raw, struct device *dev, phys_addr_t doorbell,
	     dma_addr_t iova, u8 via, int ret)
{
	return record(dev, doorbell, iova, via, ret);
}

char LICENSE[] SEC("license") = "GPL";
