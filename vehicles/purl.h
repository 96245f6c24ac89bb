/* purl: package URLs (the purl specification: pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH) as SBOMs and
 * advisories name components. Parsed right to left as the specification's "how to parse" says: percent-decoding,
 * the namespace's segments, the name, the version; qualifiers and subpath are checked for form and then ignored
 * (kyodo compares packages, not their builds or files). The type is lowercase; the namespace, name and version are
 * case-folded (and PyPI's '_' made '-') where the type's registered definition says they are case-insensitive, so
 * that two purls of one package compare equal with strcmp. Knows nothing of SBOM documents. */
#ifndef VEH_PURL_H
#define VEH_PURL_H

#include <stddef.h>

#include "engine/err.h"

typedef struct veh_purl {
	char zType[32];     /* lowercase, e.g. "npm" */
	const char *zNs;    /* decoded namespace, segments joined with '/'; "" when none ("@types", "github.com/gin-gonic") */
	const char *zName;  /* decoded name, never empty */
	const char *zVer;   /* decoded version, NULL when none */
	char *zBuf;         /* owns the three strings */
} veh_purl;

/* Does z start with the purl scheme ("pkg:", any case)? */
int veh_purl_is(const char *z);
/* Parses z into *p (free with veh_purl_free, also after an error). 0 or KY_EPARSE naming what is wrong
 * ("no type", "bad percent-encoding in the name", ...); KY_ENOMEM. An npm scope written with a bare '@'
 * ("pkg:npm/@babel/core") is read as the scope, not as a version separator. */
int veh_purl_parse(const char *z, veh_purl *p, ky_err *err);
void veh_purl_free(veh_purl *p);
/* The canonical text of p without qualifiers and subpath (with the version when bVersion and p has one):
 * "pkg:npm/%40types/cookie@0.4.1". Returns the length it needs (like snprintf). */
size_t veh_purl_format(const veh_purl *p, int bVersion, char *z, size_t n);
/* Are names of this type case-insensitive (compare a query's group/name with a component's without case)? */
int veh_purl_type_folds(const char *zType);

#endif
