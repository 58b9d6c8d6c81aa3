/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool's clock (with the test-only offset SMSCTLD_TEST_CLOCK_FILE), the events' language,
 * and the test hook SMSCTLD_SIM_FAULTS (pool-run.h). */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "../log.h"
#include "../smsctld.h"
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

/* ---- language and clock ---- */

void smsd_pool_set_language(const char *language)
{
	if (language && strcmp(language, "zh_CN") == 0) {
		setenv("LANGUAGE", "zh_CN", 1);
		setlocale(LC_MESSAGES, "C.UTF-8");
		setlocale(LC_CTYPE, "C.UTF-8");
	} else {
		unsetenv("LANGUAGE");
		setlocale(LC_MESSAGES, "C");
	}
}

int64_t smsd_pool_now(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int64_t offset, checked;
	static struct timespec mtime;
	const char *path = getenv("SMSCTLD_TEST_CLOCK_FILE");
	int64_t now = smsd_wall_ms(), mono = smsd_mono_ms(), off;

	if (!path || !*path)
		return now;
	pthread_mutex_lock(&lock);
	if (mono - checked >= 100 || checked == 0) {
		struct stat sb;
		checked = mono;
		if (stat(path, &sb) == 0 &&
		    (sb.st_mtim.tv_sec != mtime.tv_sec || sb.st_mtim.tv_nsec != mtime.tv_nsec)) {
			FILE *f = fopen(path, "r");
			long long v;
			if (f && fscanf(f, "%lld", &v) == 1)
				offset = v;
			if (f)
				fclose(f);
			mtime = sb.st_mtim;
		}
	}
	off = offset;
	pthread_mutex_unlock(&lock);
	return now + off;
}
