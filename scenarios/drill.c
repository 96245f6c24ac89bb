/* drill: see drill.h. (Thin first version: bodies are filled in as the world lands.) */
#include "scenarios/drill.h"

#include <stdlib.h>

struct scn_drill {
	eng_sim *pSim;
};

scn_drill *scn_drill_open(const char *zPath, const scn_drill_opts *opts, ky_err *err) {
	(void)opts;
	ky_err_set(err, KY_ESTATE, "%s: drill not built yet", zPath);
	return NULL;
}
void scn_drill_free(scn_drill *d) { free(d); }
json_t *scn_drill_exercise_json(const scn_drill *d) { (void)d; return json_object(); }
eng_time_t scn_drill_duration(const scn_drill *d) { (void)d; return 0; }
eng_time_t scn_drill_now(const scn_drill *d) { return d && d->pSim ? eng_sim_now(d->pSim) : 0; }
int scn_drill_advance_to(scn_drill *d, eng_time_t t, ky_err *err) {
	(void)d; (void)t;
	return ky_err_set(err, KY_ESTATE, "drill not built yet");
}
int scn_drill_action(scn_drill *d, const char *team, const char *zClientId, const char *kind, json_t *args,
                     const char *zInject, int64_t *pSeq, ky_err *err) {
	(void)d; (void)team; (void)zClientId; (void)kind; (void)args; (void)zInject; (void)pSeq;
	return ky_err_set(err, KY_ESTATE, "drill not built yet");
}
int scn_drill_inject(scn_drill *d, json_t *msg, ky_err *err) {
	(void)d; (void)msg;
	return ky_err_set(err, KY_ESTATE, "drill not built yet");
}
int scn_drill_grade(scn_drill *d, int64_t seq, double points, const char *zComment, ky_err *err) {
	(void)d; (void)seq; (void)points; (void)zComment;
	return ky_err_set(err, KY_ESTATE, "drill not built yet");
}
int scn_drill_read(scn_drill *d, const char *team, const char *zInject, ky_err *err) {
	(void)d; (void)team; (void)zInject;
	return ky_err_set(err, KY_ESTATE, "drill not built yet");
}
json_t *scn_drill_scores_json(const scn_drill *d) { (void)d; return json_object(); }
json_t *scn_drill_backlog_json(const scn_drill *d, const char *team) { (void)d; (void)team; return json_array(); }
json_t *scn_drill_summary_json(const scn_drill *d) { (void)d; return json_object(); }
veh_world *scn_drill_world(scn_drill *d) { (void)d; return NULL; }
eng_sim *scn_drill_sim(scn_drill *d) { return d ? d->pSim : NULL; }
int scn_drill_add_observer(scn_drill *d, const scn_observer *obs) { (void)d; (void)obs; return 0; }
