/* journal: the drill's record in sqlite3. See journal.h for the interface and docs/journal.md for the schema
 * and the durability choices.
 *
 * Design notes
 * - One connection, WAL. High-rate rows go into one open transaction (BEGIN IMMEDIATE) committed by size, by
 *   sim-time span, on flush and on close, with synchronous=NORMAL: WAL + NORMAL loses nothing committed when
 *   the process dies (SIGKILL, crash); only a power loss can drop the last batches.
 * - Human inputs (actions above all: the server acknowledges an action only once it is stored) first commit the
 *   open batch, then are written in their own transaction with synchronous=FULL, so the WAL is fsync'ed before
 *   the call returns and the row survives a power loss too. sqlite refuses to change the safety level inside
 *   a transaction, hence the commit first.
 * - Group commit (eng_journal_group_*): inputs given between begin and commit share one FULL transaction, so
 *   the server acknowledges the actions that arrived together after one fsync. Rolled back as a whole.
 * - Checkpoints: a wal hook replaces sqlite's auto-checkpoint, which would run inside whichever COMMIT crosses
 *   the threshold (an action's too); checkpoint_maybe asks for a passive one after batch commits and flushes only.
 *   A writable journal runs them in a thread of its own with a second connection (ckpt_*), so that the copy and
 *   the database file's fsync never hold up the caller (the server's event loop); inline if the thread cannot
 *   start. The caller's connection stays the only writer and is closed last (its close checkpoints and removes
 *   the WAL).
 * - Every prepared statement is made once at open (SQLITE_PREPARE_PERSISTENT) and reset after each use.
 * - meta.clean_us, rewritten with each batch commit, is the resume point: every row with a time before it is
 *   committed. Inputs carry a global order (ord) so that resume can replay them as they happened.
 * - Snapshots are opaque. Every nKeyEvery-th is stored whole (kind 0); the others as the XOR with the previous
 *   blob with zero runs elided (kind 1): consecutive world states differ in few bytes, so deltas are small. */
#include "engine/journal.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JRN_APP_ID 0x6b796f64 /* "kyod" */
#define JRN_CHECKPOINT_FRAMES 1000 /* WAL frames (pages) before a checkpoint: sqlite's own default threshold */
#define JRN_READ_MIN 1         /* the oldest schema this build reads as it is (read-only opens do not migrate) */
#define JRN_SNAP_MAX (1u << 30) /* largest snapshot an elided keyframe may claim to decode to */

/* Migrations: aMigration[i] takes a journal from schema i to i+1. Append only; never edit a shipped entry. */
static const char *const aMigration[ENG_JOURNAL_SCHEMA] = {
	/* 0 -> 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT, detail TEXT);"
	"CREATE INDEX events_t ON events(t_us);"
	"CREATE INDEX events_kind ON events(kind, t_us);"
	"CREATE TABLE injects(id TEXT PRIMARY KEY, t_us INTEGER NOT NULL, msg TEXT);"
	"CREATE TABLE deliveries(inject TEXT NOT NULL, team TEXT NOT NULL, t_us INTEGER NOT NULL);"
	"CREATE INDEX deliveries_team ON deliveries(team, t_us);"
	"CREATE TABLE reads(ord INTEGER NOT NULL, inject TEXT NOT NULL, team TEXT NOT NULL, t_us INTEGER NOT NULL,"
	"  PRIMARY KEY(inject, team));"
	"CREATE TABLE messages(id INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, from_team TEXT, to_team TEXT, msg TEXT);"
	"CREATE TABLE actions(seq INTEGER PRIMARY KEY, ord INTEGER NOT NULL, team TEXT NOT NULL, client_id TEXT,"
	"  t_us INTEGER NOT NULL, kind TEXT NOT NULL, args TEXT, result TEXT, inject TEXT, UNIQUE(team, client_id));"
	"CREATE TABLE grades(id INTEGER PRIMARY KEY, ord INTEGER NOT NULL, seq INTEGER NOT NULL, t_us INTEGER NOT NULL,"
	"  points REAL NOT NULL, comment TEXT);"
	"CREATE TABLE adhoc(id INTEGER PRIMARY KEY, ord INTEGER NOT NULL, t_us INTEGER NOT NULL, msg TEXT NOT NULL);"
	"CREATE TABLE scores(id INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, team TEXT NOT NULL, score REAL, msg TEXT);"
	"CREATE INDEX scores_team ON scores(team, t_us);"
	"CREATE TABLE metrics(id INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, data TEXT NOT NULL);"
	"CREATE INDEX metrics_t ON metrics(t_us);"
	"CREATE TABLE snapshots(t_us INTEGER PRIMARY KEY, kind INTEGER NOT NULL, base_us INTEGER NOT NULL,"
	"  raw_len INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE tokens(team TEXT PRIMARY KEY, digest TEXT NOT NULL);",
	/* 1 -> 2: snapshots may be of kind 2 (a keyframe with its zero runs elided); no table changes. The version
	 * says so, so that an older kyodo refuses the file instead of calling its snapshots damaged. */
	"",
	/* 2 -> 3: the hot wash (participants' feedback after the drill) and who acted (a participant's display name per
	 * (team, client id) of an action). Neither is an input of the simulation: no ord, resume never replays them. */
	"CREATE TABLE IF NOT EXISTS feedback(id INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, team TEXT NOT NULL, participant TEXT NOT NULL,"
	"  name TEXT, answers TEXT NOT NULL, at TEXT);"
	"CREATE INDEX IF NOT EXISTS feedback_who ON feedback(team, participant);"
	"CREATE TABLE IF NOT EXISTS actors(team TEXT NOT NULL, client_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(team, client_id));",
	/* 3 -> 4: what the simulated world was told, in order (exact seek without the scenario; docs/journal.md) */
	"CREATE TABLE IF NOT EXISTS world_inputs(ord INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, step INTEGER NOT NULL,"
	"  phase INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT, team TEXT, args TEXT);"
	"CREATE INDEX IF NOT EXISTS world_inputs_t ON world_inputs(t_us);",
};

enum {
	S_BEGIN, S_COMMIT, S_META_PUT, S_META_GET,
	S_EVENT, S_INJECT, S_DELIVERY, S_MESSAGE, S_SCORE, S_METRICS, S_SNAPSHOT,
	S_ACTION, S_ACTION_RESULT, S_ACTION_FIND, S_GRADE, S_READ, S_ADHOC, S_TOKEN_PUT, S_TOKEN_GET,
	S_INPUTS, S_EVENTS, S_SNAP_FIND, S_SNAP_CHAIN, S_LAST_TIME, S_MAX_ORD, S_SEQ_EXISTS,
	S_FEEDBACK, S_ACTOR, S_EVENTS_KIND,
	S_WORLD_INPUT, /* schema 4 */
	S_COUNT
};

