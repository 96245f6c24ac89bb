/* jschema: a validator for the subset of JSON Schema (draft 2020-12) that kyodo's action catalog uses
 * (CONTRACT §4): type (a name or a list), properties, required, enum, pattern, minimum, maximum, items,
 * additionalProperties (false or a schema). It knows nothing of actions or cars: the catalog's schemas are built
 * in vehicles/action.c, and the pages build their forms from the same JSON.
 *
 * Numbers: "integer" accepts a JSON integer or a real without a fraction (Lua sends 1e3 as a real).
 * Patterns are POSIX extended regular expressions (regcomp, not anchored, like ECMAScript's RegExp.test): write
 * them in the common subset of both (no \d, \s; classes with literal characters), so the browser and the server
 * apply the same rule. Ownership: every json_t argument is borrowed. */
#ifndef ENG_JSCHEMA_H
#define ENG_JSCHEMA_H

#include <jansson.h>

#include "engine/err.h"

/* Validates v against schema. 0, or KY_EINVAL with err naming the first failing place from zPath
 * ("notify: args.party: 'ppc' is not one of regulator, isac, ..."). zPath is the name of v ("args").
 * A schema keyword outside the subset is ignored; a malformed schema (a bad pattern) is KY_EINVAL. */
int eng_jschema_validate(json_t *schema, json_t *v, const char *zPath, ky_err *err);

/* The same for a partial object: `required` is not enforced at the top level (an expectation names only the
 * args it cares about); every property v has must still be allowed and valid. */
int eng_jschema_validate_partial(json_t *schema, json_t *v, const char *zPath, ky_err *err);

#endif
