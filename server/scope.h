/* scope (server): what a team of an OEM sees of the drill's catalog (CONTRACT §4, isolation between organisations).
 * An OEM team's welcome lists its own organisation's cohorts, models and regions, its own declared services and the
 * credentials that reach its backend (or that it holds), and the action schemas it is sent name only those: another
 * maker's fleet and backend are not its business. What a team may do is still decided by the world's scope rules
 * (vehicles/action.c) against the drill's whole catalog; this is what it is shown. Teams of an org without cars (an
 * ISAC, a supplier, a regulator) and the facilitator see the whole catalog. A name taken out is taken out of every
 * list of values in the schemas: names of different kinds are assumed not to collide (a declared service of another
 * maker named like a notify party would take that party out of this team's form too; the server would still accept it). */
#ifndef SRV_SCOPE_H
#define SRV_SCOPE_H

#include <jansson.h>

/* Narrows exercise e (a team's copy: its "catalog", "services", "credentials", replaced by narrowed deep copies, so
 * what e shared with the drill's is untouched) to organisation zOrg's; pTeamOrg maps
 * team ids to their org ({TEAM: ORG}), for credentials held by a team. An action kind whose schema would be left with
 * an empty list of values (a credential to rotate when none reaches this org) is left out of the team's catalog. */
void srv_scope_exercise(json_t *e, const char *zOrg, const json_t *pTeamOrg);

#endif
