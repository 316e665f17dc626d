// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_fault_bench: a load of I/O page faults through the iommufd selftest
 * mock, for bpf/iopflat to measure, on one of three paths:
 *
 *   sva     the mock binds this process's mm to a kernel-owned PASID device;
 *           the SVA handler resolves each fault with handle_mm_fault()
 *   demand  a pin on fault IOAS mapping (IOMMU_IOAS_MAP_PIN_ON_FAULT);
 *           iommufd's kernel handler pins and maps each page on its fault
 *   user    a HWPT whose faults go to an iommufd fault queue; a thread of
 *           this program reads each, maps the page with IOMMU_IOAS_MAP and
 *           answers it, as a VMM's fault handler would
 *   vfio    demand, on the mock VFIO device vfio_mock_iopf
 *           (CONFIG_IOMMUFD_VFIO_MOCK) opened through its cdev, bound to
 *           the iommufd and attached to the IOAS, then mapped, as QEMU does
 *   compat  the same device opened through its group, with /dev/iommu as a
 *           VFIO_TYPE1v2_IOPF_IOMMU container and VFIO_IOMMU_MAP_DMA with
 *           VFIO_DMA_MAP_FLAG_PIN_ON_FAULT
 *
 * Each round, the mock's DMA engine writes PAGES pages that were just mapped
 * and never touched by the device, so each page raises one page request; the
 * engine retries after SUCCESS.  The fault service latency (report to
 * response) is iopflat's to measure; this program checks that every page
 * faulted exactly once, was answered SUCCESS and holds the bytes written, and
 * reports what it caused, so that the two can be compared.
 *
 * In demand mode, with -t the CPU writes each round's pages before the device
 * does, and with -w WINDOW the IOAS prefaults up to WINDOW present pages after
 * each faulting one (IOMMU_OPTION_PIN_ON_FAULT_WINDOW): a round then takes
 * PAGES / (WINDOW + 1) page requests, rounded up, which is checked.
 *
 * With -M MIB it measures instead IOMMU_IOAS_MAP of MIB of never-touched
 * anonymous memory into an IOAS with a mock HWPT, pinned and pin on fault,
 * and the pages charged to VmPin after the device touches PAGES of the
 * pin on fault one.  With -M MIB -m compat, a VM start through the type1
 * compat container instead: VFIO_IOMMU_MAP_DMA of MIB of guest RAM, then
 * the device's DMA over its first 1%, pinned then pin on fault, each timed,
 * and VmPin after each.  Needs a kernel with CONFIG_IOMMUFD_TEST (and
 * CONFIG_IOMMUFD_VFIO_MOCK for vfio and compat).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#define MAX_PAGES 1024	/* what one IOMMU_TEST_OP_DMA takes */
#define IOVA MOCK_APERTURE_START
#define MAX_MIB ((MOCK_APERTURE_LAST - MOCK_APERTURE_START + 1) >> 20)

enum mode { MODE_SVA, MODE_DEMAND, MODE_USER, MODE_VFIO, MODE_COMPAT,
	    MODE_NR };
static const char *const mode_names[] = { "sva", "demand", "user", "vfio",
					  "compat" };

/* The capable device of CONFIG_IOMMUFD_VFIO_MOCK */
#define MOCK_VFIO "/sys/bus/iommufd_mock/devices/vfio_mock_iopf"

static size_t psize;

