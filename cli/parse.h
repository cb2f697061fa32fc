/* petro CLI: parsing of command-line values (addresses, amounts, assets, integers, hashes).
 * Each parser prints its own error ("petro: --to tptr1...: bad address checksum (typo?)")
 * and returns CLI_EXIT_USAGE, or returns CLI_EXIT_OK with the value set. `what` names the
 * argument in messages ("--to"). */
#ifndef PETRO_CLI_PARSE_H
#define PETRO_CLI_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "petro/petro.h"

/* An address of either network kind; *kind tells which. */
int parse_address_any(petro_pubkey *pk, petro_net_kind *kind, const char *what, const char *text);
/* An address that must be of kind net. */
int parse_address(petro_pubkey *pk, petro_net_kind net, const char *what, const char *text);
/* A strictly positive amount (> 0) in decimal units. */
int parse_amount(petro_amount *out, const char *what, const char *text);
/* A non-negative amount (>= 0). */
int parse_amount_nonneg(petro_amount *out, const char *what, const char *text);
/* "PTR" or "CODE:ISSUER". The issuer address may be of either kind; *issuer_kind reports it
 * (left untouched for PTR). */
int parse_asset(petro_asset *out, petro_net_kind *issuer_kind, const char *what,
                const char *text);
/* The issuer address inside an asset argument that parse_asset accepted as asset: the text
 * after "CODE:" for an issued asset, NULL for PTR. For the network check of addresses. */
const char *asset_issuer_text(const petro_asset *asset, const char *text);
/* An issued asset code (1..12 of A-Z0-9, not PTR). */
int parse_code(char out[PETRO_ASSET_CODE_SIZE_MAX + 1], const char *what, const char *text);
/* A decimal integer in [min, max]: digits only, no sign, no spaces. */
int parse_uint(uint64_t *out, const char *what, const char *text, uint64_t min, uint64_t max);
/* parse_uint for an optional argument: text NULL leaves *out as it is (the default). */
int parse_uint_opt(uint64_t *out, const char *what, const char *text, uint64_t min,
                   uint64_t max);
/* A 64-character hex hash. */
int parse_hash(petro_hash *out, const char *what, const char *text);
/* BLAKE2b-256 of the bytes of the file at path (a document bound by its hash). */
int parse_file_hash(petro_hash *out, const char *what, const char *path);
/* A document hash given by exactly one of two options: a file to hash (file_what, file_text)
 * or the hash itself in hex (hash_what, hash_text); NULL texts are the options not given. */
int parse_file_or_hash(petro_hash *out, const char *file_what, const char *file_text,
                       const char *hash_what, const char *hash_text);

/* The current unix time in milliseconds (0 if the clock cannot be read): the base of the
 * relative time options (--ship-days, --valid-days) and of default timestamps. */
uint64_t cli_now_ms(void);

/* The human words for a network kind: "main" or "test". */
const char *net_kind_name(petro_net_kind net);

#endif