static const char *const aSql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_EVENT] = "INSERT INTO events(t_us, kind, subject, detail) VALUES(?1, ?2, ?3, ?4)",
	[S_INJECT] = "INSERT OR IGNORE INTO injects(id, t_us, msg) VALUES(?1, ?2, ?3)",
	[S_DELIVERY] = "INSERT INTO deliveries(inject, team, t_us) VALUES(?1, ?2, ?3)",
	[S_MESSAGE] = "INSERT INTO messages(t_us, from_team, to_team, msg) VALUES(?1, ?2, ?3, ?4)",
	[S_SCORE] = "INSERT INTO scores(t_us, team, score, msg) VALUES(?1, ?2, ?3, ?4)",
	[S_METRICS] = "INSERT INTO metrics(t_us, data) VALUES(?1, ?2)",
	[S_SNAPSHOT] = "INSERT OR REPLACE INTO snapshots(t_us, kind, base_us, raw_len, data) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_ACTION] = "INSERT INTO actions(seq, ord, team, client_id, t_us, kind, args, result, inject)"
	             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_ACTION_RESULT] = "UPDATE actions SET result = ?2, inject = coalesce(?3, inject) WHERE seq = ?1",
	[S_ACTION_FIND] = "SELECT seq FROM actions WHERE team = ?1 AND client_id = ?2",
	[S_GRADE] = "INSERT INTO grades(ord, seq, t_us, points, comment) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_READ] = "INSERT OR IGNORE INTO reads(ord, inject, team, t_us) VALUES(?1, ?2, ?3, ?4)",
	[S_ADHOC] = "INSERT INTO adhoc(ord, t_us, msg) VALUES(?1, ?2, ?3)",
	[S_TOKEN_PUT] = "INSERT OR REPLACE INTO tokens(team, digest) VALUES(?1, ?2)",
	[S_TOKEN_GET] = "SELECT digest FROM tokens WHERE team = ?1",
	[S_INPUTS] =
		"SELECT 'action', ord, t_us, seq, team, client_id, kind, args, inject, 0.0, NULL FROM actions"
		" UNION ALL SELECT 'grade', ord, t_us, seq, NULL, NULL, NULL, NULL, NULL, points, comment FROM grades"
		" UNION ALL SELECT 'read', ord, t_us, 0, team, NULL, NULL, NULL, inject, 0.0, NULL FROM reads"
		" UNION ALL SELECT 'adhoc', ord, t_us, 0, NULL, NULL, NULL, NULL, NULL, 0.0, msg FROM adhoc"
		" ORDER BY 2",
	[S_EVENTS] = "SELECT t_us, kind, subject, detail FROM events WHERE t_us >= ?1 AND t_us < ?2 ORDER BY t_us, id",
	[S_SNAP_FIND] = "SELECT t_us, kind, base_us FROM snapshots WHERE t_us <= ?1 ORDER BY t_us DESC LIMIT 1",
	[S_SNAP_CHAIN] = "SELECT t_us, kind, raw_len, data FROM snapshots WHERE t_us >= ?1 AND t_us <= ?2 ORDER BY t_us",
	[S_LAST_TIME] =
		"SELECT max(m) FROM (SELECT max(t_us) AS m FROM events UNION ALL SELECT max(t_us) FROM deliveries"
		" UNION ALL SELECT max(t_us) FROM messages UNION ALL SELECT max(t_us) FROM scores"
		" UNION ALL SELECT max(t_us) FROM metrics UNION ALL SELECT max(t_us) FROM snapshots"
		" UNION ALL SELECT max(t_us) FROM actions UNION ALL SELECT max(t_us) FROM grades"
		" UNION ALL SELECT max(t_us) FROM reads UNION ALL SELECT max(t_us) FROM adhoc)",
	[S_MAX_ORD] =
		"SELECT max(m) FROM (SELECT max(ord) AS m FROM actions UNION ALL SELECT max(ord) FROM grades"
		" UNION ALL SELECT max(ord) FROM reads UNION ALL SELECT max(ord) FROM adhoc)",
	[S_SEQ_EXISTS] = "SELECT 1 FROM actions WHERE seq = ?1",
	/* schema 3 (JRN_SINCE marks the statements an older file, opened read-only as it is, cannot prepare) */
	[S_FEEDBACK] = "INSERT INTO feedback(t_us, team, participant, name, answers, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_ACTOR] = "INSERT OR REPLACE INTO actors(team, client_id, name) VALUES(?1, ?2, ?3)",
	[S_EVENTS_KIND] = "SELECT t_us, kind, subject, detail FROM events WHERE kind >= ?1 AND kind < ?2 ORDER BY t_us, id",
	/* schema 4 */
	[S_WORLD_INPUT] = "INSERT INTO world_inputs(t_us, step, phase, kind, name, team, args) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};


/* The schema a statement needs (0: every schema this build reads). */
static int stmt_since(int i) {
	return i == S_FEEDBACK || i == S_ACTOR ? 3 : i == S_WORLD_INPUT ? 4 : 0;
}

struct eng_journal {
	sqlite3 *db;
	char *zPath;
	int bReadOnly;
	int iSchema;            /* the file's schema version (a read-only open of an older file reads it as it is) */
	sqlite3_stmt *aStmt[S_COUNT];
	/* batching */
	int bInTxn;
	int nPending;           /* rows in the open transaction */
	eng_time_t tTxnFirst;   /* sim time of its first row */
	int nBatchRows;
	eng_time_t batchSpan;
	/* group commit of inputs (eng_journal_group_begin .. commit) */
	int bGroup;             /* a group is open: inputs join it, nothing commits before group_commit */
	int64_t iOrdGroup;      /* iOrd at group_begin, restored when the group is rolled back */
	eng_time_t tCleanGroup; /* tClean at group_begin, likewise */
	int nWalFrames;         /* frames in the WAL after the last commit (wal hook) */
	/* background checkpoints (ckpt_*): ckDb is the thread's own connection; the flags are under ckMu */
	sqlite3 *ckDb;
	pthread_t ckThread;
	pthread_mutex_t ckMu;
	pthread_cond_t ckCv;
	int bCkThread;          /* the thread runs */
	pid_t ckPid;            /* the process it runs in (a forked child has no such thread: it neither signals nor joins) */
	int bCkWanted, bCkStop;
	/* resume point */
	eng_time_t tClean;      /* every row before it has been given to us */
	eng_time_t tCleanStored;
	int64_t iOrd;           /* last input order used */
	/* snapshots */
	int nKeyEvery;
	int nSinceKey;          /* snapshots since the last keyframe; -1: next is a keyframe */
	eng_time_t tKey;        /* time of the last keyframe */
	eng_time_t tPrevSnap;   /* time of the last snapshot */
	int nDeltaFail;         /* deltas that did not pay, in a row (>= 2: mostly not tried) */
	unsigned char *pPrev;   /* previous blob (for the next delta) */
	size_t nPrev;
	unsigned char *pScratch[2]; /* encoded keyframe, encoded delta */
	size_t nScratch[2];
};

/* ---------------------------------------------------------------- errors */

static int db_err(eng_journal *j, ky_err *err, int rc, const char *zWhat) {
	int code = KY_EIO;
	if (rc == SQLITE_NOMEM) code = KY_ENOMEM;
	return ky_err_set(err, code, "journal %s: %s: %s (sqlite %d)", j->zPath, zWhat,
	                  j->db ? sqlite3_errmsg(j->db) : sqlite3_errstr(rc), rc);
}

static int writable(eng_journal *j, ky_err *err) {
	if (j->bReadOnly) return ky_err_set(err, KY_ESTATE, "journal %s: opened read-only", j->zPath);
	return 0;
}

/* Runs a prepared statement that returns no rows. */
static int step_done(eng_journal *j, sqlite3_stmt *st, ky_err *err, const char *zWhat) {
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) return db_err(j, err, rc, zWhat);
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *z) {
	if (z) sqlite3_bind_text(st, i, z, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, i);
}

/* ---------------------------------------------------------------- transactions */

static int txn_commit(eng_journal *j, ky_err *err) {
	int rc;
	if (!j->bInTxn) return 0;
	if (j->tClean != j->tCleanStored) {
		char z[32];
		snprintf(z, sizeof z, "%lld", (long long)j->tClean);
		sqlite3_stmt *st = j->aStmt[S_META_PUT];
		sqlite3_bind_text(st, 1, "clean_us", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, z, -1, SQLITE_TRANSIENT);
		if ((rc = step_done(j, st, err, "store the resume point")) != 0) return rc;
	}
	if ((rc = step_done(j, j->aStmt[S_COMMIT], err, "commit")) != 0) {
		/* a failed COMMIT may leave the transaction open; roll it back so the connection stays usable */
		if (!sqlite3_get_autocommit(j->db)) sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		j->bInTxn = 0;
		j->nPending = 0;
		return rc;
	}
	j->tCleanStored = j->tClean;
	j->bInTxn = 0;
	j->nPending = 0;
	return 0;
}

/* The wal hook replaces sqlite's auto-checkpoint (which runs inside whichever COMMIT crosses the threshold, an
 * input's included): it only notes the WAL's size; checkpoint_maybe copies the WAL back at batch boundaries. */
static int wal_hook(void *ctx, sqlite3 *db, const char *zDb, int nFrame) {
	(void)db, (void)zDb;
	((eng_journal *)ctx)->nWalFrames = nFrame;
	return SQLITE_OK;
}

/* fork() and the checkpoint threads: a thread holds gCkFork while it checkpoints, and fork() takes it first
 * (pthread_atfork), so that a child (an impact run, a served drill's baseline) never starts with a checkpoint half
 * done in a thread it does not have: sqlite's and the allocator's locks taken by it would never be released there. */
static pthread_mutex_t gCkFork = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t gCkOnce = PTHREAD_ONCE_INIT;
static void ck_fork_lock(void) { pthread_mutex_lock(&gCkFork); }
static void ck_fork_unlock(void) { pthread_mutex_unlock(&gCkFork); }
static void ck_atfork(void) { pthread_atfork(ck_fork_lock, ck_fork_unlock, ck_fork_unlock); }

/* The checkpoint thread: a passive checkpoint on its own connection each time one is asked for. PASSIVE never
 * waits for the writer or readers; it copies what it can, and the writer restarts the WAL from its start once all
 * of it is copied. */