/* The largest IOMMU_OPTION_PIN_ON_FAULT_WINDOW the kernel takes */
static unsigned long max_window(void)
{
	return 511;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-h] [-j] [-t] [-m sva|demand|user] [-w WINDOW] [-p PAGES]\n"
		"       [-r ROUNDS] [-M MIB]\n"
		"Raise PAGES x ROUNDS I/O page faults through the iommufd mock.\n"
		"  -m MODE    the fault path: sva (default), demand (iommufd's kernel\n"
		"             handler of pin on fault IOAS mappings), user (an\n"
		"             iommufd fault queue answered by this program), vfio\n"
		"             (demand on a mock VFIO device, through its cdev) or\n"
		"             compat (the same through the type1 compat container)\n"
		"  -p PAGES   pages per round, 1..%d (default 256)\n"
		"  -r ROUNDS  rounds, each on a fresh mapping (default 16)\n"
		"  -t         demand only: the CPU touches the pages before the\n"
		"             device does\n"
		"  -w WINDOW  demand only: the IOAS's prefault window in pages,\n"
		"             0..%lu (default 0, off)\n"
		"  -M MIB     instead, time IOMMU_IOAS_MAP of MIB (1..%lu), pinned and\n"
		"             pin on fault, and count VmPin after PAGES are touched;\n"
		"             with -m compat, a VM start: VFIO_IOMMU_MAP_DMA of MIB\n"
		"             and DMA over its first 1%%, pinned and pin on fault\n"
		"  -j         one JSON line instead of text\n",
		prog, MAX_PAGES, max_window(), (unsigned long)MAX_MIB);
}

static int test_cmd(int fd, struct iommu_test_cmd *cmd, const char *what)
{
	cmd->size = sizeof(*cmd);
	if (!ioctl(fd, IOMMU_TEST_CMD, cmd))
		return 0;
	fprintf(stderr, "iopf_fault_bench: %s: %s\n", what, strerror(errno));
	return -1;
}

static int do_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (!ioctl(fd, req, arg))
		return 0;
	fprintf(stderr, "iopf_fault_bench: %s: %s\n", what, strerror(errno));
	return -1;
}

static unsigned long parse_count(const char *arg, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || !v || v > max)
		return 0;
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int ioas_alloc(int fd, uint32_t flags, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = flags };

	if (do_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd, "IOMMU_IOAS_ALLOC"))
		return -1;
	*ioas_id = cmd.out_ioas_id;
	return 0;
}

static int ioas_map(int fd, uint32_t ioas_id, void *va, size_t len,
		    uint64_t iova, uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags | IOMMU_IOAS_MAP_FIXED_IOVA |
			 IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return do_ioctl(fd, IOMMU_IOAS_MAP, &cmd, "IOMMU_IOAS_MAP");
}

static int demand_window(int fd, uint32_t ioas_id, unsigned long window)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_PIN_ON_FAULT_WINDOW,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = ioas_id,
		.val64 = window,
	};

	return do_ioctl(fd, IOMMU_OPTION, &cmd, "IOMMU_OPTION_PIN_ON_FAULT_WINDOW");
}

static int ioas_unmap(int fd, uint32_t ioas_id, uint64_t iova, size_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return do_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd, "IOMMU_IOAS_UNMAP");
}

/* A mock device attached to @pt_id (an IOAS: its auto domain) */
static int mock_domain(int fd, uint32_t pt_id, uint32_t *stdev_id,
		       uint32_t *idev_id)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN,
				      .id = pt_id };

	if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_MOCK_DOMAIN"))
		return -1;
	*stdev_id = cmd.mock_domain.out_stdev_id;
	if (idev_id)
		*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}

static int dma_write(int fd, uint32_t stdev_id, uint32_t flags, uint32_t pasid,
		     uint64_t iova, const void *src, size_t len,
		     struct iommu_test_dma_page *results, uint64_t *done)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMA,
		.id = stdev_id,
		.dma = {
			.flags = flags | MOCK_DMA_WRITE,
			.pasid = pasid,
			.iova = iova,
			.length = len,
			.uptr = (uintptr_t)src,
			.results = (uintptr_t)results,
		},
	};

	if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_DMA"))
		return -1;
	*done = cmd.dma.out_length;
	return 0;
}

/* user mode: the fault queue's reader, which maps each page and answers */
static struct {
	int fd;
	int fault_fd;
	uint32_t ioas_id;
	uint8_t *volatile mem;	/* the round's buffer, at IOVA */
	volatile bool stop;
	int err;
} responder;

