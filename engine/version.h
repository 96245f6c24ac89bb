/* version: kyodo's own version, one place (`kyodo --version`, the journal's kyodo_version, the man page). */
#ifndef KY_VERSION_H
#define KY_VERSION_H

#ifndef KY_VERSION
#define KY_VERSION "0.2.0"
#endif

#endif
