/* What a new UTS and network namespace need before the command runs. */
#ifndef CTLAUNCH_NS_H
#define CTLAUNCH_NS_H

#include "err.h"

int ns_sethostname(const char *name, struct ct_err *e);
/* A new network namespace has lo down: bring it up so localhost works. */
int ns_lo_up(struct ct_err *e);

#endif