static void *ckpt_main(void *pArg) {
	eng_journal *j = pArg;
	pthread_mutex_lock(&j->ckMu);
	for (;;) {
		while (!j->bCkWanted && !j->bCkStop) pthread_cond_wait(&j->ckCv, &j->ckMu);
		if (j->bCkStop) break;
		j->bCkWanted = 0;
		pthread_mutex_unlock(&j->ckMu);
		pthread_mutex_lock(&gCkFork);
		sqlite3_wal_checkpoint_v2(j->ckDb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_unlock(&gCkFork);
		pthread_mutex_lock(&j->ckMu);
	}
	pthread_mutex_unlock(&j->ckMu);
	return NULL;
}

/* Starts the checkpoint thread of a writable journal (WAL mode set). On any failure checkpoints stay inline. */
static void ckpt_start(eng_journal *j) {
	sqlite3 *db = NULL;
	if (pthread_once(&gCkOnce, ck_atfork) != 0) return;
	if (sqlite3_open_v2(j->zPath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) { /* opens the WAL */
		sqlite3_close(db);
		return;
	}
	if (pthread_mutex_init(&j->ckMu, NULL) != 0) {
		sqlite3_close(db);
		return;
	}
	if (pthread_cond_init(&j->ckCv, NULL) != 0) {
		pthread_mutex_destroy(&j->ckMu);
		sqlite3_close(db);
		return;
	}
	j->ckDb = db;
	if (pthread_create(&j->ckThread, NULL, ckpt_main, j) != 0) {
		pthread_cond_destroy(&j->ckCv);
		pthread_mutex_destroy(&j->ckMu);
		sqlite3_close(db);
		j->ckDb = NULL;
		return;
	}
	j->bCkThread = 1;
	j->ckPid = getpid();
}

/* Stops the thread (a checkpoint under way finishes first) and closes its connection; later checkpoints are inline. */
static void ckpt_stop(eng_journal *j) {
	if (!j->bCkThread) return;
	if (j->ckPid != getpid()) {  /* a forked child: the thread is its parent's; only the bookkeeping is dropped */
		j->bCkThread = 0;
		j->ckDb = NULL;
		return;
	}
	pthread_mutex_lock(&j->ckMu);
	j->bCkStop = 1;
	pthread_cond_signal(&j->ckCv);
	pthread_mutex_unlock(&j->ckMu);
	pthread_join(j->ckThread, NULL);
	pthread_cond_destroy(&j->ckCv);
	pthread_mutex_destroy(&j->ckMu);
	sqlite3_close(j->ckDb);
	j->ckDb = NULL;
	j->bCkThread = 0;
}

/* A passive checkpoint once the WAL holds JRN_CHECKPOINT_FRAMES frames, outside any transaction: asked of the
 * checkpoint thread, or run here without it. Called after batch commits (size, span, flush, close), never on an
 * input's path, so an acknowledgement never waits for one. A failure is harmless (the WAL keeps the rows; the
 * next call tries again). */
static void checkpoint_maybe(eng_journal *j) {
	if (j->bInTxn || j->bReadOnly || j->nWalFrames < JRN_CHECKPOINT_FRAMES) return;
	j->nWalFrames = 0;
	if (j->bCkThread) {
		pthread_mutex_lock(&j->ckMu);
		j->bCkWanted = 1;
		pthread_cond_signal(&j->ckCv);
		pthread_mutex_unlock(&j->ckMu);
		return;
	}
	sqlite3_wal_checkpoint_v2(j->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* Makes sure a batch transaction is open before a batched row at time t. */
static int txn_row_begin(eng_journal *j, eng_time_t t, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (j->bInTxn && !j->bGroup && (j->nPending >= j->nBatchRows || t - j->tTxnFirst > j->batchSpan)) {
		if ((rc = txn_commit(j, err)) != 0) return rc;
		checkpoint_maybe(j);
	}
	if (!j->bInTxn) {
		if ((rc = step_done(j, j->aStmt[S_BEGIN], err, "begin")) != 0) return rc;
		j->bInTxn = 1;
		j->nPending = 0;
		j->tTxnFirst = t;
	}
	if (t > j->tClean) j->tClean = t;
	return 0;
}

static int txn_row_end(eng_journal *j, ky_err *err) {
	j->nPending++;
	if (j->nBatchRows <= 1 && !j->bGroup) return txn_commit(j, err);
	return 0;
}

static int exec_sql(eng_journal *j, const char *zSql, ky_err *err, const char *zWhat);

/* Runs st (bound by the caller) as one durable transaction of its own after committing the batch.
 * The safety level is set with sqlite3_exec each time: sqlite applies PRAGMA synchronous when the statement is
 * compiled, so a prepared copy would do nothing when stepped. */
static int durable_step(eng_journal *j, sqlite3_stmt *st, ky_err *err, const char *zWhat) {
	if (j->bGroup) {
		/* inside a group the row joins it and becomes durable at eng_journal_group_commit */
		int rcRow = step_done(j, st, err, zWhat);
		if (rcRow == 0) j->nPending++;
		return rcRow;
	}
	int rc = txn_commit(j, err);
	if (rc == 0) rc = exec_sql(j, "PRAGMA synchronous=FULL", err, "synchronous=FULL");
	if (rc != 0) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return rc;
	}
	int rcStep = step_done(j, st, err, zWhat);
	ky_err e2;
	rc = exec_sql(j, "PRAGMA synchronous=NORMAL", &e2, "synchronous=NORMAL");
	if (rcStep != 0) return rcStep;
	if (rc != 0) {
		if (err) *err = e2;
		return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- open / close */

static int exec_sql(eng_journal *j, const char *zSql, ky_err *err, const char *zWhat) {
	char *zMsg = NULL;
	int rc = sqlite3_exec(j->db, zSql, NULL, NULL, &zMsg);
	if (rc != SQLITE_OK) {
		ky_err_set(err, rc == SQLITE_NOMEM ? KY_ENOMEM : KY_EIO, "journal %s: %s: %s (sqlite %d)", j->zPath, zWhat,
		           zMsg ? zMsg : sqlite3_errstr(rc), rc);
		sqlite3_free(zMsg);
		return err ? err->code : KY_EIO;
	}
	return 0;
}

static int query_int(eng_journal *j, const char *zSql, int64_t *pOut, ky_err *err, const char *zWhat) {
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, zSql, -1, &st, NULL);
	if (rc != SQLITE_OK) return db_err(j, err, rc, zWhat);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pOut = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*pOut = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) return db_err(j, err, rc, zWhat);
	return 0;
}

/* Checks the file is ours and brings its schema to ENG_JOURNAL_SCHEMA. */
static int schema_check(eng_journal *j, ky_err *err) {
	int64_t ver = 0, app = 0, nTables = 0;
	int rc;
	if ((rc = query_int(j, "PRAGMA user_version", &ver, err, "read the schema version")) != 0) {
		return ky_err_prefix(err, "not a kyodo journal or damaged");
	}
	if ((rc = query_int(j, "PRAGMA application_id", &app, err, "read the application id")) != 0) return rc;
	if ((rc = query_int(j, "SELECT count(*) FROM sqlite_master", &nTables, err, "read the schema")) != 0) {
		return ky_err_prefix(err, "not a kyodo journal or damaged");
	}
	if ((app != 0 && app != JRN_APP_ID) || (app == 0 && nTables > 0)) {
		return ky_err_set(err, KY_EIO, "journal %s: not a kyodo journal (an sqlite file of another application)", j->zPath);
	}
	if (ver > ENG_JOURNAL_SCHEMA) {
		return ky_err_set(err, KY_EVERSION,
		                  "journal %s: schema version %lld is newer than this kyodo understands (%d); "
		                  "open it with a newer kyodo", j->zPath, (long long)ver, ENG_JOURNAL_SCHEMA);
	}
	if (ver < 0) return ky_err_set(err, KY_EIO, "journal %s: bad schema version %lld", j->zPath, (long long)ver);
	j->iSchema = (int)ver;
	if (ver == ENG_JOURNAL_SCHEMA) return 0;
	if (j->bReadOnly && ver >= JRN_READ_MIN) return 0;
	if (j->bReadOnly) {
		if (ver == 0) return ky_err_set(err, KY_ENOENT, "journal %s: empty: no drill recorded in it yet", j->zPath);
		return ky_err_set(err, KY_EVERSION, "journal %s: schema version %lld needs migrating; open it writable once",
		                  j->zPath, (long long)ver);
	}
	/* WAL first: the schema then goes in with one WAL commit rather than a rollback journal's several fsyncs.
	 * A new file holds nothing worth an fsync yet (synchronous=OFF); the first input's FULL commit syncs it all. */
	if ((rc = exec_sql(j, ver == 0 ? "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=WAL", err,
	                   "set WAL mode")) != 0) return rc;
	if ((rc = exec_sql(j, "BEGIN IMMEDIATE", err, "begin migration")) != 0) return rc;
	for (int64_t v = ver; v < ENG_JOURNAL_SCHEMA; v++) {
		if ((rc = exec_sql(j, aMigration[v], err, "migrate")) != 0) {
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
			return ky_err_prefix(err, "schema %lld -> %lld", (long long)v, (long long)v + 1);
		}
	}
	char zSql[96];
	snprintf(zSql, sizeof zSql, "PRAGMA application_id=%d; PRAGMA user_version=%d; COMMIT", JRN_APP_ID, ENG_JOURNAL_SCHEMA);
	if ((rc = exec_sql(j, zSql, err, "finish migration")) != 0) {
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	j->iSchema = ENG_JOURNAL_SCHEMA;
	return 0;
}

static void remove_files(const char *zPath) {
	static const char *const aSuffix[] = { "", "-wal", "-shm", "-journal" };
	size_t n = strlen(zPath);
	char *z = malloc(n + 16);
	if (!z) return;
	for (size_t i = 0; i < sizeof aSuffix / sizeof aSuffix[0]; i++) {
		snprintf(z, n + 16, "%s%s", zPath, aSuffix[i]);
		unlink(z);
	}
	free(z);
}

eng_journal *eng_journal_open(const char *zPath, int flags, ky_err *err) {
	eng_journal *j = calloc(1, sizeof *j);
	int rc;
	if (!j || !(j->zPath = strdup(zPath))) {
		free(j);
		ky_err_set(err, KY_ENOMEM, "journal %s: out of memory", zPath);
		return NULL;
	}
	j->bReadOnly = (flags & ENG_JOURNAL_READONLY) != 0;
	j->nBatchRows = 4096;
	j->batchSpan = ENG_S(60);
	j->nKeyEvery = 8;
	j->nSinceKey = -1;
	j->tPrevSnap = -1;
	if ((flags & ENG_JOURNAL_TRUNCATE) && !j->bReadOnly) remove_files(zPath);
	if (!(flags & ENG_JOURNAL_CREATE) || j->bReadOnly) {
		if (access(zPath, F_OK) != 0) {
			ky_err_set(err, KY_ENOENT, "journal %s: %s", zPath, strerror(errno));
			goto fail;
		}
	}
	int oflags = j->bReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = sqlite3_open_v2(zPath, &j->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		db_err(j, err, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(j->db, 0);
	sqlite3_busy_timeout(j->db, 5000);
	if (schema_check(j, err) != 0) goto fail;
	if (!j->bReadOnly) {
		/* WAL: readers (replay, report) never block the writer; a crash leaves committed rows intact */
		if (exec_sql(j, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF", err,
		             "set WAL mode") != 0) goto fail;
		sqlite3_wal_hook(j->db, wal_hook, j);
	}
	for (int i = 0; i < S_COUNT; i++) {
		if (j->bReadOnly && (i == S_BEGIN || i == S_COMMIT)) continue;
		if (j->iSchema < stmt_since(i)) continue; /* read-only, older file: the call that needs it says so */
		rc = sqlite3_prepare_v3(j->db, aSql[i], -1, SQLITE_PREPARE_PERSISTENT, &j->aStmt[i], NULL);
		if (rc != SQLITE_OK) {
			db_err(j, err, rc, "prepare");
			ky_err_prefix(err, "not a kyodo journal or damaged");
			goto fail;
		}
	}
	int64_t v = 0;
	if (query_int(j, "SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta WHERE key = 'clean_us'", &v, err,
	              "read the resume point") != 0) goto fail;
	j->tClean = j->tCleanStored = v;
	if (query_int(j, aSql[S_MAX_ORD], &v, err, "read the input order") != 0) goto fail;
	j->iOrd = v;
	if (!j->bReadOnly) ckpt_start(j);
	return j;
fail:
	for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(j->aStmt[i]);
	sqlite3_close(j->db);
	free(j->zPath);
	free(j);
	return NULL;
}

int eng_journal_close(eng_journal *j, ky_err *err) {
	int rc = 0;
	if (!j) return 0;
	if (j->bGroup) eng_journal_group_abort(j); /* its inputs were never acknowledged */
	ckpt_stop(j); /* its connection first: the writer's close, the last, checkpoints and removes the WAL */
	if (!j->bReadOnly) rc = eng_journal_flush(j, err);
	for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(j->aStmt[i]);
	if (sqlite3_close(j->db) != SQLITE_OK && rc == 0) rc = ky_err_set(err, KY_EIO, "journal %s: close failed", j->zPath);
	free(j->pPrev);
	free(j->pScratch[0]);
	free(j->pScratch[1]);
	free(j->zPath);
	free(j);
	return rc;
}

void eng_journal_set_batch(eng_journal *j, int nRows, eng_time_t simInterval) {
	j->nBatchRows = nRows < 1 ? 1 : nRows;
	j->batchSpan = simInterval < 0 ? 0 : simInterval;
}

void eng_journal_set_keyframes(eng_journal *j, int nKeyEvery) {
	j->nKeyEvery = nKeyEvery < 1 ? 1 : nKeyEvery;
}

int eng_journal_flush(eng_journal *j, ky_err *err) {
	if (j->bReadOnly || j->bGroup) return 0; /* a group commits only at eng_journal_group_commit */
	if (!j->bInTxn && j->tClean != j->tCleanStored) {
		/* nothing pending but the resume point moved: store it */
		int rc;
		if ((rc = step_done(j, j->aStmt[S_BEGIN], err, "begin")) != 0) return rc;
		j->bInTxn = 1;
	}
	int rc = txn_commit(j, err);
	if (rc == 0) checkpoint_maybe(j);
	return rc;
}

void eng_journal_mark(eng_journal *j, eng_time_t t) {
	if (t > j->tClean) j->tClean = t;
}

/* ---------------------------------------------------------------- group commit of inputs */

int eng_journal_group_begin(eng_journal *j, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (j->bGroup) return ky_err_set(err, KY_ESTATE, "journal %s: a group is already open", j->zPath);
	/* the open batch commits as it would before any input (NORMAL: no fsync); the level can only change outside
	 * a transaction */
	if ((rc = txn_commit(j, err)) != 0) return rc;
	if ((rc = exec_sql(j, "PRAGMA synchronous=FULL", err, "synchronous=FULL")) != 0) return rc;
	if ((rc = step_done(j, j->aStmt[S_BEGIN], err, "begin a group")) != 0) {
		exec_sql(j, "PRAGMA synchronous=NORMAL", NULL, "synchronous=NORMAL");
		return rc;
	}
	j->bInTxn = 1;
	j->nPending = 0;
	j->tTxnFirst = j->tClean;
	j->bGroup = 1;
	j->iOrdGroup = j->iOrd;
	j->tCleanGroup = j->tClean;
	return 0;
}

/* Leaves group mode: back to synchronous=NORMAL for the batches. */
static int group_end(eng_journal *j, ky_err *err) {
	j->bGroup = 0;
	return exec_sql(j, "PRAGMA synchronous=NORMAL", err, "synchronous=NORMAL");
}

int eng_journal_group_commit(eng_journal *j, ky_err *err) {
	if (!j->bGroup) return ky_err_set(err, KY_ESTATE, "journal %s: no group is open", j->zPath);
	int rc = txn_commit(j, err); /* rolls back on failure */
	if (rc != 0) {
		j->iOrd = j->iOrdGroup;
		j->tClean = j->tCleanGroup;
		group_end(j, NULL);
		return rc;
	}
	return group_end(j, err);
}

void eng_journal_group_abort(eng_journal *j) {
	if (!j->bGroup) return;
	if (!sqlite3_get_autocommit(j->db)) sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	j->bInTxn = 0;
	j->nPending = 0;
	j->iOrd = j->iOrdGroup;
	j->tClean = j->tCleanGroup;
	group_end(j, NULL);
}

static int batched(eng_journal *j, sqlite3_stmt *st, ky_err *err, const char *zWhat);

/* ---------------------------------------------------------------- metadata, tokens */

int eng_journal_meta_set(eng_journal *j, const char *zKey, const char *zValue, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if ((rc = txn_row_begin(j, j->tClean, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_META_PUT];
	sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
	bind_text(st, 2, zValue);
	return batched(j, st, err, "store metadata");
}

/* Copies column 0 of a one-row lookup; NULL with KY_ENOENT when there is no row. */
static char *lookup_text(eng_journal *j, sqlite3_stmt *st, ky_err *err, const char *zWhat) {
	char *z = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		z = strdup(v ? v : "");
		if (!z) ky_err_set(err, KY_ENOMEM, "journal %s: out of memory", j->zPath);
	} else if (rc == SQLITE_DONE) {
		ky_err_set(err, KY_ENOENT, "journal %s: no %s", j->zPath, zWhat);
	} else {
		db_err(j, err, rc, zWhat);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return z;
}

char *eng_journal_meta_get(eng_journal *j, const char *zKey, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_META_GET];
	sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
	return lookup_text(j, st, err, zKey);
}

int eng_journal_token_put(eng_journal *j, const char *zTeam, const char *zDigestHex, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_TOKEN_PUT];
	sqlite3_bind_text(st, 1, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zDigestHex, -1, SQLITE_STATIC);
	return durable_step(j, st, err, "store a token digest");
}

int eng_journal_token_get(eng_journal *j, const char *zTeam, char *zOut, size_t nOut, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_TOKEN_GET];
	sqlite3_bind_text(st, 1, zTeam, -1, SQLITE_STATIC);
	ky_err e = { 0 };
	char *z = lookup_text(j, st, &e, "token digest");
	if (!z) {
		if (e.code == KY_ENOENT) return ky_err_set(err, KY_ENOENT, "journal %s: no token for team '%s'", j->zPath, zTeam);
		if (err) *err = e;
		return e.code;
	}
	if (nOut > 0) {
		strncpy(zOut, z, nOut - 1);
		zOut[nOut - 1] = 0;
	}
	free(z);
	return 0;
}

/* ---------------------------------------------------------------- batched rows */

static int batched(eng_journal *j, sqlite3_stmt *st, ky_err *err, const char *zWhat) {
	int rc = step_done(j, st, err, zWhat);
	if (rc != 0) return rc;
	return txn_row_end(j, err);
}

int eng_journal_event(eng_journal *j, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_EVENT];
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, zKind ? zKind : "", -1, SQLITE_STATIC);
	bind_text(st, 3, zSubject);
	bind_text(st, 4, zDetail);
	return batched(j, st, err, "store an event");
}

int eng_journal_inject(eng_journal *j, eng_time_t t, const char *zTeam, const char *zInject, const char *zMsg, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_INJECT];
	sqlite3_bind_text(st, 1, zInject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t);
	bind_text(st, 3, zMsg);
	if ((rc = step_done(j, st, err, "store an inject")) != 0) return rc;
	st = j->aStmt[S_DELIVERY];
	sqlite3_bind_text(st, 1, zInject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t);
	return batched(j, st, err, "store a delivery");
}

int eng_journal_message(eng_journal *j, eng_time_t t, const char *zFrom, const char *zTo, const char *zMsg, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_MESSAGE];
	sqlite3_bind_int64(st, 1, t);
	bind_text(st, 2, zFrom);
	bind_text(st, 3, zTo);
	bind_text(st, 4, zMsg);
	return batched(j, st, err, "store a message");
}

int eng_journal_score(eng_journal *j, eng_time_t t, const char *zTeam, double score, const char *zMsg, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_SCORE];
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, score);
	bind_text(st, 4, zMsg);
	return batched(j, st, err, "store a score");
}

