/* atm: the Auto-ISAC Automotive Threat Matrix technique table (ids, names, tactics); the source is in atm.c. */
#ifndef VEH_ATM_H
#define VEH_ATM_H

typedef struct veh_atm_technique {
	const char *zId;       /* "ATM-T0012" */
	const char *zName;     /* "Exploit via Radio Interface" */
	const char *zTactics;  /* "initial-access" (comma-separated kill-chain phase names) */
} veh_atm_technique;

/* The technique with this id, or NULL. */
const veh_atm_technique *veh_atm_find(const char *zId);
int veh_atm_count(void);
const veh_atm_technique *veh_atm_at(int i);

#endif
