/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test hook SMSCTLD_SIM_FAULTS (pool-run.h, smsd_pool_tick_any()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <smsctl/smsctl.h>

#include "../log.h"
#include "pool-run.h"

/* The test hook: faults for a sim: modem from DIR/NAME.faults. */
void smsd_pool_sim_faults(const char *name, long long *faults_read, struct smsctl_modem *m)
{
	const char *dir = getenv("SMSCTLD_SIM_FAULTS");
	struct smsctl_sim *sim = m ? smsctl_modem_get_sim(m) : NULL;
	char path[4096], line[128];
	struct stat sb;
	FILE *f;

	if (!dir || !*dir || !sim)
		return;
	snprintf(path, sizeof(path), "%s/%s.faults", dir, name);
	if (stat(path, &sb) < 0 || sb.st_size <= *faults_read)
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fseek(f, (long)*faults_read, SEEK_SET) == 0) {
		while (fgets(line, sizeof(line), f)) {
			size_t n = strcspn(line, "\r\n");
			if (line[n] != '\n')
				break; /* a line still being written */
			*faults_read += (long long)strlen(line);
			line[n] = '\0';
			if ((line[0] == '+' || line[0] == '-') && line[1]) {
				int rc = smsctl_sim_set_fault(sim, line + 1, line[0] == '+');
				smsd_log(LOG_INFO, "modem %s: test fault %s %s (%s)", name,
					 line + 1, line[0] == '+' ? "on" : "off",
					 rc < 0 ? smsctl_strerror(rc) : "ok");
			}
		}
	}
	fclose(f);
}