int eng_journal_metrics(eng_journal *j, eng_time_t t, const char *zMetrics, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_METRICS];
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, zMetrics ? zMetrics : "{}", -1, SQLITE_STATIC);
	return batched(j, st, err, "store metrics");
}

/* ---------------------------------------------------------------- snapshot delta codec */

static size_t put_varint(unsigned char *p, uint64_t v) {
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static int get_varint(const unsigned char *p, size_t n, size_t *pi, uint64_t *pv) {
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pi >= n) return -1;
		unsigned char c = p[(*pi)++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*pv = v;
			return 0;
		}
	}
	return -1;
}

/* The XOR of prev and cur at i (prev NULL: zeros), 8 bytes at once or one. */
static inline uint64_t xor_word(const unsigned char *prev, const unsigned char *cur, size_t i) {
	uint64_t x, y = 0;
	memcpy(&x, cur + i, 8);
	if (prev) memcpy(&y, prev + i, 8);
	return x ^ y;
}
static inline unsigned char xor_byte(const unsigned char *prev, const unsigned char *cur, size_t i) {
	return (unsigned char)(prev ? prev[i] ^ cur[i] : cur[i]);
}

/* Encodes cur XOR prev (same length n; prev NULL: zeros, i.e. cur with its zero runs elided) as pairs (zero run,
 * literal run, literal bytes) into out, which must hold nLimit + 32 bytes. Zero runs shorter than 8 bytes stay
 * inside literals; trailing zeros are not written. Returns the encoded length, or nLimit + 1 as soon as the
 * encoding would be longer than nLimit. Scans 8 bytes at a time. */
