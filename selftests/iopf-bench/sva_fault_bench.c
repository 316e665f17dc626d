// SPDX-License-Identifier: GPL-2.0
/*
 * sva_fault_bench: a load of I/O page faults on the mainline SVA path, for
 * bpf/iopflat to measure.
 *
 * The iommufd selftest mock binds this process's mm to a kernel-owned PASID
 * device. Each round, its DMA engine writes PAGES pages that were just mapped
 * and never touched by the CPU, so each page raises one page request, which
 * the SVA fault handler resolves with handle_mm_fault() before the engine
 * retries. The fault service latency (report to response) is iopflat's to
 * measure; this program checks that every page faulted exactly once, was
 * answered SUCCESS and holds the bytes written, and reports what it caused,
 * so that the two can be compared. Needs a kernel with CONFIG_IOMMUFD_TEST.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "iommufd_test.h"

#define MAX_PAGES 1024	/* what one IOMMU_TEST_OP_DMA takes */

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-h] [-j] [-p PAGES] [-r ROUNDS]\n"
		"Raise PAGES x ROUNDS SVA page faults through the iommufd mock.\n"
		"  -p PAGES   pages per round, 1..%d (default 256)\n"
		"  -r ROUNDS  rounds, each on a fresh mapping (default 16)\n"
		"  -j         one JSON line instead of text\n",
		prog, MAX_PAGES);
}

static int test_cmd(int fd, struct iommu_test_cmd *cmd, const char *what)
{
	cmd->size = sizeof(*cmd);
	if (!ioctl(fd, IOMMU_TEST_CMD, cmd))
		return 0;
	fprintf(stderr, "sva_fault_bench: %s: %s\n", what, strerror(errno));
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

int main(int argc, char **argv)
{
	unsigned long pages = 256, rounds = 16, r, i, faults = 0, success = 0;
	struct iommu_test_cmd cmd = {};
	struct iommu_test_dma_page *results;
	size_t psize = sysconf(_SC_PAGESIZE), len;
	uint64_t elapsed = 0, t0;
	uint32_t stdev_id, pasid;
	bool json = false;
	uint8_t *src, *mem;
	int fd, opt;

	while ((opt = getopt(argc, argv, "hjp:r:")) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'j':
			json = true;
			break;
		case 'p':
			pages = parse_count(optarg, MAX_PAGES);
			break;
		case 'r':
			rounds = parse_count(optarg, 1000000);
			break;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc || !pages || !rounds) {
		usage(stderr, argv[0]);
		return 2;
	}

	len = pages * psize;
	src = malloc(len);
	results = calloc(pages, sizeof(*results));
	if (!src || !results)
		return 1;
	for (i = 0; i != len; i++)
		src[i] = i * 3 + 1;

	fd = open("/dev/iommu", O_RDWR);
	if (fd == -1) {
		perror("sva_fault_bench: /dev/iommu");
		return 1;
	}
	cmd.op = IOMMU_TEST_OP_SVA_DEVICE;
	if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_SVA_DEVICE"))
		return 1;
	stdev_id = cmd.sva_device.out_stdev_id;
	cmd = (struct iommu_test_cmd){ .op = IOMMU_TEST_OP_SVA_BIND,
				       .id = stdev_id };
	if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_SVA_BIND"))
		return 1;
	pasid = cmd.sva_bind.out_pasid;

	for (r = 0; r != rounds; r++) {
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* One fault per page: no (m)THP folio may fill its neighbours */
		if (mem == MAP_FAILED || madvise(mem, len, MADV_NOHUGEPAGE)) {
			perror("sva_fault_bench: mmap");
			return 1;
		}
		cmd = (struct iommu_test_cmd){
			.op = IOMMU_TEST_OP_DMA,
			.id = stdev_id,
			.dma = {
				.flags = MOCK_DMA_PASID | MOCK_DMA_WRITE,
				.pasid = pasid,
				.iova = (uintptr_t)mem,
				.length = len,
				.uptr = (uintptr_t)src,
				.results = (uintptr_t)results,
			},
		};
		t0 = now_ns();
		if (test_cmd(fd, &cmd, "IOMMU_TEST_OP_DMA"))
			return 1;
		elapsed += now_ns() - t0;
		for (i = 0; i != pages; i++) {
			faults += results[i].faults;
			success += results[i].faults &&
				   results[i].code == IOMMUFD_PAGE_RESP_SUCCESS;
		}
		if (cmd.dma.out_length != len || memcmp(mem, src, len)) {
			fprintf(stderr,
				"sva_fault_bench: round %lu: %llu of %zu bytes written\n",
				r, (unsigned long long)cmd.dma.out_length, len);
			return 1;
		}
		munmap(mem, len);
	}

	if (json)
		printf("{\"bench\":\"sva_fault\",\"pages\":%lu,\"rounds\":%lu,"
		       "\"faults\":%lu,\"success\":%lu,\"dma_ns\":%llu,"
		       "\"dma_ns_per_page\":%llu}\n",
		       pages, rounds, faults, success,
		       (unsigned long long)elapsed,
		       (unsigned long long)(elapsed / (pages * rounds)));
	else
		printf("%lu pages x %lu rounds: %lu faults, %lu answered SUCCESS; "
		       "DMA %llu ns per page as the caller sees it\n",
		       pages, rounds, faults, success,
		       (unsigned long long)(elapsed / (pages * rounds)));
	/* Every page faulted once and was resolved, or the load is not what it says */
	return faults == pages * rounds && success == faults ? 0 : 1;
}
