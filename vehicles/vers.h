/* vers: version ranges in the VERS notation CycloneDX and CSAF use ("vers:semver/>=3.0.0|<3.0.7",
 * "vers:generic/<1.1.1t") and the version orders behind them. Schemes: semver (SemVer 2.0 precedence; also npm,
 * golang, cargo, composer, which write SemVer with an optional leading 'v'), generic (libversion-like: numbers
 * compare as numbers, a letter right after a number is a post-release as in OpenSSL's 1.1.1k, alpha/beta/rc/pre
 * are pre-releases; also openssl), intdot, lexicographic, and the specials all and none (vers:all/STAR is every version).
 * Containment follows the specification's algorithm over the constraints sorted by version (kyodo sorts them;
 * a duplicate version, whitespace, an empty constraint or a bad escape is refused). Knows nothing of SBOMs. */
#ifndef VEH_VERS_H
#define VEH_VERS_H

#include "engine/err.h"

enum { VEH_VS_SEMVER, VEH_VS_GENERIC, VEH_VS_INTDOT, VEH_VS_LEXICOGRAPHIC, VEH_VS_ALL, VEH_VS_NONE };
enum { VEH_VOP_EQ, VEH_VOP_NE, VEH_VOP_LT, VEH_VOP_LE, VEH_VOP_GT, VEH_VOP_GE };

typedef struct veh_vers_c {
	int op;              /* VEH_VOP_* */
	const char *zVer;    /* decoded */
} veh_vers_c;

typedef struct veh_vers {
	int scheme;          /* VEH_VS_* */
	char zType[24];      /* the type as written ("npm") */
	int bStar;           /* "*": every version (none for VEH_VS_NONE) */
	veh_vers_c *a;       /* sorted by version */
	int n;
	char *zBuf;          /* owns a and the strings */
} veh_vers;

/* Does z start with "vers:"? */
int veh_vers_is(const char *z);
/* Parses z into *v (free with veh_vers_free, also after an error): 0, KY_EPARSE ("'vers:x/...' is not a version
 * range: unknown type 'x' (known: ...)"), KY_ENOMEM. */
int veh_vers_parse(const char *z, veh_vers *v, ky_err *err);
void veh_vers_free(veh_vers *v);
/* Is zVer inside the range? */
int veh_vers_contains(const veh_vers *v, const char *zVer);
/* Orders two versions in a scheme: < 0, 0, > 0. */
int veh_version_cmp(int scheme, const char *a, const char *b);
/* The scheme of a vers type name ("npm" -> VEH_VS_SEMVER), -1 if unknown. */
int veh_vers_scheme(const char *zType);

#endif