static inline size_t delta_encode_impl(const unsigned char *prev, const unsigned char *cur, size_t n, unsigned char *out,
                                       size_t nLimit) {
	size_t i = 0, o = 0;
	while (i < n) {
		/* the zero run from i */
		size_t z = i;
		while (z + 8 <= n && xor_word(prev, cur, z) == 0) z += 8;
		while (z < n && xor_byte(prev, cur, z) == 0) z++;
		if (z == n) break; /* zeros to the end: nothing to write */
		/* the literal from z (non-zero) up to the next run of 8 zero bytes: k stays just past a non-zero byte, so
		 * a run of 8 starting right after a literal byte is found at k */
		size_t k = z + 1;
		for (;;) {
			if (k + 8 > n) {
				size_t e = n;
				while (e > k && xor_byte(prev, cur, e - 1) == 0) e--;
				k = e;
				break;
			}
			if (xor_word(prev, cur, k) == 0) break;
			size_t m = 7;
			while (xor_byte(prev, cur, k + m) == 0) m--;
			k += m + 1;
		}
		size_t nLit = k - z;
		if (o + nLit + 20 > nLimit) return nLimit + 1;
		o += put_varint(out + o, z - i);
		o += put_varint(out + o, nLit);
		if (!prev) {
			memcpy(out + o, cur + z, nLit);
		} else {
			size_t m = 0;
			for (; m + 8 <= nLit; m += 8) {
				uint64_t x = xor_word(prev, cur, z + m);
				memcpy(out + o + m, &x, 8);
			}
			for (; m < nLit; m++) out[o + m] = xor_byte(prev, cur, z + m);
		}
		o += nLit;
		i = k;
	}
	return o;
}

/* Two copies of the encoder, so that the prev == NULL tests fold away. */
static size_t delta_encode(const unsigned char *prev, const unsigned char *cur, size_t n, unsigned char *out, size_t nLimit) {
	return delta_encode_impl(prev, cur, n, out, nLimit);
}
static size_t zeros_encode(const unsigned char *cur, size_t n, unsigned char *out, size_t nLimit) {
	return delta_encode_impl(NULL, cur, n, out, nLimit);
}

/* Applies a delta in place to buf (length n). -1 if the delta does not fit. */
static int delta_apply(unsigned char *buf, size_t n, const unsigned char *d, size_t nd) {
	size_t i = 0, pos = 0;
	while (i < nd) {
		uint64_t nZero, nLit;
		if (get_varint(d, nd, &i, &nZero) || get_varint(d, nd, &i, &nLit)) return -1;
		if (nZero > n - pos) return -1;
		pos += nZero;
		if (nLit > n - pos || nLit > nd - i) return -1;
		uint64_t m = 0;
		for (; m + 8 <= nLit; m += 8) {
			uint64_t a, b;
			memcpy(&a, buf + pos + m, 8);
			memcpy(&b, d + i + m, 8);
			a ^= b;
			memcpy(buf + pos + m, &a, 8);
		}
		for (; m < nLit; m++) buf[pos + m] ^= d[i + m];
		pos += nLit;
		i += nLit;
	}
	return 0;
}

/* Scratch buffer k (0: keyframe, 1: delta) of at least n bytes; NULL when out of memory. */
static unsigned char *scratch(eng_journal *j, int k, size_t n) {
	if (j->nScratch[k] < n) {
		unsigned char *p = realloc(j->pScratch[k], n);
		if (!p) return NULL;
		j->pScratch[k] = p;
		j->nScratch[k] = n;
	}
	return j->pScratch[k];
}

/* Keeps blob as the base of the next delta. */
static void keep_prev(eng_journal *j, const unsigned char *pBlob, size_t nBlob) {
	if (j->nPrev != nBlob || !j->pPrev) {
		unsigned char *p = realloc(j->pPrev, nBlob ? nBlob : 1);
		if (!p) {
			free(j->pPrev);
			j->pPrev = NULL;
			j->nPrev = 0;
			return;
		}
		j->pPrev = p;
		j->nPrev = nBlob;
	}
	if (nBlob) memcpy(j->pPrev, pBlob, nBlob);
}

