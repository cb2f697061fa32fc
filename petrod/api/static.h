/* The explorer's pages at / (static.c; petrod --web DIR). */
#ifndef PETROD_API_STATIC_H
#define PETROD_API_STATIC_H

#include <stdbool.h>

#include "server.h"

/** Open DIR for serving: a directory holding index.html. Returns its descriptor, or -1 after
 *  logging why. */
int api_static_open_root(const char *dir);

/** Whether a path no API route claims may be a page: anything but /v1 and /v1/..., whose
 *  unknown paths stay the API's JSON 404 "no such route". */
bool api_static_claims(const char *path);

/** Answer a GET or HEAD of req->path from the pages below root_fd, or the JSON 404. */
enum MHD_Result api_static_send(const api_request *req, int root_fd);

#endif
