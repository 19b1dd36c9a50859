/*
 * scoring.c — modifiers applied to every behavioural score.
 *
 * An analyzer measures behaviour (how regular, how long, how random); the
 * context of the destination then moves that score up or down, in the manner
 * RITA publishes (additive adjustments, the final score clamped to [0, 1]).
 * Each adjustment and its reason is written into the evidence so an analyst
 * (and an approver later) sees why a score is what it is.
 *
 *   intel hit     the object is named by an indicator            +0.15
 *   prevalence    share p of internal hosts that reach the object:
 *                 common destinations (update servers, SaaS) are what
 *                 many hosts do on purpose; C2 is rare. Ramps from 0 at
 *                 p ≤ 5 % to −0.30 at p ≥ 25 %; only with ≥ 5 internal hosts
 *   first seen    once the analyzer has watched ≥ 7 days: an object first
 *                 seen ≤ 7 days ago +0.10, one seen for ≥ 30 days −0.10
 *   warninglist   CDN/cloud/top-site lists: well-known infrastructure
 *                                                                 −0.25
 * Rare destinations get no bonus: rarity is every beacon's normal state and
 * in a large network most benign pairs are rare too, so a bonus would raise
 * false positives without separating anything.
 */
#include <math.h>

#include "detect/detect-int.h"

#define DAY (86400ULL * SK_NS_PER_SEC)

static void note(json_t *mods, const char *key, double delta, json_t *detail)
{
    if (!mods) {
        json_decref(detail);
        return;
    }
    json_object_set_new(detail, "delta", json_real(round(delta * 1000) / 1000));
    json_object_set_new(mods, key, detail);
}

double sk__score_modify(double base, const struct sk__mod_in *m, json_t *ev)
{
    json_t *mods = ev ? json_object() : NULL;
    double s = base;

    if (m->intel_hit) {
        s += 0.15;
        note(mods, "intel", 0.15, json_pack("{s:b}", "hit", 1));
    }
    if (m->internal_hosts >= 5 && m->prevalence_hosts > 0) {
        double p = (double)m->prevalence_hosts / (double)m->internal_hosts;
        double ramp = (p - 0.05) / (0.25 - 0.05);
        double d = ramp <= 0 ? 0 : ramp >= 1 ? -0.30 : -0.30 * ramp;
        s += d;
        note(mods, "prevalence", d,
             json_pack("{s:i,s:i,s:f}", "hosts", (json_int_t)m->prevalence_hosts, "of",
                       (json_int_t)m->internal_hosts, "fraction", round(p * 10000) / 10000));
    }
    if (m->now > m->observed_since && m->now - m->observed_since >= 7 * DAY &&
        m->first_seen && m->now >= m->first_seen) {
        double age_days = (double)(m->now - m->first_seen) / (double)DAY;
        double d = age_days <= 7 ? 0.10 : age_days >= 30 ? -0.10 : 0;
        s += d;
        note(mods, "first_seen", d, json_pack("{s:f}", "age_days", round(age_days * 10) / 10));
    }
    if (m->warninglist) {
        s -= 0.25;
        note(mods, "warninglist", -0.25, json_pack("{s:s}", "list", m->warninglist));
    }
    if (s < 0)
        s = 0;
    if (s > 1)
        s = 1;
    if (mods) {
        if (json_object_size(mods))
            json_object_set_new(ev, "modifiers", mods);
        else
            json_decref(mods);
    }
    return s;
}