int eng_journal_snapshot(eng_journal *j, eng_time_t t, const unsigned char *pBlob, size_t nBlob, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	/* the same bytes again at the same time (e.g. the final snapshot of a drill that just took one): nothing to do */
	if (t == j->tPrevSnap && j->nSinceKey >= 0 && j->pPrev && j->nPrev == nBlob && memcmp(j->pPrev, pBlob, nBlob) == 0) {
		return 0;
	}
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	/* keyframe: whole (kind 0), or with its zero runs elided (kind 2) when that saves an eighth at least */
	int kind = 0;
	const unsigned char *pData = pBlob;
	size_t nData = nBlob;
	unsigned char *pKey = scratch(j, 0, nBlob + 32);
	if (!pKey) return ky_err_set(err, KY_ENOMEM, "journal %s: out of memory for a snapshot", j->zPath);
	size_t nKey = zeros_encode(pBlob, nBlob, pKey, nBlob - nBlob / 8);
	if (nKey <= nBlob - nBlob / 8) kind = 2, pData = pKey, nData = nKey;
	/* delta (kind 1) against the previous snapshot, unless the chain is long enough or it is a replacement (a
	 * second snapshot at the same time replaces the first, which is what a delta would use); it must be under
	 * 3/4 of the keyframe. After two that did not pay, only every 16th snapshot tries again. */
	int bDelta = j->nSinceKey >= 0 && j->nSinceKey + 1 < j->nKeyEvery && j->pPrev && j->nPrev == nBlob && t != j->tPrevSnap;
	if (bDelta && j->nDeltaFail >= 2 && (j->nDeltaFail++ % 16) != 0) bDelta = 0;
	if (bDelta) {
		size_t lim = nData - nData / 4;
		unsigned char *pDelta = scratch(j, 1, lim + 32);
		if (!pDelta) return ky_err_set(err, KY_ENOMEM, "journal %s: out of memory for a snapshot", j->zPath);
		size_t nDelta = delta_encode(j->pPrev, pBlob, nBlob, pDelta, lim);
		if (nDelta <= lim) {
			kind = 1, pData = pDelta, nData = nDelta;
			j->nDeltaFail = 0;
		} else if (j->nDeltaFail < 2) {
			j->nDeltaFail++;
		}
	}
	if (kind != 1) j->tKey = t;
	sqlite3_stmt *st = j->aStmt[S_SNAPSHOT];
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_int64(st, 3, j->tKey);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)nBlob);
	sqlite3_bind_blob64(st, 5, nData ? (const void *)pData : (const void *)"", nData, SQLITE_STATIC);
	if ((rc = batched(j, st, err, "store a snapshot")) != 0) return rc;
	keep_prev(j, pBlob, nBlob);
	j->nSinceKey = !j->pPrev ? -1 : kind != 1 ? 0 : j->nSinceKey + 1;
	j->tPrevSnap = t;
	return 0;
}

int eng_journal_snapshot_at(eng_journal *j, eng_time_t t, unsigned char **ppBlob, size_t *pLen, eng_time_t *pT, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_SNAP_FIND];
	unsigned char *buf = NULL;
	size_t n = 0;
	int rc;
	*ppBlob = NULL;
	*pLen = 0;
	sqlite3_bind_int64(st, 1, t);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE) return ky_err_set(err, KY_ENOENT, "journal %s: no snapshot at or before %lld us", j->zPath, (long long)t);
		return db_err(j, err, rc, "find a snapshot");
	}
	eng_time_t tSnap = sqlite3_column_int64(st, 0);
	int kind = sqlite3_column_int(st, 1);
	eng_time_t tBase = kind != 1 ? tSnap : sqlite3_column_int64(st, 2);
	sqlite3_reset(st);

	st = j->aStmt[S_SNAP_CHAIN];
	sqlite3_bind_int64(st, 1, tBase);
	sqlite3_bind_int64(st, 2, tSnap);
	int bFirst = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 1);
		sqlite3_int64 rawLen = sqlite3_column_int64(st, 2);
		const unsigned char *d = sqlite3_column_blob(st, 3);
		size_t nd = (size_t)sqlite3_column_bytes(st, 3);
		if (bFirst) {
			/* a keyframe: whole, or its zero runs elided (a delta against zeros) */
			if ((k != 0 && k != 2) || rawLen < 0 || (k == 0 && (size_t)rawLen != nd)) goto damaged;
			if (k == 2 && (uint64_t)rawLen > JRN_SNAP_MAX) goto damaged; /* a damaged length: not an allocation */
			n = (size_t)rawLen;
			buf = k == 0 ? malloc(n ? n : 1) : calloc(n ? n : 1, 1);
			if (!buf) {
				sqlite3_reset(st);
				return ky_err_set(err, KY_ENOMEM, "journal %s: out of memory for a snapshot", j->zPath);
			}
			if (k == 0 && n) memcpy(buf, d, n);
			if (k == 2 && delta_apply(buf, n, d ? d : (const unsigned char *)"", nd) != 0) goto damaged;
			bFirst = 0;
		} else {
			if (k != 1 || (size_t)rawLen != n || delta_apply(buf, n, d ? d : (const unsigned char *)"", nd) != 0) goto damaged;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(buf);
		return db_err(j, err, rc, "read snapshots");
	}
	if (bFirst) return ky_err_set(err, KY_EPARSE, "journal %s: snapshot at %lld us: its keyframe is missing", j->zPath, (long long)tSnap);
	*ppBlob = buf;
	*pLen = n;
	if (pT) *pT = tSnap;
	return 0;
damaged:
	sqlite3_reset(st);
	free(buf);
	return ky_err_set(err, KY_EPARSE, "journal %s: snapshot chain from %lld us to %lld us is damaged", j->zPath,
	                  (long long)tBase, (long long)tSnap);
}

/* ---------------------------------------------------------------- inputs */

int eng_journal_action(eng_journal *j, int64_t seq, const char *zTeam, const char *zClientId, eng_time_t t,
                       const char *zKind, const char *zArgs, const char *zResult, const char *zInject, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (zClientId) {
		int64_t old;
		ky_err e = { 0 };
		rc = eng_journal_action_find(j, zTeam, zClientId, &old, &e);
		if (rc == 0) return ky_err_set(err, KY_ESTATE, "journal %s: action '%s' of team '%s' already recorded as seq %lld",
		                               j->zPath, zClientId, zTeam, (long long)old);
		if (rc != KY_ENOENT) {
			if (err) *err = e;
			return rc;
		}
	}
	sqlite3_stmt *st = j->aStmt[S_SEQ_EXISTS];
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) return ky_err_set(err, KY_ESTATE, "journal %s: action seq %lld already recorded", j->zPath, (long long)seq);
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "look up an action");
	if (t > j->tClean) j->tClean = t;
	st = j->aStmt[S_ACTION];
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, j->iOrd + 1);
	sqlite3_bind_text(st, 3, zTeam, -1, SQLITE_STATIC);
	bind_text(st, 4, zClientId);
	sqlite3_bind_int64(st, 5, t);
	sqlite3_bind_text(st, 6, zKind, -1, SQLITE_STATIC);
	bind_text(st, 7, zArgs);
	bind_text(st, 8, zResult);
	bind_text(st, 9, zInject);
	if ((rc = durable_step(j, st, err, "store an action")) != 0) return rc;
	j->iOrd++;
	return 0;
}

int eng_journal_action_result(eng_journal *j, eng_time_t t, int64_t seq, const char *zResult, const char *zInject, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_ACTION_RESULT];
	sqlite3_bind_int64(st, 1, seq);
	bind_text(st, 2, zResult);
	bind_text(st, 3, zInject);
	return batched(j, st, err, "store an action's result");
}

int eng_journal_action_find(eng_journal *j, const char *zTeam, const char *zClientId, int64_t *pSeq, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_ACTION_FIND];
	sqlite3_bind_text(st, 1, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zClientId, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) *pSeq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW) return 0;
	if (rc == SQLITE_DONE) return ky_err_set(err, KY_ENOENT, "journal %s: no action '%s' of team '%s'", j->zPath, zClientId, zTeam);
	return db_err(j, err, rc, "look up an action");
}

int eng_journal_grade(eng_journal *j, eng_time_t t, int64_t seq, double points, const char *zComment, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (t > j->tClean) j->tClean = t;
	sqlite3_stmt *st = j->aStmt[S_GRADE];
	sqlite3_bind_int64(st, 1, j->iOrd + 1);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, t);
	sqlite3_bind_double(st, 4, points);
	bind_text(st, 5, zComment);
	if ((rc = durable_step(j, st, err, "store a grade")) != 0) return rc;
	j->iOrd++;
	return 0;
}

