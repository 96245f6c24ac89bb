/* kyodo: the command-line dispatch. One table of sub-commands (name, synopsis, one-line summary, entry function)
 * gives the overview (`kyodo --help`, `kyodo help`), `kyodo help CMD` (the entry's own --help), the list the man
 * page is made from (`kyodo help --commands`, mk/man.sh) and the dispatch. Each sub-command parses its own options (engine/opt.h)
 * in the module that owns it. Also `kyodo --version`: kyodo's and the linked libraries' versions.
 * Exit codes: 0 ok, 1 failure, 2 usage (engine/opt.h). */
#include <stdio.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <lua.h>
#include <sqlite3.h>

#include "engine/opt.h"
#include "engine/version.h"
#include "scenarios/cli.h"
#include "scenarios/msel.h"
#include "server/cli.h"
#include "ui/replay/cli.h"
#include "ui/report/cli.h"

typedef int (*cmd_fn)(int argc, char **argv);

/* Adding a sub-command: one line here, the entry function in its module (argv[0] is the command's name; it must
 * answer -h/--help on stdout with exit 0, e.g. through engine/opt.h: `kyodo help CMD` and the man page call it
 * with "--help"). The synopsis is shown only for a command not built yet (a NULL entry); a built one's own help
 * has its usage. */
static const struct cmd {
	const char *zName;
	const char *zSynopsis;
	const char *zSummary;
	cmd_fn xMain;
} aCmd[] = {
	{ "check", "SCENARIO.lua [--json]", "load and validate a scenario", scn_cli_check },
	{ "run", "SCENARIO.lua [--seed N] [--db FILE] [--actions FILE.jsonl] [--until T] [--json] [--sweep N]",
	  "simulate as fast as possible, no server; --sweep: many seeds", scn_cli_run },
	{ "serve", "SCENARIO.lua [--port P] [--host H] [--db FILE] [--speed X] [--resume]",
	  "run the drill for the teams' browsers", srv_cli_serve },
	{ "sweep", "merge FILE... [--json]", "merge the shards of a sweep run on a cluster", scn_cli_sweep },
	{ "replay", "FILE.db [--compare OTHER.db] [--at T] [--headless --out FRAME.png] [--size WxH]",
	  "the SDL2 replay viewer on a journal; headless: PNG frames", rpl_cli_replay },
	{ "whatif", "FILE.db --from T [--actions ALT.jsonl] [--without TEAM]... --db OUT.db [--json]",
	  "re-play a drill up to T, then go on with other actions", scn_cli_whatif },
	{ "report", "FILE.db [--out AAR.html] [--lang ja|en] [--msel FILE.csv] [--stix FILE.json] [--vex FILE.json]",
	  "after-action report and exports", rep_cli_report },
	{ "msel", "import FILE.csv [--out SCENARIO.lua]", "turn a spreadsheet MSEL into a scenario", scn_msel_cli },
};
#define N_CMD (sizeof aCmd / sizeof aCmd[0])

static const struct cmd *cmd_find(const char *zName) {
	for (size_t i = 0; i < N_CMD; i++)
		if (!strcmp(aCmd[i].zName, zName)) return &aCmd[i];
	return NULL;
}

static void overview(FILE *f) {
	fprintf(f, "Usage: kyodo COMMAND [ARGUMENT]... [OPTION]...\n"
	           "  or:  kyodo help [COMMAND]\n"
	           "  or:  kyodo --version\n"
	           "Coordinated cyber drills for the connected-car industry: Lua scenarios, a deterministic simulation of\n"
	           "a fleet of connected cars and their backend, a drill server for the teams' browsers, a journal.\n\n"
	           "Commands ('kyodo help COMMAND' or 'kyodo COMMAND --help' shows one's usage and options):\n");
	for (int bBuilt = 1; bBuilt >= 0; bBuilt--) {
		if (!bBuilt) fprintf(f, "\nNot built yet in this version:\n");
		for (size_t i = 0; i < N_CMD; i++)
			if (!aCmd[i].xMain == !bBuilt) fprintf(f, "  kyodo %-8s %s\n", aCmd[i].zName, aCmd[i].zSummary);
	}
	fprintf(f, "\nOptions:\n"
	           "  -h, --help                show this help and exit\n"
	           "  -V, --version             show kyodo's version and its libraries' and exit\n\n"
	           "Options may come before or after the arguments; '--opt=value' and '--opt value' are the same; '--'\n"
	           "ends the options. Times (T) accept seconds, \"90s\", \"15m\", \"4h\" or \"01:30:00\".\n\n"
	           "Exit status:\n"
	           " 0  success\n"
	           " 1  failure: a bad scenario, actions file or journal, or a run that could not finish\n"
	           " 2  usage: an unknown command or option, a missing or malformed argument\n");
}