static void *responder_fn(void *arg)
{
	struct pollfd pfd = { .fd = responder.fault_fd, .events = POLLIN };
	struct iommu_hwpt_pgfault fault;
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	uint64_t page;

	while (!responder.stop) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		if (read(responder.fault_fd, &fault, sizeof(fault)) !=
		    sizeof(fault)) {
			responder.err = errno ?: EIO;
			return NULL;
		}
		page = fault.addr & ~(uint64_t)(psize - 1);
		if (ioas_map(responder.fd, responder.ioas_id,
			     responder.mem + (page - IOVA), psize, page, 0)) {
			responder.err = errno;
			resp.code = IOMMUFD_PAGE_RESP_INVALID;
		}
		resp.cookie = fault.cookie;
		if (write(responder.fault_fd, &resp, sizeof(resp)) !=
		    sizeof(resp)) {
			responder.err = errno ?: EIO;
			return NULL;
		}
	}
	return NULL;
}

/* Route the mock device's faults to a fault queue this program answers */
static int user_setup(int fd, uint32_t ioas_id, uint32_t stdev_id,
		      uint32_t idev_id, pthread_t *thread)
{
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
				      .id = stdev_id };

	if (do_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fault,
		     "IOMMU_FAULT_QUEUE_ALLOC"))
		return -1;
	hwpt.flags = IOMMU_HWPT_FAULT_ID_VALID;
	hwpt.dev_id = idev_id;
	hwpt.pt_id = ioas_id;
	hwpt.fault_id = fault.out_fault_id;
	if (do_ioctl(fd, IOMMU_HWPT_ALLOC, &hwpt, "IOMMU_HWPT_ALLOC"))
		return -1;
	cmd.mock_domain_replace.pt_id = hwpt.out_hwpt_id;
	if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE"))
		return -1;
	responder.fd = fd;
	responder.fault_fd = fault.out_fault_fd;
	responder.ioas_id = ioas_id;
	return pthread_create(thread, NULL, responder_fn, NULL) ? -1 : 0;
}

static long vm_pinned_kib(void)
{
	char line[128];
	long val = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &val) == 1)
			break;
	fclose(f);
	return val;
}

/* A mock VFIO device's DMA engine, through its device fd */
static int vfio_dma_write(int dev_fd, uint64_t iova, const void *src,
			  size_t len, struct iommu_test_dma_page *results,
			  uint64_t *done)
{
	return dma_write(dev_fd, 0, 0, 0, iova, src, len, results, done);
}

/* vfio mode: open MOCK_VFIO's cdev, bind it to @fd, attach it to @ioas_id */
static int vfio_cdev_open(int fd, uint32_t ioas_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = fd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = ioas_id,
	};
	char path[PATH_MAX];
	int dev_fd = -1;
	glob_t g;

	if (glob(MOCK_VFIO "/vfio-dev/vfio*", 0, NULL, &g) || g.gl_pathc != 1) {
		fprintf(stderr, "iopf_fault_bench: no %s (CONFIG_IOMMUFD_VFIO_MOCK)\n",
			MOCK_VFIO);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s",
		 basename(g.gl_pathv[0]));
	globfree(&g);
	dev_fd = open(path, O_RDWR);
	if (dev_fd < 0) {
		perror(path);
		return -1;
	}
	if (do_ioctl(dev_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind,
		     "VFIO_DEVICE_BIND_IOMMUFD") ||
	    do_ioctl(dev_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach,
		     "VFIO_DEVICE_ATTACH_IOMMUFD_PT"))
		return -1;
	return dev_fd;
}

/*
 * compat mode: MOCK_VFIO's group in the container @fd (/dev/iommu), the IOMMU
 * type @type selected, then the device fd, which attaches it. Returns the
 * device fd; *@group_fd is the group's.
 */
