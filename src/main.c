/* kyodo: command-line dispatch only. Each sub-command lives in the module that owns it. */
#include <stdio.h>
#include <string.h>

#include "scenarios/cli.h"
#include "server/cli.h"
#include "ui/replay/cli.h"

typedef int (*cmd_fn)(int argc, char **argv);

static int not_built(int argc, char **argv) {
	(void)argc;
	fprintf(stderr, "kyodo %s: not built yet\n", argv[0]);
	return 2;
}

static const struct {
	const char *zName;
	cmd_fn fn;
	const char *zUsage;
} aCmd[] = {
	{ "check", scn_cli_check, "check SCENARIO.lua                 load and validate a scenario" },
	{ "run", scn_cli_run, "run SCENARIO.lua [--seed N] [--db FILE] [--actions FILE.jsonl] [--until T] [--json] [--sweep N]\n"
	                      "                                           simulate as fast as possible, no server" },
	{ "serve", srv_cli_serve, "serve SCENARIO.lua [--port P] [--host H] [--db FILE] [--speed X] [--resume]\n"
	                          "                                           run the drill for the teams' browsers" },
	{ "whatif", scn_cli_whatif, "whatif FILE.db --from T [--actions ALT.jsonl] [--without TEAM]... --db OUT.db [--json]\n"
	                            "                                           re-play a recorded drill to T, go on with other actions" },
	{ "replay", rpl_cli_replay, "replay FILE.db [--compare OTHER.db] [--at T] [--headless --out FRAME.png] [--size WxH]\n"
	                            "                                           the SDL2 replay viewer on a journal" },
	{ "report", not_built, "report FILE.db [--out AAR.html] [--msel FILE.csv] [--stix FILE.json]\n"
	                       "                                           after-action report and exports" },
};

static void usage(FILE *f) {
	fprintf(f, "kyodo: coordinated cyber drills for the connected-car industry\n\nusage:\n");
	for (size_t i = 0; i < sizeof aCmd / sizeof aCmd[0]; i++) fprintf(f, "  kyodo %s\n", aCmd[i].zUsage);
	fprintf(f, "\nTimes accept seconds, \"90s\", \"15m\", \"4h\" or \"01:30:00\". See docs/ for the guides.\n");
}

int main(int argc, char **argv) {
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof aCmd / sizeof aCmd[0]; i++) {
		if (!strcmp(argv[1], aCmd[i].zName)) return aCmd[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "kyodo: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
