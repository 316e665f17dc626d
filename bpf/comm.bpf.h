/* SPDX-License-Identifier: GPL-2.0 */
/* The -c COMM filter of the tools that offer it */
#ifndef __COMM_BPF_H
#define __COMM_BPF_H

/* Set by the front end; empty: every task */
const volatile char targ_comm[TASK_COMM_LEN] = {};

/*
 * Does @comm (the current task's, or any other) pass the filter?  The whole
 * name must match, its NUL included: "vfio" does not match "vfio_pci_driver".
 * A name the kernel truncated (TASK_COMM_LEN - 1 characters) matches the
 * filter truncated the same way by the front end.
 */
static __always_inline bool comm_allowed(const char *comm)
{
	int i;

	if (!targ_comm[0])
		return true;
	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

#endif /* __COMM_BPF_H */