int eng_journal_read(eng_journal *j, eng_time_t t, const char *zTeam, const char *zInject, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (t > j->tClean) j->tClean = t;
	sqlite3_stmt *st = j->aStmt[S_READ];
	sqlite3_bind_int64(st, 1, j->iOrd + 1);
	sqlite3_bind_text(st, 2, zInject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t);
	if ((rc = durable_step(j, st, err, "store a read receipt")) != 0) return rc;
	if (sqlite3_changes(j->db) > 0) j->iOrd++;
	return 0;
}

int eng_journal_adhoc(eng_journal *j, eng_time_t t, const char *zMsg, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (t > j->tClean) j->tClean = t;
	sqlite3_stmt *st = j->aStmt[S_ADHOC];
	sqlite3_bind_int64(st, 1, j->iOrd + 1);
	sqlite3_bind_int64(st, 2, t);
	sqlite3_bind_text(st, 3, zMsg, -1, SQLITE_STATIC);
	if ((rc = durable_step(j, st, err, "store an ad-hoc inject")) != 0) return rc;
	j->iOrd++;
	return 0;
}

/* ---------------------------------------------------------------- reading back */

int eng_journal_clean_time(eng_journal *j, eng_time_t *pT, ky_err *err) {
	int64_t v = 0;
	int rc = query_int(j, "SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta WHERE key = 'clean_us'", &v, err,
	                   "read the resume point");
	if (rc == 0) *pT = v;
	return rc;
}

int eng_journal_last_time(eng_journal *j, eng_time_t *pT, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_LAST_TIME];
	int rc = sqlite3_step(st);
	*pT = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_err(j, err, rc, "read the last time");
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i) {
	return (const char *)sqlite3_column_text(st, i);
}

int eng_journal_inputs(eng_journal *j, eng_journal_input_fn fn, void *ctx, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_INPUTS];
	int rc, rcFn = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		eng_journal_input in = {
			.zKind = col_text(st, 0),
			.t = sqlite3_column_int64(st, 2),
			.seq = sqlite3_column_int64(st, 3),
			.zTeam = col_text(st, 4),
			.zClientId = col_text(st, 5),
			.zActionKind = col_text(st, 6),
			.zArgs = col_text(st, 7),
			.zInject = col_text(st, 8),
			.points = sqlite3_column_double(st, 9),
			.zText = col_text(st, 10),
		};
		if ((rcFn = fn(ctx, &in)) != 0) break;
	}
	sqlite3_reset(st);
	if (rcFn) return rcFn;
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "read inputs");
	return 0;
}

int eng_journal_events(eng_journal *j, eng_time_t t0, eng_time_t t1, eng_journal_event_fn fn, void *ctx, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_EVENTS];
	int rc, rcFn = 0;
	sqlite3_bind_int64(st, 1, t0);
	sqlite3_bind_int64(st, 2, t1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rcFn = fn(ctx, sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3))) != 0) break;
	}
	sqlite3_reset(st);
	if (rcFn) return rcFn;
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "read events");
	return 0;
}