static int vfio_compat_open(int fd, unsigned long type, int *group_fd)
{
	char link[PATH_MAX], path[PATH_MAX];
	ssize_t n;
	int dev_fd;

	n = readlink(MOCK_VFIO "/iommu_group", link, sizeof(link) - 1);
	if (n < 0) {
		fprintf(stderr, "iopf_fault_bench: no %s (CONFIG_IOMMUFD_VFIO_MOCK)\n",
			MOCK_VFIO);
		return -1;
	}
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	*group_fd = open(path, O_RDWR);
	if (*group_fd < 0) {
		perror(path);
		return -1;
	}
	if (do_ioctl(*group_fd, VFIO_GROUP_SET_CONTAINER, &fd,
		     "VFIO_GROUP_SET_CONTAINER") ||
	    do_ioctl(fd, VFIO_SET_IOMMU, (void *)type, "VFIO_SET_IOMMU"))
		return -1;
	dev_fd = ioctl(*group_fd, VFIO_GROUP_GET_DEVICE_FD, "vfio_mock_iopf");
	if (dev_fd < 0)
		perror("iopf_fault_bench: VFIO_GROUP_GET_DEVICE_FD");
	return dev_fd;
}

static int vfio_map_dma(int fd, void *va, size_t len, uint64_t iova,
			uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags | VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	return do_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA");
}

static int vfio_unmap_dma(int fd, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};

	return do_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap, "VFIO_IOMMU_UNMAP_DMA");
}

/*
 * One VM start through the compat container: VFIO_IOMMU_MAP_DMA of @len of
 * guest RAM (@flags: 0 or VFIO_DMA_MAP_FLAG_PIN_ON_FAULT), then the device's
 * DMA over its first @touch bytes; the times of both and VmPin after.
 */
static int vm_start(unsigned long type, uint32_t flags, size_t len,
		    size_t touch, const uint8_t *src, uint64_t *map_ns,
		    uint64_t *dma_ns, long *vmpin_kib)
{
	size_t chunk = MAX_PAGES * psize, off;
	struct iommu_test_dma_page *results;
	int fd, group_fd, dev_fd, rc = -1;
	uint64_t t0, done;
	long pin0;
	uint8_t *mem;

	results = calloc(MAX_PAGES, sizeof(*results));
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	fd = open("/dev/iommu", O_RDWR);
	if (!results || mem == MAP_FAILED || fd < 0)
		return -1;
	dev_fd = vfio_compat_open(fd, type, &group_fd);
	if (dev_fd < 0)
		return -1;

	pin0 = vm_pinned_kib();
	t0 = now_ns();
	if (vfio_map_dma(fd, mem, len, IOVA, flags))
		goto out;
	*map_ns = now_ns() - t0;
	t0 = now_ns();
	for (off = 0; off < touch; off += chunk) {
		size_t n = touch - off < chunk ? touch - off : chunk;

		if (vfio_dma_write(dev_fd, IOVA + off, src, n, results, &done) ||
		    done != n)
			goto out;
	}
	*dma_ns = now_ns() - t0;
	*vmpin_kib = vm_pinned_kib() - pin0;
	rc = vfio_unmap_dma(fd, IOVA, len);
out:
	close(dev_fd);
	close(group_fd);
	close(fd);
	munmap(mem, len);
	free(results);
	return rc;
}

