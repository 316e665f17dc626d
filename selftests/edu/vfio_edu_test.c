// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end VFIO type1 test with QEMU's "edu" device: DMA from RAM to the
 * device and back through the vIOMMU, MSI delivered to an eventfd, and a DMA
 * to an unmapped IOVA reported as an IOMMU fault in the kernel log.
 *
 * The device must already be bound to vfio-pci; its address comes from
 * $EDU_BDF (default: the first 1234:11e8 device found in sysfs).
 *
 * IOVAs are fixed so the tracing layer can assert on them: EDU_SRC_IOVA and
 * EDU_DST_IOVA are mapped (one page each), EDU_BAD_IOVA never is.  edu clamps
 * DMA addresses to 28 bits and arm64's software MSI window is
 * [0x8000000, 0x8100000), so all three stay below 0x8000000.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

#define EDU_SRC_IOVA	0x1000000ULL
#define EDU_DST_IOVA	0x1010000ULL
#define EDU_BAD_IOVA	0x0bad0000ULL

/* BAR0 registers, see QEMU docs/specs/edu.rst */
#define EDU_REG_ID		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_DMA_IRQ_VALUE	0x100
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096

static int find_edu(char *bdf, size_t len)
{
	const char *env = getenv("EDU_BDF");
	struct dirent *d;
	DIR *dir;

	if (env) {
		snprintf(bdf, len, "%s", env);
		return 0;
	}
	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		unsigned int vendor = 0, device = 0;
		char path[512];
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%x", &vendor) != 1)
			vendor = 0;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%x", &device) != 1)
			device = 0;
		fclose(f);
		if (vendor == EDU_VENDOR && device == EDU_DEVICE) {
			snprintf(bdf, len, "%s", d->d_name);
			closedir(dir);
			return 0;
		}
	}
	closedir(dir);
	return -ENODEV;
}

static int iommu_group_of(const char *bdf)
{
	char path[512], link[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

FIXTURE(edu) {
	int container, group, device;
	volatile uint8_t *bar0;
	size_t bar0_size;
	uint8_t *src, *dst;
	char bdf[256];
};

static uint32_t rd32(FIXTURE_DATA(edu) *self, unsigned int off)
{
	return *(volatile uint32_t *)(self->bar0 + off);
}

static void wr32(FIXTURE_DATA(edu) *self, unsigned int off, uint32_t val)
{
	*(volatile uint32_t *)(self->bar0 + off) = val;
}

static void wr64(FIXTURE_DATA(edu) *self, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(self->bar0 + off) = val;
}

/* Run one DMA and wait for the engine to go idle (edu runs it from a timer). */
static int edu_dma(FIXTURE_DATA(edu) *self, uint64_t src, uint64_t dst,
		   uint32_t cnt, uint32_t cmd)
{
	int i;

	wr64(self, EDU_REG_DMA_SRC, src);
	wr64(self, EDU_REG_DMA_DST, dst);
	wr64(self, EDU_REG_DMA_CNT, cnt);
	wr64(self, EDU_REG_DMA_CMD, cmd | EDU_DMA_START);
	for (i = 0; i < 5000; i++) {
		if (!(rd32(self, EDU_REG_DMA_CMD) & EDU_DMA_START))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int map_dma(int container, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int unmap_dma(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == size ? 0 : -EIO;
}

/* vfio-pci leaves PCI_COMMAND_MASTER to the user; edu cannot DMA without it. */
static int enable_bus_master(int device)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	if (pread(device, &cmd, sizeof(cmd), cfg.offset + 4) != sizeof(cmd))
		return -EIO;
	cmd |= 0x4;
	if (pwrite(device, &cmd, sizeof(cmd), cfg.offset + 4) != sizeof(cmd))
		return -EIO;
	return 0;
}

FIXTURE_SETUP(edu)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[64];
	int grp;

	if (find_edu(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device (QEMU -device edu)");
	grp = iommu_group_of(self->bdf);
	ASSERT_LE(0, grp) TH_LOG("%s has no IOMMU group", self->bdf);

	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	ASSERT_EQ(VFIO_API_VERSION, ioctl(self->container, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));

	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	self->group = open(path, O_RDWR);
	ASSERT_LE(0, self->group) TH_LOG("%s: is %s bound to vfio-pci?", path, self->bdf);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_VIABLE);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));

	self->device = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, self->device);

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->device, VFIO_DEVICE_GET_REGION_INFO, &reg));
	ASSERT_TRUE(reg.flags & VFIO_REGION_INFO_FLAG_MMAP);
	self->bar0_size = reg.size;
	self->bar0 = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->device, reg.offset);
	ASSERT_NE(MAP_FAILED, self->bar0);
	ASSERT_EQ(0, enable_bus_master(self->device));

	self->src = mmap(NULL, EDU_BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->dst = mmap(NULL, EDU_BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->src);
	ASSERT_NE(MAP_FAILED, self->dst);
	ASSERT_EQ(0, map_dma(self->container, self->src, EDU_SRC_IOVA, EDU_BUF_SIZE));
	ASSERT_EQ(0, map_dma(self->container, self->dst, EDU_DST_IOVA, EDU_BUF_SIZE));
}

