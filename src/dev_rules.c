/* The devices a container may use, as data: the one list that the v1
 * allow list, the v2 BPF program (devices.c) and the printed plan all
 * read. Pure. */
#include <stdio.h>

#include "devices.h"

const struct dev_rule dev_rules[N_DEV_RULES] = {
	{ 1, 3, "null" },   { 1, 5, "zero" }, { 1, 7, "full" },   { 1, 8, "random" },
	{ 1, 9, "urandom" }, { 5, 0, "tty" }, { 5, 2, "ptmx" }, { 136, -1, "pts/*" },
};
const size_t n_dev_rules = N_DEV_RULES;

void dev_rule_format(size_t i, char *buf, size_t size)
{
	if (dev_rules[i].minor < 0)
		snprintf(buf, size, "c %u:* rwm", dev_rules[i].major);
	else
		snprintf(buf, size, "c %u:%d rwm", dev_rules[i].major, dev_rules[i].minor);
}