/* -M -m compat: a VM start of @mib MiB touching 1%, pinned then pin on fault */
static int vm_start_bench(unsigned long mib, bool json)
{
	size_t len = mib << 20, touch = (len / 100) & ~(psize - 1);
	uint64_t pinned_map, pinned_dma, demand_map, demand_dma;
	long pinned_kib, demand_kib;
	uint8_t *src;

	src = calloc(1, MAX_PAGES * psize);
	if (!src || !touch ||
	    vm_start(VFIO_TYPE1v2_IOMMU, 0, len, touch, src, &pinned_map,
		     &pinned_dma, &pinned_kib) ||
	    vm_start(VFIO_TYPE1v2_IOPF_IOMMU, VFIO_DMA_MAP_FLAG_PIN_ON_FAULT,
		     len, touch, src, &demand_map, &demand_dma, &demand_kib))
		return -1;

	if (json)
		printf("{\"bench\":\"vm_start\",\"mib\":%lu,\"touched_pages\":%zu,"
		       "\"pinned_map_ns\":%llu,\"pinned_dma_ns\":%llu,"
		       "\"pinned_vmpin_kib\":%ld,\"demand_map_ns\":%llu,"
		       "\"demand_dma_ns\":%llu,\"demand_vmpin_kib\":%ld}\n",
		       mib, touch / psize, (unsigned long long)pinned_map,
		       (unsigned long long)pinned_dma, pinned_kib,
		       (unsigned long long)demand_map,
		       (unsigned long long)demand_dma, demand_kib);
	else
		printf("VM start, %lu MiB, DMA over %zu pages (1%%): pinned: map %llu ns, "
		       "DMA %llu ns, VmPin +%ld KiB; pin on fault: map %llu ns (%.0fx), "
		       "DMA %llu ns, VmPin +%ld KiB\n",
		       mib, touch / psize, (unsigned long long)pinned_map,
		       (unsigned long long)pinned_dma, pinned_kib,
		       (unsigned long long)demand_map,
		       (double)pinned_map / (demand_map ?: 1),
		       (unsigned long long)demand_dma, demand_kib);
	/* Pinned charges all of it; pin on fault what the device touched */
	return pinned_kib == (long)(len >> 10) &&
	       demand_kib == (long)(touch >> 10) ? 0 : -1;
}