FIXTURE_TEARDOWN(edu)
{
	if (self->container <= 0)
		return;
	EXPECT_EQ(0, unmap_dma(self->container, EDU_SRC_IOVA, EDU_BUF_SIZE));
	EXPECT_EQ(0, unmap_dma(self->container, EDU_DST_IOVA, EDU_BUF_SIZE));
	munmap((void *)self->bar0, self->bar0_size);
	close(self->device);
	close(self->group);
	close(self->container);
}

TEST_F(edu, identify)
{
	uint32_t v = 0x5a5aa5a5;

	ASSERT_EQ(0x010000ed, rd32(self, EDU_REG_ID) & 0xff0000ff);
	wr32(self, EDU_REG_LIVENESS, v);
	ASSERT_EQ(~v, rd32(self, EDU_REG_LIVENESS));
}

/* RAM -> device buffer -> RAM at another IOVA: the bytes must come back intact. */
TEST_F(edu, dma_roundtrip)
{
	int i;

	for (i = 0; i < EDU_BUF_SIZE; i++)
		self->src[i] = (uint8_t)(i * 7 + 3);
	memset(self->dst, 0, EDU_BUF_SIZE);

	ASSERT_EQ(0, edu_dma(self, EDU_SRC_IOVA, EDU_BUF_ADDR, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, edu_dma(self, EDU_BUF_ADDR, EDU_DST_IOVA, EDU_BUF_SIZE,
			     EDU_DMA_TO_RAM));
	ASSERT_EQ(0, memcmp(self->src, self->dst, EDU_BUF_SIZE));
}

/* A completed DMA raises the device's MSI, which VFIO signals on an eventfd. */
TEST_F(edu, msi_eventfd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	struct vfio_irq_info info = { .argsz = sizeof(info),
				      .index = VFIO_PCI_MSI_IRQ_INDEX };
	struct pollfd pfd;
	uint64_t count;
	int efd;

	ASSERT_EQ(0, ioctl(self->device, VFIO_DEVICE_GET_IRQ_INFO, &info));
	ASSERT_LE(1, info.count);
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	ASSERT_EQ(0, ioctl(self->device, VFIO_DEVICE_SET_IRQS, set));

	ASSERT_EQ(-1, read(efd, &count, sizeof(count)));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, edu_dma(self, EDU_SRC_IOVA, EDU_BUF_ADDR, 64, EDU_DMA_IRQ));

	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 5000)) TH_LOG("no MSI within 5 s");
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	ASSERT_LE(1, count);
	ASSERT_EQ(EDU_DMA_IRQ_VALUE, rd32(self, EDU_REG_IRQ_STATUS) & EDU_DMA_IRQ_VALUE);
	wr32(self, EDU_REG_IRQ_ACK, EDU_DMA_IRQ_VALUE);

	set->argsz = sizeof(*set);
	set->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->count = 0;
	ASSERT_EQ(0, ioctl(self->device, VFIO_DEVICE_SET_IRQS, set));
	close(efd);
}

/* Scan /dev/kmsg from @fd for a line mentioning @needle; 0 when found. */
static int kmsg_find(int fd, const char *needle, int timeout_ms)
{
	char line[2048];
	int waited = 0;

	while (waited < timeout_ms) {
		ssize_t n = read(fd, line, sizeof(line) - 1);

		if (n > 0) {
			line[n] = '\0';
			if (strcasestr(line, needle))
				return 0;
			continue;
		}
		if (n < 0 && errno == EPIPE)	/* overwritten records: keep reading */
			continue;
		usleep(10000);
		waited += 10;
	}
	return -ENOENT;
}

/*
 * DMA from an IOVA that was never mapped: the device gets nothing and the
 * IOMMU driver logs a translation fault naming the address
 * ("fault addr 0xbad0000" on VT-d, "iova: 0xbad0000" on SMMUv3).
 */
TEST_F(edu, unmapped_dma_faults)
{
	char needle[32];
	int kmsg;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	ASSERT_EQ(0, edu_dma(self, EDU_BAD_IOVA, EDU_BUF_ADDR, 64, 0));
	snprintf(needle, sizeof(needle), "0x%llx", EDU_BAD_IOVA);
	EXPECT_EQ(0, kmsg_find(kmsg, needle, 5000))
		TH_LOG("no IOMMU fault for %s in the kernel log", needle);
	close(kmsg);
}

TEST_HARNESS_MAIN