int eng_journal_truncate_derived(eng_journal *j, eng_time_t t, ky_err *err) {
	static const char *const aTable[] = { "events", "deliveries", "injects", "messages", "scores", "metrics", "snapshots",
	                                      "world_inputs" };
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (j->bGroup) return ky_err_set(err, KY_ESTATE, "journal %s: truncate inside a group", j->zPath);
	if ((rc = txn_commit(j, err)) != 0) return rc;
	if ((rc = exec_sql(j, "BEGIN IMMEDIATE", err, "begin")) != 0) return rc;
	for (size_t i = 0; i < sizeof aTable / sizeof aTable[0]; i++) {
		char zSql[96];
		snprintf(zSql, sizeof zSql, "DELETE FROM %s WHERE t_us >= %lld", aTable[i], (long long)t);
		if ((rc = exec_sql(j, zSql, err, "truncate")) != 0) {
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	if (j->tClean > t) {
		/* nothing at or after t is in the file any more: the resume point cannot be later than t */
		char zSql[96];
		snprintf(zSql, sizeof zSql, "INSERT OR REPLACE INTO meta(key, value) VALUES('clean_us', '%lld')", (long long)t);
		if ((rc = exec_sql(j, zSql, err, "store the resume point")) != 0) {
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	if ((rc = exec_sql(j, "COMMIT", err, "commit")) != 0) {
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (j->tClean > t) j->tClean = j->tCleanStored = t;
	/* the next snapshot starts a new chain */
	j->nSinceKey = -1;
	return 0;
}

int64_t eng_journal_count(eng_journal *j, const char *zTable, ky_err *err) {
	static const char *const aTable[] = { "events", "injects", "deliveries", "reads", "messages", "actions",
	                                      "grades", "scores", "metrics", "snapshots", "tokens", "adhoc",
	                                      "feedback", "actors", "world_inputs" };
	for (size_t i = 0; i < sizeof aTable / sizeof aTable[0]; i++) {
		if (strcmp(zTable, aTable[i]) != 0) continue;
		if (i >= 12 && j->iSchema < (i >= 14 ? 4 : 3)) return 0; /* an older file read as it is */
		char zSql[64];
		int64_t n = 0;
		snprintf(zSql, sizeof zSql, "SELECT count(*) FROM %s", aTable[i]);
		if (query_int(j, zSql, &n, err, "count rows") != 0) return -1;
		return n;
	}
	ky_err_set(err, KY_EINVAL, "journal %s: unknown table '%s'", j->zPath, zTable);
	return -1;
}

/* ---------------------------------------------------------------- the world's inputs, walks, copies */

int eng_journal_world_input(eng_journal *j, eng_time_t t, int64_t step, int phase, const char *zKind, const char *zName,
                            const char *zTeam, const char *zArgs, ky_err *err) {
	int rc;
	if ((rc = txn_row_begin(j, t, err)) != 0) return rc;
	sqlite3_stmt *st = j->aStmt[S_WORLD_INPUT];
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int(st, 3, phase);
	sqlite3_bind_text(st, 4, zKind ? zKind : "", -1, SQLITE_STATIC);
	bind_text(st, 5, zName);
	bind_text(st, 6, zTeam);
	bind_text(st, 7, zArgs);
	return batched(j, st, err, "store a world input");
}

int eng_journal_world_inputs(eng_journal *j, eng_time_t t0, eng_time_t t1, eng_journal_world_fn fn, void *ctx, ky_err *err) {
	if (j->iSchema < 4) {
		return ky_err_set(err, KY_ENOENT, "journal %s: schema %d has no world_inputs (written by an older kyodo)", j->zPath,
		                  j->iSchema);
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, "SELECT ord, t_us, kind, name, team, args, step, phase FROM world_inputs"
	                                   " WHERE t_us >= ?1 AND t_us <= ?2 ORDER BY ord", -1, &st, NULL);
	if (rc != SQLITE_OK) return db_err(j, err, rc, "read world inputs");
	sqlite3_bind_int64(st, 1, t0);
	sqlite3_bind_int64(st, 2, t1);
	int rcFn = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		eng_journal_world_row r = {
			.ord = sqlite3_column_int64(st, 0),
			.t = sqlite3_column_int64(st, 1),
			.zKind = col_text(st, 2),
			.zName = col_text(st, 3),
			.zTeam = col_text(st, 4),
			.zArgs = col_text(st, 5),
			.step = sqlite3_column_int64(st, 6),
			.phase = sqlite3_column_int(st, 7),
		};
		if ((rcFn = fn(ctx, &r)) != 0) break;
	}
	sqlite3_finalize(st);
	if (rcFn) return rcFn;
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "read world inputs");
	return 0;
}

int eng_journal_copy(eng_journal *j, const char *zDstPath, ky_err *err) {
	sqlite3 *dst = NULL;
	if (j->bGroup) return ky_err_set(err, KY_ESTATE, "journal %s: copy inside a group", j->zPath);
	int rc = j->bReadOnly ? 0 : txn_commit(j, err);
	if (rc != 0) return rc;
	remove_files(zDstPath);
	rc = sqlite3_open_v2(zDstPath, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	/* a copy that fails is removed: nothing to make durable page by page (the first writer's commits sync it) */
	if (rc == SQLITE_OK) rc = sqlite3_exec(dst, "PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", j->db, "main");
		if (!b) {
			rc = sqlite3_errcode(dst);
		} else {
			rc = sqlite3_backup_step(b, -1);
			int rc2 = sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? rc2 : rc;
		}
	}
	if (rc != SQLITE_OK) {
		ky_err_set(err, KY_EIO, "journal %s: copy to %s: %s (sqlite %d)", j->zPath, zDstPath,
		           dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc), rc);
		sqlite3_close(dst);
		remove_files(zDstPath);
		return KY_EIO;
	}
	sqlite3_close(dst);
	return 0;
}

int eng_journal_truncate_inputs(eng_journal *j, eng_time_t t, ky_err *err) {
	static const char *const aTable[] = { "actions", "grades", "reads", "adhoc" };
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	if (j->bGroup) return ky_err_set(err, KY_ESTATE, "journal %s: truncate inside a group", j->zPath);
	if ((rc = txn_commit(j, err)) != 0) return rc;
	if ((rc = exec_sql(j, "BEGIN IMMEDIATE", err, "begin")) != 0) return rc;
	for (size_t i = 0; i < sizeof aTable / sizeof aTable[0]; i++) {
		char zSql[96];
		snprintf(zSql, sizeof zSql, "DELETE FROM %s WHERE t_us >= %lld", aTable[i], (long long)t);
		if ((rc = exec_sql(j, zSql, err, "truncate inputs")) != 0) {
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	if ((rc = exec_sql(j, "COMMIT", err, "commit")) != 0) {
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	int64_t v = 0;
	if ((rc = query_int(j, aSql[S_MAX_ORD], &v, err, "read the input order")) != 0) return rc;
	j->iOrd = v;
	return 0;
}

/* ---------------------------------------------------------------- hot wash, actors */

/* The statement i, or KY_EVERSION when the file is older than the statement's schema (read-only, as it is). */
static sqlite3_stmt *stmt_or_version(eng_journal *j, int i, ky_err *err) {
	if (j->aStmt[i]) return j->aStmt[i];
	ky_err_set(err, KY_EVERSION, "journal %s: schema %d has no %s (a newer kyodo writes it)", j->zPath, j->iSchema,
	           i == S_FEEDBACK ? "feedback table" : "actors table");
	return NULL;
}

int eng_journal_feedback(eng_journal *j, eng_time_t t, const char *zTeam, const char *zParticipant, const char *zName,
                         const char *zAnswers, const char *zAt, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	sqlite3_stmt *st = stmt_or_version(j, S_FEEDBACK, err);
	if (!st) return err ? err->code : KY_EVERSION;
	assert(zTeam && zParticipant && zAnswers);
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, zParticipant, -1, SQLITE_STATIC);
	bind_text(st, 4, zName);
	sqlite3_bind_text(st, 5, zAnswers, -1, SQLITE_STATIC);
	bind_text(st, 6, zAt);
	return durable_step(j, st, err, "store feedback");
}

int eng_journal_actor(eng_journal *j, const char *zTeam, const char *zClientId, const char *zName, ky_err *err) {
	int rc;
	if ((rc = writable(j, err)) != 0) return rc;
	sqlite3_stmt *st = stmt_or_version(j, S_ACTOR, err);
	if (!st) return err ? err->code : KY_EVERSION;
	if ((rc = txn_row_begin(j, j->tClean, err)) != 0) return rc;
	sqlite3_bind_text(st, 1, zTeam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zClientId, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, zName, -1, SQLITE_STATIC);
	return batched(j, st, err, "store an actor");
}

/* ---------------------------------------------------------------- reading whole tables (reports) */

/* One SELECT per table, its columns in the order eng_journal_rows maps them: t_us, seq, team, inject, from, to,
 * kind, args, result, actor, json, value, text. Missing columns are NULL. NULL for a table it does not walk. */
static const char *rows_sql(const eng_journal *j, const char *zTable) {
	static const struct { const char *zName, *zSql; int since; } a[] = {
		{ "injects", "SELECT t_us, 0, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, msg, 0, NULL FROM injects ORDER BY t_us, id", 0 },
		{ "deliveries", "SELECT t_us, 0, team, inject, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL FROM deliveries"
		                " ORDER BY t_us, rowid", 0 },
		{ "reads", "SELECT t_us, 0, team, inject, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL FROM reads ORDER BY ord", 0 },
		{ "messages", "SELECT t_us, 0, NULL, NULL, from_team, to_team, NULL, NULL, NULL, NULL, msg, 0, NULL FROM messages"
		              " ORDER BY t_us, id", 0 },
		{ "actions", "SELECT a.t_us, a.seq, a.team, a.inject, NULL, NULL, a.kind, a.args, a.result, w.name, a.client_id, 0, NULL"
		             " FROM actions a LEFT JOIN actors w ON w.team = a.team AND w.client_id = a.client_id ORDER BY a.seq", 3 },
		{ "actions", "SELECT t_us, seq, team, inject, NULL, NULL, kind, args, result, NULL, client_id, 0, NULL FROM actions"
		             " ORDER BY seq", 0 },
		{ "grades", "SELECT t_us, seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, points, comment FROM grades"
		            " ORDER BY ord", 0 },
		{ "scores", "SELECT t_us, 0, team, NULL, NULL, NULL, NULL, NULL, NULL, NULL, msg, score, NULL FROM scores"
		            " ORDER BY t_us, id", 0 },
		{ "metrics", "SELECT t_us, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, data, 0, NULL FROM metrics"
		             " ORDER BY t_us, id", 0 },
		{ "feedback", "SELECT t_us, id, team, NULL, NULL, NULL, NULL, NULL, NULL, name, answers, 0, participant || char(31) ||"
		              " coalesce(at, '') FROM feedback ORDER BY id", 3 },
		{ "adhoc", "SELECT t_us, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, msg, 0, NULL FROM adhoc ORDER BY ord", 0 },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		if (!strcmp(a[i].zName, zTable) && j->iSchema >= a[i].since) return a[i].zSql;
	}
	return NULL;
}

int eng_journal_rows(eng_journal *j, const char *zTable, eng_journal_row_fn fn, void *ctx, ky_err *err) {
	if (!strcmp(zTable, "feedback") && j->iSchema < 3) return 0; /* an older file read as it is: no hot wash */
	const char *zSql = rows_sql(j, zTable);
	if (!zSql) return ky_err_set(err, KY_EINVAL, "journal %s: eng_journal_rows: unknown table '%s'", j->zPath, zTable);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, zSql, -1, &st, NULL);
	if (rc != SQLITE_OK) return db_err(j, err, rc, "read rows");
	int rcFn = 0;
	char *zSplit = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		eng_journal_row r = {
			.t = sqlite3_column_int64(st, 0),
			.seq = sqlite3_column_int64(st, 1),
			.zTeam = col_text(st, 2),
			.zInject = col_text(st, 3),
			.zFrom = col_text(st, 4),
			.zTo = col_text(st, 5),
			.zKind = col_text(st, 6),
			.zArgs = col_text(st, 7),
			.zResult = col_text(st, 8),
			.zActor = col_text(st, 9),
			.zJson = col_text(st, 10),
			.value = sqlite3_column_double(st, 11),
			.zText = col_text(st, 12),
		};
		if (!strcmp(zTable, "actions")) {
			r.zClientId = r.zJson;
			r.zJson = NULL;
		} else if (!strcmp(zTable, "feedback") && r.zText) {
			/* participant and wall time travel as one column (participant ids never hold the unit separator) */
			free(zSplit);
			zSplit = strdup(r.zText);
			char *zSep = zSplit ? strchr(zSplit, 31) : NULL;
			if (zSep) *zSep = 0;
			r.zParticipant = zSplit;
			r.zText = zSep && zSep[1] ? zSep + 1 : NULL;
		}
		if ((rcFn = fn(ctx, &r)) != 0) break;
	}
	free(zSplit);
	sqlite3_finalize(st);
	if (rcFn) return rcFn;
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "read rows");
	return 0;
}

int eng_journal_events_kind(eng_journal *j, const char *zPrefix, eng_journal_event_fn fn, void *ctx, ky_err *err) {
	sqlite3_stmt *st = j->aStmt[S_EVENTS_KIND];
	size_t n = strlen(zPrefix);
	char *zEnd = malloc(n + 2);
	if (!zEnd) return ky_err_set(err, KY_ENOMEM, "journal %s: out of memory", j->zPath);
	/* kinds in [prefix, prefix with its last byte + 1): the events_kind index answers it */
	memcpy(zEnd, zPrefix, n + 1);
	if (n == 0) {
		zEnd[0] = (char)0x7f, zEnd[1] = 0;
	} else {
		assert((unsigned char)zEnd[n - 1] < 0xff);
		zEnd[n - 1]++;
	}
	int rc, rcFn = 0;
	sqlite3_bind_text(st, 1, zPrefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zEnd, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rcFn = fn(ctx, sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3))) != 0) break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(zEnd);
	if (rcFn) return rcFn;
	if (rc != SQLITE_DONE) return db_err(j, err, rc, "read events");
	return 0;
}

int eng_journal_schema(const eng_journal *j) {
	return j->iSchema;
}