static int version(void) {
	char zLws[64];
	SDL_version sdl, sdlBuilt;
	const SDL_version *pTtf = TTF_Linked_Version();
	SDL_GetVersion(&sdl);
	SDL_VERSION(&sdlBuilt);
	snprintf(zLws, sizeof zLws, "%s", lws_get_library_version());
	zLws[strcspn(zLws, " ")] = 0;
	if (zLws[0] && zLws[strlen(zLws) - 1] == '-') zLws[strlen(zLws) - 1] = 0;  /* Debian's: "4.1.6-" (no git hash) */
	printf("kyodo %s\n", KY_VERSION);
	printf("libraries: %s, jansson %s, SQLite %s, libwebsockets %s, SDL2 %d.%d.%d, SDL2_ttf %d.%d.%d\n", LUA_RELEASE,
	       jansson_version_str(), sqlite3_libversion(), zLws, sdl.major, sdl.minor, sdl.patch,
	       pTtf->major, pTtf->minor, pTtf->patch);
	if (sdl.major != sdlBuilt.major || sdl.minor != sdlBuilt.minor || sdl.patch != sdlBuilt.patch)
		printf("(built against SDL2 %d.%d.%d)\n", sdlBuilt.major, sdlBuilt.minor, sdlBuilt.patch);
	return KY_EXIT_OK;
}

/* `kyodo help CMD`: the command's own --help. */
static int help_cmd(const struct cmd *c) {
	char *azArgv[] = { (char *)c->zName, "--help", NULL };
	if (c->xMain) return c->xMain(2, azArgv);
	printf("Usage: kyodo %s %s\n%s\n\nNot built yet in this version of kyodo.\n", c->zName, c->zSynopsis, c->zSummary);
	return KY_EXIT_OK;
}

/* `kyodo help --commands`: the built commands' names, one a line (for the man page and shell completion). */
static int help_commands(void) {
	for (size_t i = 0; i < N_CMD; i++)
		if (aCmd[i].xMain) printf("%s\n", aCmd[i].zName);
	return KY_EXIT_OK;
}

static int help(int argc, char **argv) {
	if (argc < 3) {
		overview(stdout);
		return KY_EXIT_OK;
	}
	if (argc > 3) {
		fprintf(stderr, "kyodo help: unexpected argument '%s'\nTry 'kyodo --help' for more information.\n", argv[3]);
		return KY_EXIT_USAGE;
	}
	if (!strcmp(argv[2], "--commands")) return help_commands();
	if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h") || !strcmp(argv[2], "help")) {
		overview(stdout);
		return KY_EXIT_OK;
	}
	const struct cmd *c = cmd_find(argv[2]);
	if (!c) {
		fprintf(stderr, "kyodo help: unknown command '%s'\nTry 'kyodo --help' for the list.\n", argv[2]);
		return KY_EXIT_USAGE;
	}
	return help_cmd(c);
}

int main(int argc, char **argv) {
	if (argc < 2) {
		overview(stderr);
		return KY_EXIT_USAGE;
	}
	const char *z = argv[1];
	if (!strcmp(z, "--help") || !strcmp(z, "-h")) return help(1, argv);
	if (!strcmp(z, "help")) return help(argc, argv);
	if (!strcmp(z, "--version") || !strcmp(z, "-V")) {
		if (argc > 2) {
			fprintf(stderr, "kyodo: --version takes no argument\n");
			return KY_EXIT_USAGE;
		}
		return version();
	}
	if (z[0] == '-') {
		fprintf(stderr, "kyodo: unknown option '%s' (a command comes first)\nTry 'kyodo --help' for more information.\n", z);
		return KY_EXIT_USAGE;
	}
	const struct cmd *c = cmd_find(z);
	if (!c) {
		fprintf(stderr, "kyodo: unknown command '%s'\nTry 'kyodo --help' for the list.\n", z);
		return KY_EXIT_USAGE;
	}
	if (!c->xMain) {
		fprintf(stderr, "kyodo %s: not built yet in this version of kyodo\n", z);
		return KY_EXIT_FAIL;
	}
	return c->xMain(argc - 1, argv + 1);
}