/* -M: IOMMU_IOAS_MAP of @mib MiB, pinned then pin on fault */
static int map_bench(int fd, unsigned long mib, unsigned long pages, bool json)
{
	size_t len = mib << 20, touch = pages * psize;
	struct iommu_test_dma_page *results;
	uint64_t pinned_ns, demand_ns, t0, done;
	uint32_t ioas_id, stdev_id;
	long pin0, pin1;
	uint8_t *mem, *src;

	results = calloc(pages, sizeof(*results));
	src = calloc(1, touch);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!results || !src || mem == MAP_FAILED)
		return -1;

	/* Pinned: into an IOAS whose HWPT exists, as a VMM maps guest RAM */
	if (ioas_alloc(fd, 0, &ioas_id) ||
	    mock_domain(fd, ioas_id, &stdev_id, NULL))
		return -1;
	t0 = now_ns();
	if (ioas_map(fd, ioas_id, mem, len, IOVA, 0))
		return -1;
	pinned_ns = now_ns() - t0;
	if (ioas_unmap(fd, ioas_id, IOVA, len))
		return -1;
	/* Give the memory back before the pin on fault run */
	munmap(mem, len);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -1;

	/* Pin on fault, into an IOAS declared for it */
	if (ioas_alloc(fd, IOMMU_IOAS_ALLOC_KERNEL_IOPF, &ioas_id))
		return -1;
	pin0 = vm_pinned_kib();
	t0 = now_ns();
	if (ioas_map(fd, ioas_id, mem, len, IOVA, IOMMU_IOAS_MAP_PIN_ON_FAULT))
		return -1;
	demand_ns = now_ns() - t0;
	if (mock_domain(fd, ioas_id, &stdev_id, NULL) ||
	    dma_write(fd, stdev_id, 0, 0, IOVA, src, touch, results, &done))
		return -1;
	pin1 = vm_pinned_kib();
	if (done != touch)
		return -1;

	if (json)
		printf("{\"bench\":\"ioas_map\",\"mib\":%lu,\"pinned_ns\":%llu,"
		       "\"demand_ns\":%llu,\"touched_pages\":%lu,\"pages\":%zu,"
		       "\"vmpin_kib\":%ld}\n",
		       mib, (unsigned long long)pinned_ns,
		       (unsigned long long)demand_ns, pages, len / psize,
		       pin1 - pin0);
	else
		printf("IOMMU_IOAS_MAP of %lu MiB: pinned %llu ns, pin on fault %llu ns (%.0fx); "
		       "after touching %lu of %zu pages, VmPin +%ld KiB\n",
		       mib, (unsigned long long)pinned_ns,
		       (unsigned long long)demand_ns,
		       (double)pinned_ns / (demand_ns ?: 1), pages, len / psize,
		       pin1 - pin0);
	return pin1 - pin0 == (long)(touch / 1024) ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned long pages = 256, rounds = 16, mib = 0, window = 0, r, i,
		      faults = 0, success = 0, expect;
	struct iommu_test_cmd cmd = {};
	struct iommu_test_dma_page *results;
	uint32_t stdev_id, idev_id, ioas_id = 0, pasid = 0, flags = 0;
	enum mode mode = MODE_SVA;
	uint64_t elapsed = 0, t0, done;
	pthread_t thread;
	int dev_fd = -1, group_fd = -1;
	bool json = false, touch = false;
	uint8_t *src, *mem;
	size_t len;
	int fd, opt;

	psize = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "hjm:p:r:tw:M:")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'j':
			json = true;
			break;
		case 'm':
			for (i = 0; i != MODE_NR &&
				    strcmp(optarg, mode_names[i]); i++)
				;
			if (i == MODE_NR) {
				usage(stderr, argv[0]);
				return 2;
			}
			mode = i;
			break;
		case 'p':
			pages = parse_count(optarg, MAX_PAGES);
			break;
		case 'r':
			rounds = parse_count(optarg, 1000000);
			break;
		case 't':
			touch = true;
			break;
		case 'w':
			window = parse_count(optarg, max_window());
			if (!window && strcmp(optarg, "0")) {
				usage(stderr, argv[0]);
				return 2;
			}
			break;
		case 'M':
			mib = parse_count(optarg, MAX_MIB);
			if (!mib) {
				usage(stderr, argv[0]);
				return 2;
			}
			break;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc || !pages || !rounds ||
	    ((touch || window) && mode != MODE_DEMAND) ||
	    (mib && mode != MODE_SVA && mode != MODE_COMPAT)) {
		usage(stderr, argv[0]);
		return 2;
	}

	if (mib && mode == MODE_COMPAT)
		return vm_start_bench(mib, json) ? 1 : 0;
	fd = open("/dev/iommu", O_RDWR);
	if (fd == -1) {
		perror("iopf_fault_bench: /dev/iommu");
		return 1;
	}
	if (mib)
		return map_bench(fd, mib, pages, json) ? 1 : 0;

	len = pages * psize;
	src = malloc(len);
	results = calloc(pages, sizeof(*results));
	if (!src || !results)
		return 1;
	for (i = 0; i != len; i++)
		src[i] = i * 3 + 1;

	if (mode == MODE_SVA) {
		cmd.op = IOMMU_TEST_OP_SVA_DEVICE;
		if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_SVA_DEVICE"))
			return 1;
		stdev_id = cmd.sva_device.out_stdev_id;
		cmd = (struct iommu_test_cmd){ .op = IOMMU_TEST_OP_SVA_BIND,
					       .id = stdev_id };
		if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_SVA_BIND"))
			return 1;
		pasid = cmd.sva_bind.out_pasid;
		flags = MOCK_DMA_PASID;
	} else if (mode == MODE_COMPAT) {
		/* Attached first, then mapped, as QEMU does */
		dev_fd = vfio_compat_open(fd, VFIO_TYPE1v2_IOPF_IOMMU, &group_fd);
		if (dev_fd < 0)
			return 1;
	} else if (ioas_alloc(fd, mode == MODE_DEMAND || mode == MODE_VFIO ?
				      IOMMU_IOAS_ALLOC_KERNEL_IOPF : 0,
			      &ioas_id) ||
		   (window && demand_window(fd, ioas_id, window))) {
		return 1;
	} else if (mode == MODE_VFIO) {
		dev_fd = vfio_cdev_open(fd, ioas_id);
		if (dev_fd < 0)
			return 1;
	}
	/* With the CPU's pages present, a fault maps its window too */
	expect = touch ? (pages + window) / (window + 1) : pages;

	for (r = 0; r != rounds; r++) {
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* One fault per page: no (m)THP folio may fill its neighbours */
		if (mem == MAP_FAILED || madvise(mem, len, MADV_NOHUGEPAGE)) {
			perror("iopf_fault_bench: mmap");
			return 1;
		}
		if (touch)
			memset(mem, 0, len);
		if ((mode == MODE_DEMAND || mode == MODE_VFIO) &&
		    ioas_map(fd, ioas_id, mem, len, IOVA,
			     IOMMU_IOAS_MAP_PIN_ON_FAULT))
			return 1;
		if (mode == MODE_COMPAT &&
		    vfio_map_dma(fd, mem, len, IOVA,
				 VFIO_DMA_MAP_FLAG_PIN_ON_FAULT))
			return 1;
		/* One HWPT for all rounds */
		if ((mode == MODE_DEMAND || mode == MODE_USER) && !r &&
		    mock_domain(fd, ioas_id, &stdev_id, &idev_id))
			return 1;
		if (mode == MODE_USER && !r &&
		    user_setup(fd, ioas_id, stdev_id, idev_id, &thread))
			return 1;
		responder.mem = mem;

		t0 = now_ns();
		if (dev_fd >= 0 ?
		    vfio_dma_write(dev_fd, IOVA, src, len, results, &done) :
		    dma_write(fd, stdev_id, flags, pasid,
			      mode == MODE_SVA ? (uintptr_t)mem : IOVA, src,
			      len, results, &done))
			return 1;
		elapsed += now_ns() - t0;
		for (i = 0; i != pages; i++) {
			faults += results[i].faults;
			success += results[i].faults &&
				   results[i].code == IOMMUFD_PAGE_RESP_SUCCESS;
		}
		if (done != len || memcmp(mem, src, len)) {
			fprintf(stderr,
				"iopf_fault_bench: round %lu: %llu of %zu bytes written\n",
				r, (unsigned long long)done, len);
			return 1;
		}
		if (mode == MODE_COMPAT ? vfio_unmap_dma(fd, IOVA, len) :
		    mode != MODE_SVA && ioas_unmap(fd, ioas_id, IOVA, len))
			return 1;
		munmap(mem, len);
	}
	if (mode == MODE_USER) {
		responder.stop = true;
		pthread_join(thread, NULL);
		if (responder.err) {
			fprintf(stderr, "iopf_fault_bench: fault queue: %s\n",
				strerror(responder.err));
			return 1;
		}
	}

	if (json)
		printf("{\"bench\":\"iopf_fault\",\"mode\":\"%s\",\"pages\":%lu,"
		       "\"rounds\":%lu,\"touched\":%s,\"window\":%lu,"
		       "\"faults\":%lu,\"success\":%lu,"
		       "\"dma_ns\":%llu,\"dma_ns_per_page\":%llu}\n",
		       mode_names[mode], pages, rounds,
		       touch ? "true" : "false", window, faults, success,
		       (unsigned long long)elapsed,
		       (unsigned long long)(elapsed / (pages * rounds)));
	else
		printf("%s: %lu%s pages x %lu rounds, window %lu: %lu faults, "
		       "%lu answered SUCCESS; DMA %llu ns per page as the caller sees it\n",
		       mode_names[mode], pages, touch ? " touched" : "", rounds,
		       window, faults, success,
		       (unsigned long long)(elapsed / (pages * rounds)));
	/* Each request was resolved, and as many came as the window allows */
	return faults == expect * rounds && success == faults ? 0 : 1;
}
