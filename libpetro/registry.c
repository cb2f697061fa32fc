/* The family registry (ops/ops.h, petro/schema.h): the one list of operation families, built
 * from families.def, and every lookup the core makes by operation type or family name.
 *
 * Design. The list is a constant array of pointers to the families' descriptors; there is no
 * mutable table and no registration at run time, so the registry is the same on every node
 * and in every thread. Lookups by type walk the families and their operations (a few dozen
 * entries; each family's operations ascend by type, which the self-check asserts). */
#include <string.h>

#include "internal.h"
#include "ops/ops.h"

#define PETRO_FAMILY(name) extern const petro__family petro__family_##name;
#include "families.def"
#undef PETRO_FAMILY

static const petro__family *const families[] = {
#define PETRO_FAMILY(name) &petro__family_##name,
#include "families.def"
#undef PETRO_FAMILY
};

#define FAMILY_COUNT (sizeof families / sizeof families[0])

size_t petro__family_count(void) { return FAMILY_COUNT; }

const petro__family *petro__family_get(size_t i) {
    PETRO_ASSERT(i < FAMILY_COUNT);
    return families[i];
}

const petro__op_def *petro__op_def_of(uint8_t type) {
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        const petro__family *fam = families[f];
        for (size_t i = 0; i < fam->info.op_count; i++) {
            if (fam->ops[i].schema.type == type) return &fam->ops[i];
            if (fam->ops[i].schema.type > type) break; /* ascending */
        }
    }
    return NULL;
}

const petro_op_schema *petro_op_schema_of(uint8_t type) {
    const petro__op_def *def = petro__op_def_of(type);
    return def != NULL ? &def->schema : NULL;
}

const petro_op_schema *petro_op_schema_find(const char *name) {
    PETRO_ASSERT(name != NULL);
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        for (size_t i = 0; i < families[f]->info.op_count; i++) {
            const petro_op_schema *s = &families[f]->ops[i].schema;
            if (strcmp(s->name, name) == 0) return s;
        }
    }
    return NULL;
}

size_t petro_family_count(void) { return FAMILY_COUNT; }

const petro_family_info *petro_family_at(size_t i) {
    return i < FAMILY_COUNT ? &families[i]->info : NULL;
}

const petro_family_info *petro_family_find(const char *name) {
    PETRO_ASSERT(name != NULL);
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        if (strcmp(families[f]->info.name, name) == 0) return &families[f]->info;
    }
    return NULL;
}

/* info is the first member of petro__family, so the cast back is exact. */
const petro_op_schema *petro_family_op(const petro_family_info *family, size_t i) {
    PETRO_ASSERT(family != NULL);
    PETRO_ASSERT(i < family->op_count);
    const petro__family *fam = (const petro__family *)family;
    return &fam->ops[i].schema;
}

petro_result petro_op_check(const petro_op *op) {
    PETRO_ASSERT(op != NULL);
    const petro__op_def *def = petro__op_def_of(op->type);
    if (def == NULL) return PETRO_ERR_UNKNOWN_OP;
    return def->check != NULL ? def->check(op) : PETRO_OK;
}

petro_result petro__account_list_add(petro__account_list *l, const petro_pubkey *k) {
    for (size_t i = 0; i < l->count; i++) {
        if (petro_pubkey_equal(&l->out[i], k)) return PETRO_OK;
    }
    if (l->count >= l->cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    l->out[l->count++] = *k;
    return PETRO_OK;
}

petro_result petro__check_positive(petro_amount a) {
    if (a < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (a == 0) return PETRO_ERR_AMOUNT_ZERO;
    if (a > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
    return PETRO_OK;
}

petro_result petro__check_non_negative(petro_amount a) {
    if (a < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (a > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
    return PETRO_OK;
}

/* The native asset carries no fields on the wire, so its code and issuer in memory are
 * ignored (petro_asset_equal ignores them too). */
petro_result petro__check_asset(const petro_asset *a) {
    if (a->kind == PETRO_ASSET_NATIVE) return PETRO_OK;
    if (a->kind != PETRO_ASSET_ISSUED) return PETRO_ERR_MALFORMED;
    return petro_asset_code_check(a->code);
}

petro_result petro__issue_hooks(petro__op_ctx *ctx, const petro_asset *asset,
                                petro_amount supply_after) {
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        if (families[f]->on_issue == NULL) continue;
        petro_result rc = families[f]->on_issue(ctx, asset, supply_after);
        if (rc != PETRO_OK) return rc;
    }
    return PETRO_OK;
}

const char *petro_role_name(petro_role role) {
    switch (role) {
    case PETRO_ROLE_TREASURY: return "treasury";
    case PETRO_ROLE_AUDITORS: return "auditors";
    case PETRO_ROLE_ORACLE: return "oracle";
    case PETRO_ROLE_ZONE_AUTHORITY: return "zone_authority";
    }
    return NULL;
}

/* The first family (registry order) that keeps the role answers; one family per role. */
petro_result petro_role_each(const petro_store *state, petro_role role, petro_role_cb cb,
                             void *cb_ctx) {
    PETRO_ASSERT(state != NULL && cb != NULL);
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        if (families[f]->role_each == NULL) continue;
        bool kept = false;
        petro_result rc = families[f]->role_each(state, (uint8_t)role, cb, cb_ctx, &kept);
        if (rc != PETRO_OK || kept) return rc;
    }
    return PETRO_ERR_NOT_FOUND;
}

typedef struct role_find {
    const petro_pubkey *want; /* NULL: take the first */
    petro_pubkey first;
    bool found;
} role_find;

static int role_find_visit(void *ctx, const petro_pubkey *holder) {
    role_find *s = ctx;
    if (s->want != NULL && !petro_pubkey_equal(s->want, holder)) return 0;
    s->first = *holder;
    s->found = true;
    return 1;
}

petro_result petro_role_get(const petro_store *state, petro_role role, petro_pubkey *out) {
    PETRO_ASSERT(out != NULL);
    role_find s = {.want = NULL, .found = false};
    memset(out, 0, sizeof *out);
    petro_result rc = petro_role_each(state, role, role_find_visit, &s);
    if (rc != PETRO_OK) return rc;
    if (!s.found) return PETRO_ERR_NOT_FOUND;
    *out = s.first;
    return PETRO_OK;
}

petro_result petro_role_has(const petro_store *state, petro_role role,
                            const petro_pubkey *account, bool *has) {
    PETRO_ASSERT(account != NULL && has != NULL);
    role_find s = {.want = account, .found = false};
    *has = false;
    petro_result rc = petro_role_each(state, role, role_find_visit, &s);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    *has = s.found;
    return PETRO_OK;
}

petro_result petro__add_issuer(petro__account_list *l, const petro_store *state,
                               const petro_asset *asset) {
    if (asset->kind == PETRO_ASSET_ISSUED) return petro__account_list_add(l, &asset->issuer);
    if (state == NULL) return PETRO_OK;
    petro_pubkey treasury;
    petro_result rc = petro_role_get(state, PETRO_ROLE_TREASURY, &treasury);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    return petro__account_list_add(l, &treasury);
}

typedef struct lock_walk {
    const petro__family *family;
    petro_lock_cb cb;
    void *cb_ctx;
    petro_result rc;
} lock_walk;

static int lock_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    lock_walk *w = ctx;
    petro_lock lock;
    size_t count = 0;
    w->rc = w->family->lock_of(key, key_size, value, value_size, &lock, &count);
    if (w->rc != PETRO_OK) return 1;
    PETRO_ASSERT(count <= 1);
    if (count == 1 && (lock.amount <= 0 || petro__check_asset(&lock.asset) != PETRO_OK)) {
        w->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return count == 1 ? w->cb(w->cb_ctx, &lock) : 0;
}

petro_result petro_state_each_lock(const petro_store *state, petro_lock_cb cb, void *cb_ctx) {
    PETRO_ASSERT(state != NULL && cb != NULL);
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        const petro__family *fam = families[f];
        if (fam->lock_prefix == NULL) continue;
        PETRO_ASSERT(fam->lock_of != NULL);
        lock_walk w = {fam, cb, cb_ctx, PETRO_OK};
        size_t prefix_size = strlen(fam->lock_prefix);
        petro_result rc = state->iter(state->ctx, (const uint8_t *)fam->lock_prefix, prefix_size,
                                      lock_visit, &w);
        if (rc == PETRO_OK) rc = w.rc;
        if (rc != PETRO_OK) return rc;
    }
    return PETRO_OK;
}
